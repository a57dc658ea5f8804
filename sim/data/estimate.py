"""Estimates from a tidy contact log, each with a confidence interval, and one figure each.

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
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from scipy import special, stats

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


# ---------------------------------------------------------------- arrivals


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


# ---------------------------------------------------------------- service times


def _frozen(family: str, params: pd.Series | dict) -> stats.rv_continuous:
    """The scipy distribution of a fitted family from its parameter columns."""
    if family == "lognormal":
        return stats.lognorm(params["sigma"], scale=np.exp(params["mu"]))
    if family == "gamma":
        return stats.gamma(params["shape"], scale=params["scale"])
    return stats.expon(scale=params["scale"])


def _mle(family: str, x: np.ndarray) -> dict[str, float]:
    """Maximum-likelihood parameters (location fixed at 0)."""
    if family == "lognormal":
        sigma, _, scale = stats.lognorm.fit(x, floc=0)
        return {"sigma": sigma, "mu": np.log(scale)}
    if family == "gamma":
        shape, _, scale = stats.gamma.fit(x, floc=0)
        return {"shape": shape, "scale": scale}
    _, scale = stats.expon.fit(x, floc=0)
    return {"scale": scale}


def _fit_family(family: str, x: np.ndarray) -> dict[str, object]:
    """One fitted family's row: fit, moments, log-likelihood, AIC and KS distance."""
    params = _mle(family, x)
    dist = _frozen(family, params)
    loglik = float(dist.logpdf(x).sum())
    row: dict[str, object] = {"family": family, "n": len(x), "mean": float(dist.mean())}
    row |= {"cv": float(dist.std() / dist.mean()), "loglik": loglik}
    row |= {"aic": 2 * FREE_PARAMETERS[family] - 2 * loglik}
    return row | {"ks": float(stats.kstest(x, dist.cdf).statistic)} | params


def _empirical_row(x: np.ndarray) -> dict[str, object]:
    """The empirical distribution's row: sample mean and cv, no likelihood."""
    nan = float("nan")
    mean = float(x.mean()) if len(x) else nan
    cv = float(x.std(ddof=1) / mean) if len(x) >= 2 else nan
    return {"family": "empirical", "n": len(x), "mean": mean, "cv": cv} | {
        "loglik": nan,
        "aic": nan,
        "ks": nan,
    }


def _chosen(frame: pd.DataFrame) -> int:
    """Row index of the chosen distribution: lowest AIC unless KS rejects, else empirical."""
    empirical = int(frame.index[frame["family"] == "empirical"][0])
    fitted = frame[frame["family"] != "empirical"]
    if fitted.empty:
        return empirical
    best = int(fitted["aic"].idxmin())
    too_far = frame.at[best, "ks"] > KS_CRITICAL / np.sqrt(frame.at[best, "n"])
    return empirical if too_far else best


def _gamma_shape(s: np.ndarray) -> np.ndarray:
    """Gamma shape MLE solving log(a) - digamma(a) = s (Minka's start, Newton steps)."""
    s = np.maximum(s, 1e-12)
    a = (3 - s + np.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)
    for _ in range(GAMMA_NEWTON_STEPS):
        step = (np.log(a) - special.digamma(a) - s) / (1 / a - special.polygamma(1, a))
        a = np.maximum(a - step, a / 10)
    return a


def _mean_cv(sample: np.ndarray, family: str) -> tuple[np.ndarray, np.ndarray]:
    """MLE mean and cv of ``family`` for each row of ``sample`` (empirical: sample moments)."""
    if family == "lognormal":
        logs = np.log(sample)
        mu, var = logs.mean(axis=1), logs.var(axis=1)
        return np.exp(mu + var / 2), np.sqrt(np.expm1(var))
    mean = sample.mean(axis=1)
    if family == "exponential":
        return mean, np.ones_like(mean)
    if family == "gamma":
        shape = _gamma_shape(np.log(mean) - np.log(sample).mean(axis=1))
        return mean, 1 / np.sqrt(shape)
    return mean, sample.std(axis=1, ddof=1) / mean


