"""Logs and interval reports made from records: a simulated run as a centre's export, and back.

:func:`export_log` writes a run's contact records as a contact log (one row
per contact that reached a queue, ISO timestamps from a start date) with the
column mapping that reads it back (:data:`SIM_LOG_MAPPING`): what the round
trip of calibration is tested on. :func:`interval_report` aggregates a tidy
contact log into the interval report an ACD would export (agents = the
distinct agents seen, as a log-only export would count them).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SIM_LOG_MAPPING = {
    "separator": ",",
    "time_format": "iso",
    "columns": {
        "arrival": "arrival",
        "answer": "answer",
        "end": "end",
        "outcome": "outcome",
        "agent": "agent",
        "queue": "queue",
    },
    "outcomes": {
        "served": "served",
        "abandoned": "abandoned",
        "blocked": "blocked",
        "balked": "other",
        "open": "ignore",
    },
}
KEPT = ("served", "abandoned", "blocked", "balked", "open")


def _stamp(start: pd.Timestamp, minutes: pd.Series) -> pd.Series:
    t = start + pd.to_timedelta(minutes, unit="min")
    return t.dt.strftime("%Y-%m-%d %H:%M:%S.%f").where(minutes.notna(), "")


def export_log(
    contacts: pd.DataFrame, path: str | Path, start: str = "2026-01-05", replication: int = 0
) -> Path:
    """Write one replication's contact records as a CSV contact log; return its path."""
    c = contacts[(contacts.replication == replication) & contacts.outcome.isin(KEPT)]
    c = c[c["queue"].notna()].sort_values("t_queue")
    day0 = pd.Timestamp(start)
    end = c.t_end.where(c.outcome.astype(str) != "blocked", c.t_queue)
    frame = pd.DataFrame(
        {
            "arrival": _stamp(day0, c.t_queue),
            "answer": _stamp(day0, c.t_answer),
            "end": _stamp(day0, end),
            "outcome": c.outcome.astype(str).to_numpy(),
            "agent": np.where(c.agent_id >= 0, "agent_" + c.agent_id.astype(str), ""),
            "queue": c["queue"].astype(str).to_numpy(),
        }
    )
    path = Path(path)
    frame.to_csv(path, index=False)
    return path


def interval_report(
    log: pd.DataFrame, interval: float = 30.0, threshold: float = 20 / 60
) -> pd.DataFrame:
    """An ACD-style interval report of a tidy contact log (AHT and ASA in seconds, SL a share)."""
    slot = np.floor(log.t_arrival / interval) * interval
    g = log.assign(t_start=slot).groupby(["day", "t_start", "queue"], sort=True)
    served = log.outcome == "served"
    flags = {"served": served, "abandoned": log.outcome == "abandoned"}
    flags["in_sl"] = served & (log.wait <= threshold)
    parts = log.assign(t_start=slot, **flags).groupby(["day", "t_start", "queue"])
    out = pd.DataFrame(
        {
            "offered": g.size(),
            "handled": parts.served.sum(),
            "abandoned": parts.abandoned.sum(),
            "aht": g.handle.mean() * 60,
            "asa": parts.apply(lambda p: p.wait[p.served].mean() * 60, include_groups=False),
            "service_level": parts.in_sl.sum() / g.size(),
        }
    ).reset_index()
    out["agents"] = [_seen(log, d, t, interval) for d, t in zip(out.day, out.t_start, strict=True)]
    return out


def _seen(log: pd.DataFrame, day: pd.Timestamp, t: float, interval: float) -> int:
    on = log[
        (log.day == day)
        & (log.outcome == "served")
        & (log.t_answer < t + interval)
        & (log.t_end > t)
    ]
    return int(on.agent.nunique())
