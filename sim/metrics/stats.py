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

Cost. The Student-t quantile of the 95 % interval comes from a table of
``scipy.stats.t.ppf`` values for 1 to 100 degrees of freedom (equal to scipy's
to the last bit: ``tests/test_startup.py``), so a run does not import
``scipy.stats`` (about 1 s of CPU) for one number; other levels and more
degrees of freedom ask scipy. :func:`summarise_replications` computes every KPI
at once on a (KPI x replication) matrix, with the same floating-point
operations as the one-KPI :func:`bounded_interval`, which it calls only for the
few KPIs whose plain interval crosses a bound (or that miss a replication).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.metrics.kpis import BOUNDS, UNBOUNDED, Bounds

TABLE_LEVEL = 0.95
# scipy.stats.t.ppf(0.5 + TABLE_LEVEL / 2, df) for df = 1, 2, ..., 100 (scipy 1.17)
# fmt: off
T_TABLE = (
    12.706204736174694, 4.302652729749462, 3.1824463052837078, 2.7764451051977934,
    2.5705818356363146, 2.4469118511449786, 2.364624251592784, 2.306004135204166,
    2.262157162798205, 2.228138851986274, 2.200985160091639, 2.1788128296672284,
    2.1603686564627913, 2.144786687917804, 2.131449545559776, 2.1199052992212546,
    2.1098155778333156, 2.1009220402410382, 2.0930240544083087, 2.085963447265864,
    2.0796138447276795, 2.0738730679040254, 2.0686576104190486, 2.0638985616280245,
    2.0595385527532972, 2.0555294386428735, 2.0518305164802846, 2.0484071417952454,
    2.045229642132703, 2.0422724563012378, 2.039513446396408, 2.0369333434601016,
    2.0345152974493383, 2.0322445093177186, 2.030107928250343, 2.0280940009804502,
    2.0261924630291093, 2.0243941639119694, 2.022690920036761, 2.021075390306273,
    2.019540970441376, 2.0180817028184443, 2.016692199227824, 2.0153675744437636,
    2.014103388880846, 2.012895598919429, 2.0117405137297655, 2.010634757624232,
    2.0095752371292392, 2.008559112100761, 2.007583770315836, 2.006646805061688,
    2.0057459953178687, 2.0048792881880564, 2.0040447832891455, 2.003240718847872,
    2.002465459291007, 2.0017174841452356, 2.000995378088267, 2.0002978220142604,
    1.999623584994939, 1.9989715170333788, 1.998340542520741, 1.997729654317693,
    1.9971379083920038, 1.9965644189523117, 1.996008354025296, 1.9954689314298435,
    1.9949454151072374, 1.994437111771186, 1.9939433678456255, 1.9934635666618719,
    1.992997125889855, 1.992543495180932, 1.9921021540022417, 1.9916726096446642,
    1.9912543953883846, 1.9908470688116906, 1.9904502102301285, 1.990063421254446,
    1.9896863234569029, 1.989318557136572, 1.9889597801751624, 1.9886096669757083,
    1.9882679074772216, 1.98793420623902, 1.9876082815890708, 1.9872898648311692,
    1.986978699506281, 1.9866745407037683, 1.9863771544186177, 1.98608631695113,
    1.9858018143458227, 1.985523441866604, 1.9852510035054978, 1.984984311522457,
    1.9847231860139845, 1.9844674545084815, 1.9842169515864174, 1.9839715185235518,
)
# fmt: on


def t_quantile(level: float, df: int) -> float:
    """The Student-t quantile ``0.5 + level / 2`` with ``df`` degrees of freedom (scipy's)."""
    if level == TABLE_LEVEL and 1 <= df <= len(T_TABLE):
        return T_TABLE[df - 1]
    from scipy import stats

    return float(stats.t.ppf(0.5 + level / 2, df))


