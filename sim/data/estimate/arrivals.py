"""Arrival rates per day type and interval, and the day-to-day overdispersion of daily totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.data.estimate.common import (
    ARRIVAL_COLUMNS,
    BUSYNESS_DRAWS,
    DAY_MINUTES,
    LEVEL,
    _check_level,
    _check_log,
    _intervals,
    _ordered_types,
    _quantiles,
    _rng,
    _slot,
    day_types,
)


def _daily_counts(log: pd.DataFrame, interval: float, slots: int) -> tuple[pd.Index, np.ndarray]:
    """The days of the log and their arrival counts per interval (days x intervals)."""
    days = pd.DatetimeIndex(log["day"]).unique().sort_values()
    day = days.get_indexer(pd.DatetimeIndex(log["day"]))
    t = log["t_arrival"].to_numpy(float)
    inside = np.isfinite(t) & (t >= 0) & (t < DAY_MINUTES)
    cell = day[inside] * slots + _slot(t[inside], interval, slots)
    counts = np.bincount(cell, minlength=len(days) * slots).reshape(len(days), slots)
    return days, counts


def _count_interval(counts: np.ndarray, level: float) -> tuple[np.ndarray, ...]:
    """Interval of the mean count per day of each column, and the method used for it."""
    days = counts.shape[0]
    mean, total = counts.mean(axis=0), counts.sum(axis=0)
    alpha = 1 - level
    low = np.where(total > 0, stats.chi2.ppf(alpha / 2, 2 * np.maximum(total, 1)) / 2, 0.0)
    high = stats.chi2.ppf(1 - alpha / 2, 2 * total + 2) / 2
    low, high = low / days, high / days
    method = np.full(len(mean), "poisson", dtype=object)
    if days >= 2:
        var = counts.var(axis=0, ddof=1)
        over = var > mean
        half = stats.t.ppf(1 - alpha / 2, days - 1) * np.sqrt(var / days)
        low = np.where(over, np.maximum(mean - half, 0.0), low)
        high = np.where(over, mean + half, high)
        method[over] = "t"
    return mean, low, high, method


def arrival_rates(
    log: pd.DataFrame,
    interval: float = 30.0,
    scheme: str = "weekday_saturday_sunday",
    level: float = LEVEL,
) -> pd.DataFrame:
    """Arrival rate per day type and interval of the day, with a confidence interval.

    The count of each interval ([t_start, t_end) of ``t_arrival``) is taken on every day
    of the type seen in the log; the rate is the mean count / interval length. Interval:
    when there are at least 2 days and the days' counts vary more than Poisson counts
    (sample variance > mean), the Student-t interval over the days' counts (honest under
    day-to-day overdispersion, ``method == "t"``); else the exact Poisson (Garwood,
    chi-square) interval on the total count, divided by days x interval length
    (``method == "poisson"``). Every interval of every day type is a row, zeros included.

    Args:
        log: The tidy contact log (needs ``day`` and ``t_arrival``).
        interval: Interval length, minutes (the last one is cut at 1440).
        scheme: Day-type scheme (see :func:`day_types`).
        level: Confidence level of each interval.

    Returns:
        Columns ``day_type, t_start, t_end, days, mean_count, rate`` (per minute),
        ``ci_low, ci_high`` (of ``rate``) and ``method``.
    """
    _check_log(log, ARRIVAL_COLUMNS)
    _check_level(level)
    starts, ends = _intervals(interval)
    days, counts = _daily_counts(log, interval, len(starts))
    types = day_types(pd.Series(days), scheme).to_numpy()
    frames = []
    for label in _ordered_types(types, scheme):
        rows = counts[types == label]
        mean, low, high, method = _count_interval(rows, level)
        width = ends - starts
        frames.append(
            pd.DataFrame(
                {"day_type": label, "t_start": starts, "t_end": ends, "days": len(rows)}
                | {"mean_count": mean, "rate": mean / width, "ci_low": low / width}
                | {"ci_high": high / width, "method": method}
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out.attrs["level"] = level
    return out


# ---------------------------------------------------------------- overdispersion


def _busyness_cv(counts: np.ndarray) -> np.ndarray:
    """Method-of-moments cv of the gamma busyness from daily counts along the last axis."""
    mean = counts.mean(axis=-1)
    var = counts.var(axis=-1, ddof=1)
    safe = np.where(mean > 0, mean, 1.0)
    return np.where(mean > 0, np.sqrt(np.maximum(0.0, (var - mean) / safe**2)), 0.0)


def _negative_binomial(
    mean: float, cv: float, shape: tuple[int, int], rng: np.random.Generator
) -> np.ndarray:
    """Poisson counts whose mean is ``mean`` times a gamma factor of mean 1 and cv ``cv``."""
    busy = rng.gamma(1 / cv**2, cv**2, size=shape) if cv > 0 else np.ones(shape)
    return rng.poisson(mean * busy)


def _dispersion_row(
    label: str, totals: np.ndarray, level: float, rng: np.random.Generator
) -> dict[str, object]:
    """One day type's row of :func:`overdispersion`."""
    row: dict[str, object] = {"day_type": label, "days": len(totals), "mean": totals.mean()}
    if len(totals) < 2:
        nan = float("nan")
        row |= {"variance": nan, "dispersion": nan, "busyness_cv": nan}
        return row | {"ci_low": nan, "ci_high": nan, "note": "fewer than 2 days: no variance"}
    var = totals.var(ddof=1)
    cv = float(_busyness_cv(totals))
    draws = _negative_binomial(totals.mean(), cv, (BUSYNESS_DRAWS, len(totals)), rng)
    low, high = _quantiles(_busyness_cv(draws), level)
    note = "few days: the interval is wide" if len(totals) < 10 else ""
    row |= {"variance": var, "dispersion": var / totals.mean(), "busyness_cv": cv}
    return row | {"ci_low": low, "ci_high": high, "note": note}


def overdispersion(
    log: pd.DataFrame,
    scheme: str = "weekday_saturday_sunday",
    level: float = LEVEL,
    rng: np.random.Generator | None = None,
) -> pd.DataFrame:
    """Day-to-day overdispersion of daily arrivals, per day type.

    Model: a day's total N is Poisson(L), L = lambda * G, G gamma of mean 1 and cv c
    (so N is negative binomial). Method of moments over the days of a type:
    c^2 = max(0, (variance - mean) / mean^2). Interval of c: a parametric bootstrap
    (2,000 sets of as many days drawn from the fitted negative binomial, c re-estimated,
    percentiles); with few days it is wide, and its lower end is 0 whenever a Poisson
    day-to-day variation is plausible. Only totals of one day type are compared (a day's
    total depends on its intraday profile). Fewer than 2 days: NaN and a ``note``.

    Args:
        log: The tidy contact log (needs ``day``; every row counts as an arrival).
        scheme: Day-type scheme (see :func:`day_types`).
        level: Confidence level.
        rng: Random generator of the bootstrap (default ``np.random.default_rng(0)``).

    Returns:
        Columns ``day_type, days, mean, variance, dispersion, busyness_cv, ci_low,
        ci_high, note``.
    """
    _check_log(log, ("day",))
    _check_level(level)
    rng = _rng(rng)
    totals = log.groupby("day").size()
    types = day_types(pd.Series(totals.index), scheme).to_numpy()
    counts = totals.to_numpy()
    rows = [
        _dispersion_row(label, counts[types == label], level, rng)
        for label in _ordered_types(types, scheme)
    ]
    return pd.DataFrame(rows)