def _bootstrap_mean_cv(
    x: np.ndarray, family: str, level: float, rng: np.random.Generator
) -> dict[str, float]:
    """Percentile intervals of the mean and cv over resamples of ``x`` (in batches)."""
    batch = max(1, BATCH_VALUES // len(x))
    means, cvs = [], []
    for start in range(0, SERVICE_DRAWS, batch):
        rows = min(batch, SERVICE_DRAWS - start)
        mean, cv = _mean_cv(x[rng.integers(0, len(x), size=(rows, len(x)))], family)
        means.append(mean)
        cvs.append(cv)
    mean_low, mean_high = _quantiles(np.concatenate(means), level)
    cv_low, cv_high = _quantiles(np.concatenate(cvs), level)
    return {"mean_ci_low": mean_low, "mean_ci_high": mean_high} | {
        "cv_ci_low": cv_low,
        "cv_ci_high": cv_high,
    }


def _fit_group(
    x: np.ndarray, families: Sequence[str], level: float, rng: np.random.Generator
) -> pd.DataFrame:
    """The rows of one group: each family fitted, the empirical one, the choice, its CIs."""
    rows = [_fit_family(f, x) for f in families] if len(x) >= MIN_FIT else []
    frame = pd.DataFrame([*rows, _empirical_row(x)])
    chosen = _chosen(frame)
    frame["chosen"] = frame.index == chosen
    for column in ("mean_ci_low", "mean_ci_high", "cv_ci_low", "cv_ci_high"):
        frame[column] = np.nan
    if len(x) >= 2:
        ci = _bootstrap_mean_cv(x, str(frame.at[chosen, "family"]), level, rng)
        for column, value in ci.items():
            frame.at[chosen, column] = value
    return frame


def service_fit(
    log: pd.DataFrame,
    by: str = "queue",
    families: Sequence[str] = FAMILIES,
    level: float = LEVEL,
    rng: np.random.Generator | None = None,
) -> pd.DataFrame:
    """Handle-time distributions per group, fitted by maximum likelihood, one chosen.

    Served contacts' ``handle`` (minutes); zeros, negatives and NaNs are dropped and
    counted (``dropped_zero``). Each family is fitted with location 0 (scipy.stats
    ``lognorm``, ``gamma``, ``expon``), plus the empirical distribution (sample mean and
    cv, ``loglik`` NaN). Criterion: the fitted family with the lowest AIC is chosen, unless
    its Kolmogorov-Smirnov distance to the sample exceeds 1.36/sqrt(n) (the 5 % critical
    value), when the empirical distribution is chosen instead; with fewer than 10 values
    only the empirical one is there. On large samples the KS test rejects every family
    for small misfits, so real logs often end with the empirical distribution. The mean
    and cv intervals (chosen row only; NaN elsewhere) are percentile intervals over 1,000
    resamples of the sample, refitting the chosen family's mean and cv by MLE (lognormal:
    exp(mu + sigma^2/2) and sqrt(exp(sigma^2) - 1) from log(x); gamma: the sample mean and
    1/sqrt(shape); exponential: the sample mean, cv fixed at 1) or the sample moments.

    Args:
        log: The tidy contact log (needs ``outcome``, ``handle`` and ``by``).
        by: Column to group by.
        families: Families to fit, among ``lognormal``, ``gamma``, ``exponential``.
        level: Confidence level.
        rng: Random generator of the bootstrap (default ``np.random.default_rng(0)``).

    Returns:
        Columns ``<by>, dropped_zero, family, n, mean, cv, loglik, aic, ks``, the parameters
        ``sigma, mu`` (lognormal, of log(x)), ``shape, scale`` (gamma; ``scale`` also
        exponential), ``chosen, mean_ci_low, mean_ci_high, cv_ci_low, cv_ci_high``.
    """
    _check_log(log, (*SERVICE_COLUMNS, by))
    _check_level(level)
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown family {unknown[0]!r}; known: {', '.join(FAMILIES)}")
    rng = _rng(rng)
    served = log[log["outcome"] == "served"]
    if served.empty:
        raise ValueError("the contact log has no served contact: no handle times to fit")
    frames = []
    for group, part in served.groupby(by, sort=True):
        handle = part["handle"].to_numpy(float)
        usable = np.isfinite(handle) & (handle > 0)
        frame = _fit_group(handle[usable], families, level, rng)
        frame.insert(0, "dropped_zero", int((~usable).sum()))
        frames.append(frame.assign(**{by: group}))
    return pd.concat(frames, ignore_index=True).reindex(columns=[by, *FIT_COLUMNS])


def service_by_interval(
    log: pd.DataFrame, interval: float = 60.0, level: float = LEVEL
) -> pd.DataFrame:
    """Mean handle time by interval of the day of the answer, with a t-interval.

    Served contacts with a handle time and an answer time; the answer time is taken
    modulo 1440 (an answer after midnight is early in the day). Intervals with fewer than
    2 contacts have NaN bounds; ``factor`` is the mean over the overall mean.

    Args:
        log: The tidy contact log (needs ``outcome``, ``t_answer`` and ``handle``).
        interval: Interval length, minutes.
        level: Confidence level.

    Returns:
        Columns ``t_start, t_end, n, mean, ci_low, ci_high, factor``.
    """
    _check_log(log, ("outcome", "t_answer", "handle"))
    _check_level(level)
    starts, ends = _intervals(interval)
    served = log[(log["outcome"] == "served") & log["handle"].notna() & log["t_answer"].notna()]
    if served.empty:
        raise ValueError("the contact log has no served contact with an answer and a handle")
    handle = served["handle"].to_numpy(float)
    slot = _slot(served["t_answer"].to_numpy(float) % DAY_MINUTES, interval, len(starts))
    moments = pd.Series(handle).groupby(slot).agg(["count", "mean", "std"])
    moments = moments.reindex(range(len(starts)))
    n = moments["count"].fillna(0).to_numpy(int)
    mean = moments["mean"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = stats.t.ppf((1 + level) / 2, np.maximum(n - 1, 1)) * moments["std"] / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return pd.DataFrame(
        {"t_start": starts, "t_end": ends, "n": n, "mean": mean, "ci_low": mean - half}
        | {"ci_high": mean + half, "factor": mean / handle.mean()}
    )


# ---------------------------------------------------------------- patience


def _waited(log: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Waits of the contacts informative on patience, and whether each abandoned."""
    outcome = log["outcome"].to_numpy()
    wait = log["wait"].to_numpy(float)
    known = np.isfinite(wait)
    abandoned = (outcome == "abandoned") & known & (wait >= 0)
    censored = (outcome == "served") & known & (wait > 0)
    keep = abandoned | censored
    return wait[keep], abandoned[keep]


def _loglog_band(
    survival: np.ndarray, greenwood: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Log(-log) band of a survival curve from its Greenwood sums sum d / (n (n - d))."""
    z = stats.norm.ppf((1 + level) / 2)
    inside = (survival > 0) & (survival < 1)
    safe = np.where(inside, survival, 0.5)
    se = np.sqrt(np.where(inside, greenwood, 0.0)) / np.abs(np.log(safe))
    low = np.where(inside, safe ** np.exp(z * se), survival)
    high = np.where(inside, safe ** np.exp(-z * se), survival)
    return low, high


def _kaplan_meier(wait: np.ndarray, event: np.ndarray, level: float) -> pd.DataFrame:
    """Kaplan-Meier curve at the event times (events before censorings at a tie)."""
    times, where = np.unique(wait, return_inverse=True)
    events = np.bincount(where, weights=event, minlength=len(times)).astype(int)
    leaving = np.bincount(where, minlength=len(times))
    at_risk = len(wait) - np.concatenate(([0], np.cumsum(leaving)[:-1]))
    mask = events > 0
    times, events, at_risk = times[mask], events[mask], at_risk[mask]
    survival = np.cumprod(1 - events / at_risk)
    left = at_risk - events
    terms = np.where(left > 0, events / (at_risk * np.maximum(left, 1)), np.inf)
    low, high = _loglog_band(survival, np.cumsum(terms), level)
    return pd.DataFrame(
        {"t": times, "at_risk": at_risk, "events": events, "survival": survival}
        | {"ci_low": low, "ci_high": high}
    )


def _exponential_patience(total: float, abandonments: int, level: float) -> dict[str, object]:
    """Exponential MLE of the mean patience with censoring, and its chi-square interval."""
    if abandonments == 0:
        return {"exponential_mean": float("nan"), "exponential_ci": (np.nan, np.nan)}
    k2 = 2 * abandonments
    low = 2 * total / stats.chi2.ppf((1 + level) / 2, k2)
    high = 2 * total / stats.chi2.ppf((1 - level) / 2, k2)
    return {"exponential_mean": total / abandonments, "exponential_ci": (low, high)}


def patience(log: pd.DataFrame, level: float = LEVEL) -> tuple[pd.DataFrame, dict]:
    """Patience from waits: abandonments are observed, served waits right-censored.

    Used: abandoned contacts (a wait of 0 is an event at 0) and served contacts that
    waited (wait > 0; answered at once says nothing of patience). Kaplan-Meier survival
    at the event times (a right-continuous step, 1 before the first row), with the
    Greenwood variance and a log(-log) interval. Exponential model: mean = total time
    waited by those contacts / abandonments (the MLE with censoring), interval
    2T / chi2_{(1 +- level)/2, 2k} (exact for a fixed number k of abandonments).

    Args:
        log: The tidy contact log (needs ``outcome`` and ``wait``).
        level: Confidence level.

    Returns:
        The curve (``t, at_risk, events, survival, ci_low, ci_high``) and a summary:
        ``exponential_mean``, ``exponential_ci``, ``abandonments``, ``waited``,
        ``km_median`` (NaN if the survival stays above 0.5), ``p_abandon`` (abandoned /
        (served + abandoned), all waits), ``level``.
    """
    _check_log(log, PATIENCE_COLUMNS)
    _check_level(level)
    wait, abandoned = _waited(log)
    if len(wait) == 0:
        raise ValueError("no contact waited or abandoned: patience cannot be estimated")
    km = _kaplan_meier(wait, abandoned, level)
    below = km.loc[km["survival"] <= 0.5, "t"]
    outcome = log["outcome"]
    answered_or_not = int(outcome.isin(["served", "abandoned"]).sum())
    summary = _exponential_patience(float(wait.sum()), int(abandoned.sum()), level)
    summary |= {"abandonments": int(abandoned.sum()), "waited": len(wait)}
    summary |= {"km_median": float(below.iloc[0]) if len(below) else float("nan")}
    p_abandon = (outcome == "abandoned").sum() / answered_or_not
    return km, summary | {"p_abandon": float(p_abandon), "level": level}


def _line(cells: pd.DataFrame, noise: float, mean_patience: float | None) -> dict[str, object]:
    """Least-squares line p_abandon = a + b mean_wait over the cells (each cell weighs 1).

    ``noise`` is the mean sampling variance of a cell's mean wait; ``reliability`` is the
    share of the spread of the cells' mean waits that is not that noise.
    """
    x, y = cells["mean_wait"].to_numpy(float), cells["p_abandon"].to_numpy(float)
    out: dict[str, object] = {"cells": len(cells)}
    out["slope_if_exponential"] = None if mean_patience is None else 1 / mean_patience
    if len(cells) < 3 or np.ptp(x) == 0:
        keys = ("slope", "intercept", "r2", "slope_se", "reliability")
        return out | dict.fromkeys(keys, float("nan"))
    out["reliability"] = float(1 - noise / x.var(ddof=1))
    slope, intercept = np.polyfit(x, y, 1)
    residual = float(((y - intercept - slope * x) ** 2).sum())
    spread = float(((y - y.mean()) ** 2).sum())
    sxx = float(((x - x.mean()) ** 2).sum())
    se = float(np.sqrt(residual / (len(x) - 2) / sxx))
    r2 = 1 - residual / spread if spread > 0 else float("nan")
    return out | {"slope": float(slope), "intercept": float(intercept), "r2": r2, "slope_se": se}


def abandonment_vs_wait(
    log: pd.DataFrame,
    interval: float = 60.0,
    by_day: bool = True,
    mean_patience: float | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Fraction abandoning against the mean wait, per (day, interval of arrival) cell.

    Mandelbaum & Zeltyn (2005): with exponential patience of mean m, P(abandon) =
    E[wait] / m, so across cells p_abandon is about linear in mean_wait with slope 1/m.
    Contacts served or abandoned with a known wait (time in queue to the answer or the
    hang-up, answered at once included as 0); cells with fewer than 5 contacts are left
    out; the line is unweighted least squares with an intercept. A cell's mean wait is
    itself a noisy estimate, which flattens the slope (regression dilution) by about the
    factor ``reliability`` = 1 - (mean sampling variance of a cell's mean wait) / (variance
    of the cells' mean waits): small cells give a slope below 1/m, and
    ``slope / reliability`` is the corrected one (a reliability near or below 0 says the
    spread of the cells' mean waits is all noise, and the slope means nothing).

    Args:
        log: The tidy contact log (needs ``day``, ``t_arrival``, ``outcome``, ``wait``).
        interval: Interval length, minutes (``t_arrival`` past 1440 gets its own interval).
        by_day: One cell per (day, interval); else per interval over all days (``day`` NaT).
        mean_patience: If given, ``slope_if_exponential`` = 1 / mean_patience.

    Returns:
        The cells (``day, t_start, contacts, mean_wait, p_abandon``) and the fit
        (``slope, intercept, r2, slope_se, reliability, cells, slope_if_exponential``;
        NaN slope with fewer than 3 cells).
    """
    _check_log(log, ("day", "t_arrival", "outcome", "wait"))
    _intervals(interval)
    part = log[log["outcome"].isin(["served", "abandoned"]) & log["wait"].notna()]
    frame = pd.DataFrame(
        {"t_start": np.floor(part["t_arrival"].to_numpy(float) / interval) * interval}
        | {"wait": part["wait"].to_numpy(float)}
        | {"abandoned": (part["outcome"] == "abandoned").to_numpy()}
    )
    keys = ["t_start"]
    if by_day:
        frame.insert(0, "day", part["day"].to_numpy())
        keys = ["day", "t_start"]
    cells = frame.groupby(keys).agg(
        contacts=("wait", "size"),
        mean_wait=("wait", "mean"),
        p_abandon=("abandoned", "mean"),
        wait_var=("wait", "var"),
    )
    cells = cells.reset_index()
    if not by_day:
        cells.insert(0, "day", pd.NaT)
    cells = cells[cells["contacts"] >= MIN_CELL].reset_index(drop=True)
    noise = float((cells["wait_var"] / cells["contacts"]).mean())
    return cells.drop(columns="wait_var"), _line(cells, noise, mean_patience)


# ---------------------------------------------------------------- figures


def _hours(t: np.ndarray) -> np.ndarray:
    return np.asarray(t, float) / 60.0


def arrival_figure(rates: pd.DataFrame) -> Figure:
    """Arrival rate per minute by time of day, one line per day type with its CI band.

    Args:
        rates: The result of :func:`arrival_rates`.

    Returns:
        The figure.
    """
    level = rates.attrs.get("level", LEVEL)
    fig, ax = plt.subplots(figsize=(8, 4))
    for label, part in rates.groupby("day_type", sort=False):
        mid = _hours((part["t_start"] + part["t_end"]) / 2)
        (line,) = ax.plot(mid, part["rate"], label=f"{label}")
        ax.fill_between(
            mid,
            part["ci_low"],
            part["ci_high"],
            color=line.get_color(),
            alpha=0.25,
            label=f"{label}: {level:.0%} CI",
        )
    ax.set_title("Arrival rate by time of day, per day type")
    ax.set_xlabel("time of day (hours)")
    ax.set_ylabel("arrivals per minute")
    ax.set_xlim(0, 24)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def _group_sample(log: pd.DataFrame, fit: pd.DataFrame) -> tuple[object, np.ndarray]:
    """The first group of a service fit and its positive handle times."""
    by = fit.columns[0]
    group = fit[by].iloc[0]
    part = log[(log["outcome"] == "served") & (log[by] == group)]
    handle = part["handle"].to_numpy(float)
    return group, np.sort(handle[np.isfinite(handle) & (handle > 0)])


def _fitted_lines(ax: Axes, rows: pd.DataFrame, grid: np.ndarray, what: str) -> None:
    """Draw the pdf or cdf of each fitted family of ``rows`` (the chosen one thicker)."""
    for row in rows[rows["family"] != "empirical"].itertuples():
        dist = _frozen(row.family, row._asdict())
        values = dist.pdf(grid) if what == "pdf" else dist.cdf(grid)
        label = f"{row.family} fit" + (" (chosen)" if row.chosen else "")
        ax.plot(grid, values, lw=2.5 if row.chosen else 1.2, label=label)


def service_figure(log: pd.DataFrame, fit: pd.DataFrame) -> Figure:
    """Handle times of the first group of a fit, against the fitted distributions.

    Left: the histogram (density) with the fitted densities; right: the empirical
    distribution function with the fitted ones.

    Args:
        log: The tidy contact log the fit was made from.
        fit: The result of :func:`service_fit`.

    Returns:
        The figure.
    """
    group, x = _group_sample(log, fit)
    rows = fit[fit[fit.columns[0]] == group]
    chosen = rows.loc[rows["chosen"], "family"]
    top = float(np.quantile(x, 0.995)) if len(x) else 1.0
    grid = np.linspace(top / 1000, top, 400)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.hist(x[x <= top], bins=60, density=True, alpha=0.4, label=f"handle times (n={len(x)})")
    _fitted_lines(left, rows, grid, "pdf")
    right.step(x, np.arange(1, len(x) + 1) / max(len(x), 1), where="post", label="empirical")
    _fitted_lines(right, rows, grid, "cdf")
    right.set_xlim(0, top)
    left.set_title(f"Handle times, {group}: chosen {', '.join(chosen)}")
    right.set_title("Distribution function: empirical and fitted")
    for ax, ylabel in ((left, "density (per minute)"), (right, "probability handle <= t")):
        ax.set_xlabel("handle time (minutes)")
        ax.set_ylabel(ylabel)
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def patience_figure(km: pd.DataFrame, summary: dict) -> Figure:
    """Kaplan-Meier survival of patience with its band, and the fitted exponential.

    Args:
        km: The curve of :func:`patience`.
        summary: The summary of :func:`patience`.

    Returns:
        The figure.
    """
    level = summary.get("level", LEVEL)
    t = np.concatenate(([0.0], km["t"].to_numpy(float)))
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.step(t, np.concatenate(([1.0], km["survival"])), where="post", label="Kaplan-Meier")
    ax.fill_between(
        t,
        np.concatenate(([1.0], km["ci_low"])),
        np.concatenate(([1.0], km["ci_high"])),
        step="post",
        alpha=0.25,
        label=f"Kaplan-Meier {level:.0%} CI (log-log)",
    )
    mean = summary.get("exponential_mean", float("nan"))
    if np.isfinite(mean):
        grid = np.linspace(0.0, max(t[-1], mean), 300)
        ax.plot(grid, np.exp(-grid / mean), "--", label=f"exponential, mean {mean:.2f} min")
    ax.set_title("Patience: probability a caller is still willing to wait")
    ax.set_xlabel("wait (minutes)")
    ax.set_ylabel("survival probability")
    ax.set_ylim(0, 1.02)
    ax.legend()
    fig.tight_layout()
    return fig


def abandonment_figure(cells: pd.DataFrame, fit: dict) -> Figure:
    """Fraction abandoning against mean wait per cell, the fitted line and the exponential one.

    Args:
        cells: The cells of :func:`abandonment_vs_wait`.
        fit: Its fit.

    Returns:
        The figure.
    """
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.scatter(cells["mean_wait"], cells["p_abandon"], s=10, alpha=0.5, label="cells")
    grid = np.linspace(0.0, float(cells["mean_wait"].max()) if len(cells) else 1.0, 100)
    if np.isfinite(fit.get("slope", np.nan)):
        label = f"least squares: {fit['intercept']:.3f} + {fit['slope']:.3f} x"
        ax.plot(grid, fit["intercept"] + fit["slope"] * grid, label=label)
    if fit.get("slope_if_exponential") is not None:
        slope = fit["slope_if_exponential"]
        ax.plot(grid, slope * grid, "--", label=f"exponential patience: slope {slope:.3f}")
    ax.set_title("Abandonment against mean wait (Mandelbaum & Zeltyn check)")
    ax.set_xlabel("mean wait in the cell (minutes)")
    ax.set_ylabel("fraction abandoning")
    ax.legend()
    fig.tight_layout()
    return fig
