"""KPIs of a tidy contact log, per interval and pooled, in the simulator's own definitions.

The same functions measure the centre's log and the simulated records of a
backtest, so the two are compared on equal terms. Counts per (day,
interval) cell are additive, so any pooling (a day, all days, the intervals
of a day type) sums them first and takes ratios last:

- ``offered``: contacts arriving in the cell; ``queued``: served or abandoned;
- ``p_abandon`` = abandoned / queued; ``p_wait`` = (abandoned, or served after
  a wait > 0) / queued; ``service_level`` = served within the threshold /
  queued (abandoned callers count as not answered in time, as in
  :mod:`sim.metrics.kpis`); ``asa`` = mean wait of the served;
- ``occupancy`` = agent-minutes in service in the cell / staffed agent-minutes
  (the staffing given: the effective staffing the backtest runs with).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

KPIS = ("offered", "p_abandon", "asa", "service_level", "p_wait", "occupancy")
SUMS = (
    "offered",
    "queued",
    "abandoned",
    "served",
    "in_sl",
    "waited",
    "wait_sum",
    "busy",
    "staffed",
)


def cell_counts(
    log: pd.DataFrame,
    interval: float,
    threshold: float,
    staffing: pd.DataFrame | None = None,
    keys: tuple[str, ...] = ("day",),
) -> pd.DataFrame:
    """Additive counts per ``keys`` and interval (``t_start``).

    ``staffing`` (columns: the keys, ``t_start``, ``effective``) gives the
    staffed agent-minutes of occupancy.
    """
    n = round(1440.0 / interval)
    frames = []
    for key, part in log.groupby(list(keys), sort=True):
        frames.append(
            _counts(part, interval, n, threshold).assign(
                **dict(zip(keys, _tuple(key), strict=True))
            )
        )
    out = pd.concat(frames, ignore_index=True)
    if staffing is not None:
        staffed = staffing[[*keys, "t_start", "effective"]].assign(
            staffed=lambda s: s.effective * interval
        )
        out = out.drop(columns="staffed").merge(
            staffed.drop(columns="effective"), on=[*keys, "t_start"], how="left"
        )
    return out


def _tuple(key: object) -> tuple:
    return key if isinstance(key, tuple) else (key,)


def _counts(part: pd.DataFrame, interval: float, n: int, threshold: float) -> pd.DataFrame:
    slot = np.floor(part.t_arrival.to_numpy() / interval).astype(np.int64)
    ok = (slot >= 0) & (slot < n)
    served = (part.outcome == "served").to_numpy()
    abandoned = (part.outcome == "abandoned").to_numpy()
    wait = part.wait.to_numpy()
    columns = {
        "offered": np.ones(len(part)),
        "queued": served | abandoned,
        "abandoned": abandoned,
        "served": served,
        "in_sl": served & (wait <= threshold + 1e-12),
        "waited": abandoned | (served & (wait > 0)),
        "wait_sum": np.where(served, wait, 0.0),
    }
    counts = {
        k: np.bincount(slot[ok], weights=np.asarray(v, float)[ok], minlength=n)
        for k, v in columns.items()
    }
    counts["busy"] = _busy(part[served], interval, n)
    counts["staffed"] = np.full(n, np.nan)
    return pd.DataFrame({"t_start": np.arange(n) * interval, **counts})


def _busy(served: pd.DataFrame, interval: float, n: int) -> np.ndarray:
    """Agent-minutes in service falling in each interval of the day."""
    edges = np.arange(n + 1) * interval
    a, b = served.t_answer.to_numpy(), served.t_end.to_numpy()
    out = np.zeros(n)
    for i in range(n):
        out[i] = np.clip(np.minimum(b, edges[i + 1]) - np.maximum(a, edges[i]), 0, None).sum()
    return out


def ratios(counts: pd.DataFrame) -> pd.DataFrame:
    """The KPIs of (summed) counts."""
    c = counts
    with np.errstate(invalid="ignore", divide="ignore"):
        return c.assign(
            p_abandon=c.abandoned / c.queued,
            asa=c.wait_sum / c.served,
            service_level=c.in_sl / c.queued,
            p_wait=c.waited / c.queued,
            occupancy=c.busy / c.staffed,
        ).replace([np.inf, -np.inf], np.nan)


def pooled(counts: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """KPIs of the counts summed over everything but ``by``."""
    sums = counts.groupby(by, sort=True)[list(SUMS)].sum(min_count=1).reset_index()
    return ratios(sums)


def bootstrap_days(
    counts: pd.DataFrame,
    by: list[str],
    draws: int = 2000,
    level: float = 0.95,
    rng: np.random.Generator | None = None,
) -> pd.DataFrame:
    """Percentile intervals of pooled KPIs over days drawn with replacement (the log's noise).

    Each draw picks as many days as the log has, with replacement; the
    counts of the picked days are summed per ``by`` cell and turned into KPIs.
    """
    rng = rng or np.random.default_rng(0)
    per_day = counts.groupby(["day", *by], sort=True)[list(SUMS)].sum(min_count=1).fillna(0.0)
    days = sorted(counts.day.unique())
    cells = per_day.reset_index()[by].drop_duplicates().sort_values(by).reset_index(drop=True)
    index = pd.MultiIndex.from_frame(cells) if len(by) > 1 else pd.Index(cells[by[0]])
    array = np.stack([per_day.loc[d].reindex(index, fill_value=0.0).to_numpy() for d in days])
    picks = rng.integers(0, len(days), (draws, len(days)))
    weights = np.stack([np.bincount(p, minlength=len(days)) for p in picks]).astype(float)
    totals = np.einsum("bd,dcs->bcs", weights, array)
    t = {name: totals[..., i] for i, name in enumerate(SUMS)}
    with np.errstate(invalid="ignore", divide="ignore"):
        kpis = {
            "offered": t["offered"],
            "p_abandon": t["abandoned"] / t["queued"],
            "asa": t["wait_sum"] / t["served"],
            "service_level": t["in_sl"] / t["queued"],
            "p_wait": t["waited"] / t["queued"],
            "occupancy": t["busy"] / t["staffed"],
        }
    out = cells.copy()
    lo, hi = 100 * (1 - level) / 2, 100 * (1 + level) / 2
    with warnings.catch_warnings():  # a cell no draw has (all NaN) gets NaN bounds
        warnings.simplefilter("ignore", RuntimeWarning)
        for name, values in kpis.items():
            values = np.where(np.isfinite(values), values, np.nan)
            out[f"{name}_low"] = np.nanpercentile(values, lo, axis=0)
            out[f"{name}_high"] = np.nanpercentile(values, hi, axis=0)
    return out


def records_to_log(contacts: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Simulated contact records as a tidy log of ``day`` (with their ``replication``)."""
    c = contacts[
        contacts["queue"].notna() & contacts.outcome.isin(["served", "abandoned", "blocked"])
    ]
    outcome = c.outcome.astype(str).to_numpy()
    served, abandoned = outcome == "served", outcome == "abandoned"
    wait = np.where(
        served, c.t_answer - c.t_queue, np.where(abandoned, c.t_end - c.t_queue, np.nan)
    )
    return pd.DataFrame(
        {
            "replication": c.replication.to_numpy(),
            "day": day,
            "queue": c["queue"].astype(str).to_numpy(),
            "t_arrival": c.t_queue.to_numpy(),
            "t_answer": c.t_answer.to_numpy(),
            "t_end": c.t_end.to_numpy(),
            "outcome": outcome,
            "wait": wait,
            "handle": np.where(served, c.t_end - c.t_answer, np.nan),
        }
    )
