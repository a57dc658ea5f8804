"""Plots: DataFrames in, matplotlib Figures out (Agg backend, no screen needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure


def _scopes(frame: pd.DataFrame) -> list[str]:
    scopes = list(dict.fromkeys(frame["scope"]))
    return scopes if len(scopes) <= 2 else scopes[1:]  # one queue: "all" is enough


def wait_cdf(waits: pd.DataFrame, thresholds: dict[str, float]) -> Figure:
    """Distribution function of waits (admitted contacts), one line per queue."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for scope in _scopes(waits)[:1] if len(thresholds) == 1 else list(thresholds):
        w = waits[waits.scope == scope]
        cdf = np.cumsum(w["count"].to_numpy()) / w["count"].sum()
        ax.step(60 * w["high"].to_numpy(), cdf, where="post", label=scope)
        if scope in thresholds:
            ax.axvline(60 * thresholds[scope], ls=":", color="grey")
    ax.set(xscale="symlog", xlabel="wait (s, symlog scale)", ylabel="P(wait <= x)", ylim=(0, 1.01))
    ax.set_xlim(left=0)
    ax.set_title("Wait distribution (dotted: service-level thresholds)")
    ax.legend()
    fig.tight_layout()
    return fig


def _band(ax, frame: pd.DataFrame, column: str, label: str, scale: float = 1.0) -> None:
    g = frame.groupby("t_start")[column]
    mean, low, high = g.mean(), g.quantile(0.1), g.quantile(0.9)
    t = mean.index.to_numpy() / 60
    ax.plot(t, scale * mean.to_numpy(), label=label)
    ax.fill_between(t, scale * low.to_numpy(), scale * high.to_numpy(), alpha=0.2)


def queue_length(intervals: pd.DataFrame, levels: pd.DataFrame | None) -> Figure:
    """Mean queue length per interval (band: 10-90 % of replications), and replication 0."""
    fig, ax = plt.subplots(figsize=(8, 4))
    for scope in _scopes(intervals):
        _band(ax, intervals[intervals.scope == scope], "mean_queue", f"{scope} (interval mean)")
    if levels is not None and len(levels):
        q = levels[(levels.replication == 0) & (levels.name == "queue_length")]
        ax.step(
            q["t"] / 60,
            q["value"],
            where="post",
            lw=0.5,
            color="grey",
            alpha=0.6,
            label="replication 0",
        )
    ax.set(xlabel="time (h)", ylabel="contacts waiting")
    ax.set_title("Queue length over time")
    ax.legend()
    fig.tight_layout()
    return fig


def service_level(intervals: pd.DataFrame, targets: dict[str, float]) -> Figure:
    """Service level by arrival interval (band: 10-90 % of replications)."""
    fig, ax = plt.subplots(figsize=(8, 4))
    for scope in _scopes(intervals):
        _band(ax, intervals[intervals.scope == scope], "service_level", scope, 100)
    for target in sorted(set(targets.values())):
        ax.axhline(100 * target, ls=":", color="grey")
    ax.set(xlabel="time (h)", ylabel="service level (%)", ylim=(0, 101))
    ax.set_title("Service level by interval (dotted: targets)")
    ax.legend()
    fig.tight_layout()
    return fig


def save_plots(results, out_dir: Path) -> list[Path]:
    """Write the standard plots of a run as PNG files."""
    cfg = results.config
    thresholds = {n: q.sl_threshold for n, q in cfg.queues.items()}
    targets = {n: q.sl_target for n, q in cfg.queues.items()}
    figures = {
        "wait_distribution.png": wait_cdf(results.waits, thresholds),
        "queue_length.png": queue_length(results.intervals, results.levels),
        "service_level.png": service_level(results.intervals, targets),
    }
    paths = []
    for name, fig in figures.items():
        fig.savefig(out_dir / name, dpi=110)
        plt.close(fig)
        paths.append(out_dir / name)
    return paths