def expit(z: float) -> float:
    """The logistic function ``1 / (1 + exp(-z))``, computed as scipy's ``expit`` computes it."""
    try:
        return 1.0 / (1.0 + math.exp(-z))
    except OverflowError:  # exp(-z) is inf: 1 / inf
        return 0.0


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval; NaN bounds with fewer than 2 values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if len(x) < 2:
        return mean, float("nan"), float("nan")
    half = t_quantile(level, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return mean, mean - half, mean + half


def bounded_interval(
    values: np.ndarray, bounds: Bounds = UNBOUNDED, level: float = 0.95
) -> tuple[float, float, float]:
    """Mean and a confidence interval that stays inside ``bounds`` (see the module docstring).

    The plain :func:`t_interval` when it lies inside ``bounds``; otherwise
    the delta-method t-interval on the log (one finite bound) or logit (two)
    scale, mapped back.
    """
    return inside_bounds(*t_interval(values, level), bounds)


def inside_bounds(mean: float, lo: float, hi: float, bounds: Bounds) -> tuple[float, float, float]:
    """The t-interval ``[lo, hi]`` around ``mean``, or its transform inside ``bounds``."""
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
        return low + width * expit(z)

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
    columns = ["scope", "metric", "mean", "ci_low", "ci_high", "replications"]
    if per_rep.empty:
        return pd.DataFrame([], columns=columns)
    codes = per_rep.groupby(["scope", "metric"], sort=False).ngroup().to_numpy()
    values = per_rep["value"].to_numpy(dtype=float)
    keep = codes >= 0  # groupby leaves out rows with a missing key
    codes, values = codes[keep], values[keep]
    order = np.argsort(codes, kind="stable")  # each KPI's replications in their row order
    groups, first, counts = np.unique(codes[order], return_index=True, return_counts=True)
    keys = per_rep[["scope", "metric"]].to_numpy()[keep][order[first]]
    if len(groups) and (counts == counts[0]).all():
        table = _summary_matrix(
            values[order].reshape(len(groups), counts[0]), keys, bounds_of, level
        )
    else:
        table = [
            bounded_interval(v, bounds_of(k[1]), level)
            for k, v in zip(keys, np.split(values[order], first[1:]), strict=True)
        ]
        table = np.array(table, dtype=float).reshape(len(groups), 3)
    notna = np.bincount(codes, weights=~np.isnan(values), minlength=len(groups))
    data = [keys[:, 0], keys[:, 1], *table.T, notna[groups].astype(int)]
    return pd.DataFrame(dict(zip(columns, data, strict=True)))


def _summary_matrix(
    x: np.ndarray, keys: np.ndarray, bounds_of: Callable[[str], Bounds], level: float
) -> np.ndarray:
    """``(mean, ci_low, ci_high)`` of each row of ``x`` (a KPI's replications per row).

    The same operations as :func:`t_interval` row by row; rows with a missing
    value, and rows whose plain interval leaves their KPI's bounds, go through
    :func:`bounded_interval` / :func:`inside_bounds` one by one.
    """
    n = x.shape[1]
    out = np.full((len(x), 3), np.nan)
    out[:, 0] = x.mean(axis=1)
    if n >= 2:
        half = t_quantile(level, n - 1) * x.std(axis=1, ddof=1) / np.sqrt(n)
        out[:, 1], out[:, 2] = out[:, 0] - half, out[:, 0] + half
    limits = {m: bounds_of(m) for m in dict.fromkeys(keys[:, 1])}
    low, high = np.array([limits[m] for m in keys[:, 1]], dtype=float).reshape(-1, 2).T
    with np.errstate(invalid="ignore"):
        outside = ~np.isnan(out[:, 1]) & ((out[:, 1] < low) | (out[:, 2] > high))
    missing = np.isnan(x).any(axis=1)
    for i in np.flatnonzero(missing):
        out[i] = bounded_interval(x[i], limits[keys[i, 1]], level)
    for i in np.flatnonzero(outside & ~missing):
        out[i] = inside_bounds(*out[i], limits[keys[i, 1]])
    return out


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
