"""Handle times: maximum-likelihood fits, the choice between them, their variation over the day."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

from sim.data.estimate.common import (
    BATCH_VALUES,
    DAY_MINUTES,
    FAMILIES,
    FIT_COLUMNS,
    FREE_PARAMETERS,
    GAMMA_NEWTON_STEPS,
    KS_CRITICAL,
    LEVEL,
    MIN_FIT,
    SERVICE_COLUMNS,
    SERVICE_DRAWS,
    _check_level,
    _check_log,
    _intervals,
    _quantiles,
    _rng,
    _slot,
)


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
