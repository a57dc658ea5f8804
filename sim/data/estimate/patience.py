"""Patience from waits with served callers censored, and abandonment against the mean wait."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim.data.estimate.common import (
    LEVEL,
    MIN_CELL,
    PATIENCE_COLUMNS,
    _check_level,
    _check_log,
    _intervals,
)


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
