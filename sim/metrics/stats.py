"""Confidence intervals across replications, kept inside a KPI's bounds.

Replications are independent (each has its own streams), so a KPI's
replication values are i.i.d. and the Student-t interval ``mean +- t s/sqrt(n)``
applies. Paired intervals compare two scenarios run on common random numbers:
the difference is taken replication by replication, before averaging.

Bounded KPIs. A wait, a percentile, a count or a cost is never negative; a
service level, an abandonment rate, FCR or occupancy lies in [0, 1]
(:data:`sim.metrics.kpis.BOUNDS` says which KPI has which bounds). With few
replications and skewed values the plain t-interval can cross such a bound
(a 90th-percentile wait of 2116 s [-730 s, 4962 s]). The rule:

- the plain t-interval is kept whenever it lies inside the bounds (then
  nothing changes, and nor does the power of the theory-coverage tests);
- otherwise the interval is built on a transformed scale, where the bound is
  at infinity, and mapped back: ``log(mean - low)`` for a quantity bounded
  below only, ``logit((mean - low) / (high - low))`` for one bounded on both
  sides. The half-width on that scale is the delta method's, ``t s / sqrt(n)``
  times the transform's slope at the mean, so the interval is still centred
  (on the transformed scale) on the sample mean and is asymptotically the
  plain one: for a positive KPI it is ``[m / f, m * f]`` with
  ``f = exp(t s / (sqrt(n) m))``. It is asymmetric, longer on the side away
  from the bound, as the sampling distribution of a mean of skewed values is.
  It is defined even when single replications sit on the bound (a day
  without abandonment), as long as their mean does not.
- a mean on the bound itself (all replications 0, say) has a zero standard
  deviation, so the plain interval ``[0, 0]`` already lies inside.

Paired differences of KPIs bounded on both sides lie in ``[low - high, high
- low]`` (``[-1, 1]`` for proportions) and are treated the same way; a
difference of KPIs bounded on one side only is unbounded and keeps the plain
interval. Deliberately not done: a bootstrap (with 5-10 replications its
percentile interval under-covers) or intervals for other targets than the mean
(a t-interval of the mean of ``log x`` would be one for the geometric mean).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from sim.metrics.kpis import BOUNDS, UNBOUNDED, Bounds


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval; NaN bounds with fewer than 2 values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if len(x) < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return mean, mean - half, mean + half


def bounded_interval(
    values: np.ndarray, bounds: Bounds = UNBOUNDED, level: float = 0.95
) -> tuple[float, float, float]:
    """Mean and a confidence interval that stays inside ``bounds`` (see the module docstring).

    The plain :func:`t_interval` when it lies inside ``bounds``; otherwise
    the delta-method t-interval on the log (one finite bound) or logit (two)
    scale, mapped back.
    """
    mean, lo, hi = t_interval(values, level)
    low, high = bounds
    if math.isnan(lo) or (lo >= low and hi <= high):
        return mean, lo, hi
    if not low < mean < high:  # a mean on a bound (rounding): clip the plain interval
        return mean, max(lo, low), min(hi, high)
    half = (hi - lo) / 2  # t s / sqrt(n)
    if math.isinf(high) or math.isinf(low):
        return (mean, *_log_interval(mean, half, low, high))
    return (mean, *_logit_interval(mean, half, low, high))


def _log_interval(mean: float, half: float, low: float, high: float) -> tuple[float, float]:
    """Delta-method interval on the log of the distance to the one finite bound."""
    if math.isinf(low):  # bounded above only: mirror
        a, b = _log_interval(-mean, half, -high, math.inf)
        return -b, -a
    d = mean - low
    factor = math.exp(min(half / d, 700.0))
    return low + d / factor, low + d * factor


def _logit_interval(mean: float, half: float, low: float, high: float) -> tuple[float, float]:
    """Delta-method interval on the logit of the position between the bounds."""
    width = high - low
    p = (mean - low) / width
    centre = math.log(p / (1 - p))
    h = half / (width * p * (1 - p))

    def back(z: float) -> float:
        return low + width * float(stats.logistic.cdf(z))

    return back(centre - h), back(centre + h)


def difference_bounds(bounds: Bounds) -> Bounds:
    """Bounds of a difference of two values in ``bounds``."""
    low, high = bounds
    if math.isinf(low) or math.isinf(high):
        return UNBOUNDED
    return (low - high, high - low)


def summarise_replications(
    per_rep: pd.DataFrame,
    level: float = 0.95,
    bounds: Callable[[str], Bounds] | None = None,
) -> pd.DataFrame:
    """Collapse ``(replication, scope, metric, value)`` rows into mean and CI per KPI.

    ``bounds(metric)`` gives each KPI's bounds (default: :func:`kpi_bounds`,
    from :data:`sim.metrics.kpis.BOUNDS`); the interval stays inside them.
    """
    bounds_of = kpi_bounds if bounds is None else bounds
    rows = []
    for (scope, metric), grp in per_rep.groupby(["scope", "metric"], sort=False):
        mean, lo, hi = bounded_interval(grp["value"].to_numpy(), bounds_of(metric), level)
        rows.append((scope, metric, mean, lo, hi, int(grp["value"].notna().sum())))
    return pd.DataFrame(
        rows, columns=["scope", "metric", "mean", "ci_low", "ci_high", "replications"]
    )


def paired_difference(a: pd.DataFrame, b: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """CI of (b - a) per KPI, pairing replications with the same number.

    A difference of proportions stays in [-1, 1] (:func:`difference_bounds`).
    """
    keys = ["replication", "scope", "metric"]
    both = a[[*keys, "value"]].merge(b[[*keys, "value"]], on=keys, suffixes=("_a", "_b"))
    both["value"] = both["value_b"] - both["value_a"]
    return summarise_replications(
        both[[*keys, "value"]], level, lambda m: difference_bounds(kpi_bounds(m))
    )


def kpi_bounds(metric: str) -> Bounds:
    """The bounds of a KPI (:data:`sim.metrics.kpis.BOUNDS`); unbounded if not listed."""
    return BOUNDS.get(metric, UNBOUNDED)
