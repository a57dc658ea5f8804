"""Shared pieces of the estimators: checks, intervals of the day, day types.

The package: estimates from a tidy contact log, each with a confidence interval and a figure.

The input is the tidy table of :mod:`sim.data.logs` (one row per contact that asked for
an agent). What is estimated, and how:

* :func:`arrival_rates`: the arrival rate per day type and interval of the day, as the
  mean count over the days of that type; a Student-t interval over the days' counts when
  they vary more than Poisson counts would, else an exact (Garwood) Poisson interval.
* :func:`overdispersion`: the day-to-day "busyness" of daily totals, as a Poisson count
  whose mean is scaled by a gamma factor of mean 1 (a negative binomial); its cv by the
  method of moments with a parametric-bootstrap interval.
* :func:`service_fit`: handle times fitted by maximum likelihood (lognormal, gamma,
  exponential), one chosen by AIC unless the Kolmogorov-Smirnov distance rejects it (then
  the empirical distribution); bootstrap intervals of the mean and cv.
  :func:`service_by_interval`: the mean handle time by interval of the day of the answer.
* :func:`patience`: Kaplan-Meier survival of patience with served waits as right-censored,
  and the exponential maximum-likelihood mean with censoring.
* :func:`abandonment_vs_wait`: the fraction abandoning against the mean wait per cell,
  the check of Mandelbaum & Zeltyn (2005) that it is about linear with slope 1/mean patience.

Deliberately not done: no trend or seasonality across weeks and no holidays (the days of
a type are taken as exchangeable); no retrial detection (a redial is a new arrival);
arrivals are those that asked for an agent (IVR-only contacts are not in the log), and a
``t_arrival`` at or past 1440 (joined the queue after midnight) is in no interval of
:func:`arrival_rates`; no dependence of handle times on the agent or the wait; patience is
assumed independent of the offered wait (no reaction to announcements), and its
chi-square interval is exact only for a fixed number of abandonments (approximate here).
Intervals are per estimate: no correction for looking at many of them at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd

DAY_MINUTES = 1440.0
LEVEL = 0.95
KS_CRITICAL = 1.36  # the 5 % Kolmogorov-Smirnov critical distance is KS_CRITICAL / sqrt(n)
BUSYNESS_DRAWS = 2000
SERVICE_DRAWS = 1000
MIN_FIT = 10  # fewer positive handle times than this: the empirical distribution only
MIN_CELL = 5  # contacts a (day, interval) cell needs in abandonment_vs_wait
BATCH_VALUES = 4_000_000  # resampled values per bootstrap batch (bounds the memory)
GAMMA_NEWTON_STEPS = 6
FAMILIES = ("lognormal", "gamma", "exponential")
FREE_PARAMETERS = {"lognormal": 2, "gamma": 2, "exponential": 1}
SCHEMES: dict[str, tuple[str, ...]] = {  # label of Monday, Tuesday, ..., Sunday
    "weekday_saturday_sunday": ("weekday",) * 5 + ("saturday", "sunday"),
    "day_of_week": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "israel": ("weekday",) * 4 + ("friday", "saturday", "weekday"),
    "all": ("all",) * 7,
}
FIT_COLUMNS = (
    *("dropped_zero", "family", "n", "mean", "cv", "loglik", "aic", "ks"),
    *("sigma", "mu", "shape", "scale", "chosen"),
    *("mean_ci_low", "mean_ci_high", "cv_ci_low", "cv_ci_high"),
)
ARRIVAL_COLUMNS = ("day", "t_arrival")
SERVICE_COLUMNS = ("outcome", "handle")
PATIENCE_COLUMNS = ("outcome", "wait")


# ---------------------------------------------------------------- checks and helpers


def _check_log(log: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise ``ValueError`` if ``log`` lacks one of ``columns`` or has no rows."""
    if not isinstance(log, pd.DataFrame):
        raise TypeError(f"expected the tidy contact log as a DataFrame, got {type(log).__name__}")
    missing = [c for c in columns if c not in log.columns]
    if missing:
        raise ValueError(
            f"the contact log has no column {missing[0]!r} "
            f"(missing: {', '.join(missing)}; this estimate needs: {', '.join(columns)})"
        )
    if log.empty:
        raise ValueError("the contact log is empty: no contacts to estimate from")
    if "day" in columns and log["day"].isna().any():
        raise ValueError("the contact log has rows without a 'day'")


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1 (exclusive), got {level}")


def _intervals(interval: float) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the intervals of a day (the last one cut at 1440)."""
    if not interval > 0:
        raise ValueError(f"interval must be a positive number of minutes, got {interval}")
    starts = np.arange(0.0, DAY_MINUTES, interval)
    return starts, np.minimum(starts + interval, DAY_MINUTES)


def _slot(t: np.ndarray, interval: float, slots: int) -> np.ndarray:
    """Index of the interval of the day holding each time in [0, 1440)."""
    return np.minimum(np.floor(t / interval).astype(int), slots - 1)


def _quantiles(values: np.ndarray, level: float) -> tuple[float, float]:
    low, high = np.nanquantile(values, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def _rng(rng: np.random.Generator | None) -> np.random.Generator:
    return np.random.default_rng(0) if rng is None else rng


def day_types(days: pd.Series, scheme: str = "weekday_saturday_sunday") -> pd.Series:
    """The day-type label of each date.

    Args:
        days: Dates (anything ``pd.to_datetime`` reads).
        scheme: ``"weekday_saturday_sunday"`` (Mon-Fri ``weekday``, ``saturday``,
            ``sunday``), ``"day_of_week"`` (``monday`` .. ``sunday``), ``"israel"``
            (Sun-Thu ``weekday``, ``friday``, ``saturday``) or ``"all"`` (``all``).

    Returns:
        The labels, with the index of ``days``, named ``day_type``.

    Raises:
        ValueError: For an unknown scheme or a missing date.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown day-type scheme {scheme!r}; known: {', '.join(SCHEMES)}")
    dates = pd.to_datetime(pd.Series(days))
    if dates.isna().any():
        raise ValueError("day_types: a date is missing (NaT)")
    labels = np.array(SCHEMES[scheme], dtype=object)[dates.dt.day_of_week.to_numpy()]
    return pd.Series(labels, index=dates.index, name="day_type")


def _ordered_types(types: np.ndarray, scheme: str) -> list[str]:
    """The day types present, in the scheme's order (Monday first)."""
    present = set(types)
    return [label for label in dict.fromkeys(SCHEMES[scheme]) if label in present]
