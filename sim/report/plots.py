"""Plots: DataFrames in, matplotlib Figures out (Agg backend, no screen needed)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from sim.config import Config
    from sim.metrics.results import Results


def main_scopes(cfg: Config) -> dict[str, tuple[float, float]]:
    """Scopes worth a line, with their (SL threshold, SL target): channels, else queues."""
    if cfg.channels:
        return {f"channel:{n}": (c.sl_threshold, c.sl_target) for n, c in cfg.channels.items()}
    if len(cfg.queues) > 1:
        return {f"queue:{n}": (q.sl_threshold, q.sl_target) for n, q in cfg.queues.items()}
    q = next(iter(cfg.queues.values()))
    return {"all": (q.sl_threshold, q.sl_target)}


def _scopes(frame: pd.DataFrame, wanted: Iterable[str]) -> list[str]:
    present = set(frame["scope"])
    return [s for s in wanted if s in present]


def wait_cdf(waits: pd.DataFrame, thresholds: dict[str, float]) -> Figure:
    """Distribution function of waits (queued contacts), one line per scope."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for scope in _scopes(waits, thresholds):
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


def _band(ax: Axes, frame: pd.DataFrame, column: str, label: str, scale: float = 1.0) -> None:
    g = frame.groupby("t_start")[column]
    mean, low, high = g.mean(), g.quantile(0.1), g.quantile(0.9)
    t = mean.index.to_numpy() / 60
    ax.plot(t, scale * mean.to_numpy(), label=label)
    ax.fill_between(t, scale * low.to_numpy(), scale * high.to_numpy(), alpha=0.2)


def queue_length(
    intervals: pd.DataFrame, levels: pd.DataFrame | None, scopes: Iterable[str]
) -> Figure:
    """Contacts waiting at each interval end (band: 10-90 % of replications), and replication 0."""
    fig, ax = plt.subplots(figsize=(8, 4))
    for scope in _scopes(intervals, scopes):
        _band(ax, intervals[intervals.scope == scope], "backlog", scope)
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
    for scope in _scopes(intervals, targets):
        _band(ax, intervals[intervals.scope == scope], "service_level", scope, 100)
    for target in sorted(set(targets.values())):
        ax.axhline(100 * target, ls=":", color="grey")
    ax.set(xlabel="time (h)", ylabel="service level (%)", ylim=(0, 101))
    ax.set_title("Service level by interval (dotted: targets)")
    ax.legend()
    fig.tight_layout()
    return fig


def stress_trajectories(stress: pd.DataFrame, threshold: float, agents: int = 3) -> Figure:
    """Stress over time: group means and a few agents' trajectories.

    Top: mean stress of the agents on shift, per group, across replications.
    Bottom: full trajectories (on and off shift) of a few agents of the most
    stressed group, in the first replication.
    """
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True)
    on = stress[stress["on_shift"]]
    days = stress["t"] / 1440
    means = on.groupby(["group", "t"], observed=True)["stress"].mean().reset_index()
    for group, part in means.groupby("group", observed=True):
        top.plot(part["t"] / 1440, part["stress"], lw=1, label=str(group))
    top.axhline(threshold, color="grey", ls="--", lw=0.8, label="threshold")
    top.set(ylabel="mean stress on shift", ylim=(0, 1))
    top.legend(fontsize=7, ncol=3)
    worst = on.groupby("group", observed=True)["stress"].mean().idxmax() if len(on) else None
    first = stress[(stress["replication"] == stress["replication"].min())]
    ids = first.loc[first["group"] == worst, "agent_id"].drop_duplicates().head(agents)
    for aid in ids:
        one = first[first["agent_id"] == aid]
        bottom.plot(days[one.index], one["stress"], lw=0.9, label=f"agent {aid}")
    bottom.axhline(threshold, color="grey", ls="--", lw=0.8)
    bottom.set(xlabel="day", ylabel=f"stress ({worst})", ylim=(0, 1))
    bottom.legend(fontsize=7)
    fig.tight_layout()
    return fig


def save_plots(results: Results, out_dir: Path) -> list[Path]:
    """Write the standard plots of a run as PNG files."""
    scopes = main_scopes(results.config)
    thresholds = {s: v[0] for s, v in scopes.items()}
    targets = {s: v[1] for s, v in scopes.items()}
    figures = {
        "wait_distribution.png": wait_cdf(results.waits, thresholds),
        "queue_length.png": queue_length(results.intervals, results.levels, scopes),
        "service_level.png": service_level(results.intervals, targets),
    }
    if results.stress is not None:
        threshold = results.config.stress.threshold
        figures["stress.png"] = stress_trajectories(results.stress, threshold)
    paths = []
    for name, fig in figures.items():
        fig.savefig(out_dir / name, dpi=110)
        plt.close(fig)
        paths.append(out_dir / name)
    return paths
