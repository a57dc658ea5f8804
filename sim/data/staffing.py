"""Effective staffing reconstructed from a contact log: how many agents were really there.

The obvious estimate, the agents seen serving in an interval, counts anyone
who took a call in it, however briefly; agents logged in but away (after-call
work not in the log, short breaks, other tasks) make it too high, and a
model staffed with it gives far too little abandonment. The log tells more:
in a work-conserving centre, whenever a caller waits, every available agent
is busy. So in an interval, the mean number of agents in service over the
moments when someone waits is the number available then
(``busy_while_waiting``). Where nobody waits long enough in an interval
(less than ``min_waiting`` of it), the log shows only a lower bound, the most
agents busy at once; there the estimate is the agents seen times the
availability factor of the identified intervals of the same day, and never
below that bound (``identified`` says which). Everything is computed on a
one-second grid of the day, the resolution of the logs.

Given an interval report or a staffing table (scheduled agents), the
availability factor per interval is effective / scheduled.

Not modelled: agents on several queues (the log is taken as one pool),
priorities that hold an agent back for some callers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.data.estimate import day_types

SECOND = 1.0 / 60.0
MIN_WAITING = 0.1  # share of an interval with someone waiting for it to be identified


def _grid_count(starts: np.ndarray, stops: np.ndarray, size: int) -> np.ndarray:
    """How many segments [start, stop) cover each second of a grid of ``size`` seconds."""
    a = np.clip(np.round(starts * 60).astype(np.int64), 0, size)
    b = np.clip(np.round(stops * 60).astype(np.int64), 0, size)
    delta = np.zeros(size + 1)
    np.add.at(delta, a, 1.0)
    np.add.at(delta, b, -1.0)
    return np.cumsum(delta)[:size]


def _day_levels(day: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int]:
    """Agents busy and callers waiting in each second of one day (and past midnight)."""
    last = np.nanmax(day[["t_arrival", "t_answer", "t_end"]].to_numpy())
    size = int(np.ceil(max(last, 1440.0) * 60)) + 1
    served = day[day.outcome == "served"]
    busy = _grid_count(served.t_answer.to_numpy(), served.t_end.to_numpy(), size)
    queued = day[day.outcome.isin(("served", "abandoned"))]
    left = np.where(queued.t_answer.notna(), queued.t_answer, queued.t_end)
    waiting = _grid_count(queued.t_arrival.to_numpy(), left, size)
    return busy, waiting, size


def _intervals(busy: np.ndarray, waiting: np.ndarray, interval: float) -> pd.DataFrame:
    n = round(1440.0 / interval)
    per = round(interval * 60)
    rows = []
    for i in range(n):
        b, w = busy[i * per : (i + 1) * per], waiting[i * per : (i + 1) * per]
        wait_secs = int((w > 0).sum())
        rows.append(
            (
                i * interval,
                (i + 1) * interval,
                b.mean() if len(b) else 0.0,
                b.max(initial=0.0),
                wait_secs / per,
                b[w > 0].mean() if wait_secs else np.nan,
            )
        )
    cols = ["t_start", "t_end", "busy", "max_busy", "waiting_share", "busy_while_waiting"]
    return pd.DataFrame(rows, columns=cols)


def _seen(day: pd.DataFrame, interval: float) -> np.ndarray:
    """Distinct agents who served a call overlapping each interval."""
    n = round(1440.0 / interval)
    served = day[(day.outcome == "served") & day.agent.notna()]
    out = np.zeros(n)
    for i in range(n):
        a, b = i * interval, (i + 1) * interval
        on = served[(served.t_answer < b) & (served.t_end > a)]
        out[i] = on.agent.nunique()
    return out


def _offered(day: pd.DataFrame, interval: float) -> np.ndarray:
    n = round(1440.0 / interval)
    slot = np.floor(day.t_arrival.to_numpy() / interval).astype(int)
    return np.bincount(slot[(slot >= 0) & (slot < n)], minlength=n)


def effective_staffing(
    log: pd.DataFrame, interval: float = 30.0, min_waiting: float = MIN_WAITING
) -> pd.DataFrame:
    """Per day and interval: agents seen, busy, busy while someone waited, and the estimate.

    Columns: ``day, t_start, t_end, offered, agents_seen, busy, max_busy,
    waiting_share, busy_while_waiting, identified, availability, effective``.
    """
    if log.empty:
        raise ValueError("effective_staffing: the log has no contacts")
    frames = []
    for day, part in log.groupby("day", sort=True):
        busy, waiting, _ = _day_levels(part)
        f = _intervals(busy, waiting, interval)
        f.insert(0, "day", day)
        f.insert(3, "offered", _offered(part, interval))
        f.insert(4, "agents_seen", _seen(part, interval))
        frames.append(_estimate(f, min_waiting))
    return pd.concat(frames, ignore_index=True)


def _estimate(f: pd.DataFrame, min_waiting: float) -> pd.DataFrame:
    """Busy-while-waiting where identified; elsewhere seen x the day's factor, >= the most busy."""
    f["identified"] = (f.waiting_share >= min_waiting) & (f.agents_seen > 0)
    ident = f[f.identified]
    factor = float(ident.busy_while_waiting.sum() / ident.agents_seen.sum()) if len(ident) else 1.0
    fallback = np.maximum(f.agents_seen * factor, f.max_busy)
    f["effective"] = np.where(f.identified, f.busy_while_waiting, fallback)
    f["availability"] = np.where(
        f.agents_seen > 0, f.effective / f.agents_seen.where(f.agents_seen > 0), np.nan
    )
    return f


def typical_staffing(
    staffing: pd.DataFrame, scheme: str = "israel", day_type: str = "weekday"
) -> pd.DataFrame:
    """Mean effective staffing per interval over the days of one type, with a t-interval."""
    from scipy import stats

    types = day_types(staffing.day, scheme)
    part = staffing[types == day_type]
    if part.empty:
        known = ", ".join(sorted(set(types)))
        raise ValueError(f"no day of type {day_type!r} in the log (types: {known})")
    g = part.groupby("t_start", sort=True)
    mean, sd, n = g.effective.mean(), g.effective.std(ddof=1), g.effective.count()
    half = stats.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
    return pd.DataFrame(
        {
            "t_start": mean.index,
            "t_end": mean.index + (part.t_end - part.t_start).iloc[0],
            "days": n.to_numpy(),
            "effective": mean.to_numpy(),
            "ci_low": (mean - half).to_numpy(),
            "ci_high": (mean + half).to_numpy(),
            "agents_seen": g.agents_seen.mean().to_numpy(),
        }
    )


def availability(effective: pd.DataFrame, scheduled: pd.DataFrame) -> pd.DataFrame:
    """Effective against scheduled agents per (day, interval): the availability factor.

    ``scheduled`` has ``day, t_start, agents`` (an interval report's agents
    staffed, or a staffing table summed over groups).
    """
    both = effective.merge(scheduled[["day", "t_start", "agents"]], on=["day", "t_start"])
    both["factor"] = np.where(
        both.agents > 0, both.effective / both.agents.where(both.agents > 0), np.nan
    )
    return both[["day", "t_start", "t_end", "agents", "effective", "identified", "factor"]]
