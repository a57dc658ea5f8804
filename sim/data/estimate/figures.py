"""One figure per estimate: what it shows in its title, units on its axes, a legend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.data.estimate.common import LEVEL
from sim.data.estimate.service import _frozen


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
