"""Plots of one run: DataFrames in, matplotlib Figures out (Agg backend, no screen needed).

Every figure has a title saying what it shows, axes with units and a legend
entry for every line and band. Curves over time are the mean over the
replications with a band from the 10th to the 90th percentile of the
replications, and stop at the horizon (the drain tail after it, where only
the contacts still inside are finished, is shown with ``full=True``). Live
channels (a customer on the line: voice, chat) and deferred ones (e-mail,
social: answered hours later) are drawn on separate axes, since their waits
and queues differ by orders of magnitude. A scenario without channels has its
queues (or the one ``all`` scope) on a single "live" panel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

if TYPE_CHECKING:
    from sim.config import Config
    from sim.metrics.results import Results

BAND = (0.1, 0.9)  # quantiles of the replications drawn as a band
LIVE, DEFERRED = "live", "deferred"
AT_INTERVAL_END = {"backlog", "backlog_age"}  # columns measured at the interval's end
PANEL_TITLES = {LIVE: "live channels", DEFERRED: "deferred channels"}


@dataclass(frozen=True)
class Scope:
    """A line of the plots: a channel (or a queue, or ``all``) with its service-level goal."""

    key: str  # the scope in the tables: channel:voice, queue:q, all
    label: str  # voice, q, all
    mode: str  # live or deferred
    threshold: float  # minutes
    target: float  # share answered within the threshold


def main_scopes(cfg: Config) -> dict[str, tuple[float, float]]:
    """Scopes worth a line, with their (SL threshold, SL target): channels, else queues."""
    return {s.key: (s.threshold, s.target) for s in plot_scopes(cfg)}


def plot_scopes(cfg: Config) -> list[Scope]:
    """The scopes drawn, live ones first: channels if any, else queues, else ``all``."""
    if cfg.channels:
        out = [
            Scope(f"channel:{n}", n, getattr(c.mode, "value", c.mode), c.sl_threshold, c.sl_target)
            for n, c in cfg.channels.items()
        ]
        return sorted(out, key=lambda s: s.mode != LIVE)
    if len(cfg.queues) > 1:
        return [
            Scope(f"queue:{n}", n, LIVE, q.sl_threshold, q.sl_target) for n, q in cfg.queues.items()
        ]
    q = next(iter(cfg.queues.values()))
    return [Scope("all", "all", LIVE, q.sl_threshold, q.sl_target)]


def duration_text(minutes: float) -> str:
    """A threshold as people say it: 20 s, 1 min, 60 min, 24 h."""
    if minutes < 1 - 1e-9:
        return f"{60 * minutes:.0f} s"
    if minutes < 120 - 1e-9:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.0f} h"


def target_text(scope: Scope) -> str:
    """``voice target 80 % in 20 s``."""
    return f"{scope.label} target {100 * scope.target:.0f} % in {duration_text(scope.threshold)}"


def panels(scopes: Sequence[Scope], frame: pd.DataFrame) -> list[tuple[str, list[Scope]]]:
    """Live and deferred scopes present in ``frame`` (each group one panel; empty ones left out)."""
    present = set(frame["scope"])
    out = []
    for mode in (LIVE, DEFERRED):
        group = [s for s in scopes if s.mode == mode and s.key in present]
        if group:
            out.append((mode, group))
    return out


def _colours(scopes: Sequence[Scope]) -> dict[str, str]:
    return {s.key: f"C{k % 10}" for k, s in enumerate(scopes)}


def in_horizon(intervals: pd.DataFrame, horizon: float, full: bool = False) -> pd.DataFrame:
    """Intervals starting before the horizon (all of them, drain tail too, with ``full``)."""
    return intervals if full else intervals[intervals["t_start"] < horizon - 1e-9]


def time_label(horizon: float) -> str:
    """The x label of curves over time."""
    return "time of day (h)" if horizon <= 1440 else "time since the start of the run (h)"


def _band(
    ax: Axes, frame: pd.DataFrame, column: str, label: str, colour: str, scale: float = 1.0
) -> None:
    """Mean over replications of ``column`` per interval, and its 10-90 % band (both labelled)."""
    g = frame.groupby("t_start")[column]
    mean, low, high = g.mean(), g.quantile(BAND[0]), g.quantile(BAND[1])
    reps = frame["replication"].nunique()
    width = (frame["t_end"] - frame["t_start"]).iloc[0]
    at = width if column in AT_INTERVAL_END else width / 2  # a snapshot, else a rate
    t = (mean.index.to_numpy() + at) / 60
    ax.plot(t, scale * mean.to_numpy(), color=colour, lw=1.4, label=f"{label} (mean)")
    ax.fill_between(
        t,
        scale * low.to_numpy(),
        scale * high.to_numpy(),
        color=colour,
        alpha=0.2,
        lw=0,
        label=f"{label} (10-90 % of {reps} reps)",
    )


def _time_axis(ax: Axes, intervals: pd.DataFrame, horizon: float, full: bool) -> None:
    right = intervals["t_end"].max() / 60 if full and len(intervals) else horizon / 60
    ax.set_xlim(0, right)
    ax.set_xlabel(time_label(horizon))


def _grid(n_rows: int, n_cols: int, size: tuple[float, float]) -> tuple[Figure, np.ndarray]:
    fig, axes = plt.subplots(n_rows, n_cols, figsize=size, squeeze=False, sharex=True)
    return fig, axes


def _no_data(title: str) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.set_title(title)
    ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
    ax.set(xlabel="-", ylabel="-")
    return fig


def wait_cdf(waits: pd.DataFrame, scopes: Sequence[Scope] | dict[str, float]) -> Figure:
    """Distribution function of waits (contacts that joined a queue), live and deferred apart.

    Dotted vertical lines: each channel's service-level threshold, in its colour.
    """
    scopes = _as_scopes(scopes)
    groups = panels(scopes, waits)
    title = "Distribution of waits in queue (all replications)"
    if not groups:
        return _no_data(title)
    colours = _colours(scopes)
    fig, axes = plt.subplots(1, len(groups), figsize=(6 * len(groups) + 1, 4), squeeze=False)
    for ax, (mode, group) in zip(axes[0], groups, strict=True):
        unit, per = ("s", 60.0) if mode == LIVE else ("min", 1.0)
        for s in group:
            w = waits[waits.scope == s.key]
            cdf = np.cumsum(w["count"].to_numpy()) / w["count"].sum()
            c = colours[s.key]
            ax.step(per * w["high"].to_numpy(), 100 * cdf, where="post", color=c, label=s.label)
            ax.axvline(
                per * s.threshold,
                ls=":",
                color=c,
                label=f"{s.label} threshold {duration_text(s.threshold)}",
            )
        ax.set(xscale="symlog", xlabel=f"wait ({unit}, symlog scale)", ylim=(0, 101))
        ax.set_ylabel("contacts waiting at most x (%)")
        ax.set_xlim(left=0)
        ax.set_title(PANEL_TITLES[mode])
        ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _as_scopes(scopes: Sequence[Scope] | dict) -> list[Scope]:
    """Scopes from the old ``{scope: value}`` dicts too (one live panel, no target text)."""
    if isinstance(scopes, dict):
        out = []
        for key, v in scopes.items():
            threshold, target = v if isinstance(v, tuple) else (v, v)
            out.append(Scope(key, key.split(":")[-1], LIVE, threshold, target))
        return out
    return list(scopes)


def queue_length(
    intervals: pd.DataFrame,
    scopes: Sequence[Scope] | dict,
    horizon: float | None = None,
    full: bool = False,
    levels: pd.DataFrame | None = None,
) -> Figure:
    """Contacts waiting at each interval's end, per channel: mean and 10-90 % band of replications.

    Live and deferred channels on separate axes; x stops at ``horizon``
    (default: the last interval end). With ``full`` and the exact
    ``levels`` (records kept), a last panel adds the total queue over the
    whole run, drain tail included, as mean and band over replications.
    """
    fig = _over_time(
        intervals,
        _as_scopes(scopes),
        [("backlog", "contacts waiting at interval end", 1.0, False)],
        "Queue length by channel",
        horizon,
        full,
    )
    if full and levels is not None and len(levels):
        _drain_panel(fig, levels, intervals)
    return fig


def level_grid(levels: pd.DataFrame, name: str, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Step functions ``levels[name]`` of every replication sampled every ``step`` minutes.

    Returns ``(t, values)`` with values shaped ``(replications, len(t))``; a
    replication's level is 0 before its first change and holds after its last.
    """
    part = levels[levels.name == name]
    t = np.arange(0.0, float(part["t"].max()) + step, step)
    rows = []
    for _, g in part.groupby("replication"):
        k = np.searchsorted(g["t"].to_numpy(), t, side="right") - 1
        v = g["value"].to_numpy()
        rows.append(np.where(k >= 0, v[np.maximum(k, 0)], 0))
    return t, np.array(rows, dtype=float)


def _drain_panel(fig: Figure, levels: pd.DataFrame, intervals: pd.DataFrame) -> None:
    """Add the whole-run total queue (exact levels) under the existing axes."""
    step = float((intervals["t_end"] - intervals["t_start"]).iloc[0])
    t, v = level_grid(levels, "queue_length", step)
    n = len(fig.axes)
    fig.set_size_inches(fig.get_size_inches()[0], fig.get_size_inches()[1] + 3)
    gs = fig.add_gridspec(n + 1, 1)
    for k, ax in enumerate(fig.axes):
        ax.set_subplotspec(gs[k])
    ax = fig.add_subplot(gs[n])
    ax.step(t / 60, v.mean(0), where="post", color="black", lw=1, label="all queues (mean)")
    ax.fill_between(
        t / 60,
        np.quantile(v, BAND[0], axis=0),
        np.quantile(v, BAND[1], axis=0),
        step="post",
        color="grey",
        alpha=0.3,
        label=f"all queues (10-90 % of {len(v)} reps)",
    )
    ax.set(xlabel="time since the start of the run (h)", ylabel="contacts waiting")
    ax.set_xlim(0, t[-1] / 60)
    ax.set_title("Whole run, drain tail included (exact levels)", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()


def service_level(
    intervals: pd.DataFrame,
    scopes: Sequence[Scope] | dict,
    horizon: float | None = None,
    full: bool = False,
) -> Figure:
    """Service level by arrival interval and channel, with each channel's target (labelled)."""
    return _over_time(
        intervals,
        _as_scopes(scopes),
        [("service_level", "service level (%)", 100.0, True)],
        "Service level by arrival interval",
        horizon,
        full,
    )


def channel_intervals(
    intervals: pd.DataFrame,
    scopes: Sequence[Scope],
    horizon: float | None = None,
    full: bool = False,
    interval: float | None = None,
) -> Figure:
    """Per-channel interval view: offered, service level against target, abandonment, backlog.

    One column of axes for live channels, one for deferred ones.
    """
    width = interval or float((intervals["t_end"] - intervals["t_start"]).iloc[0])
    rows = [
        ("offered", f"offered (contacts per {width:g} min)", 1.0, False),
        ("service_level", "service level (%)", 100.0, True),
        ("p_abandon", "abandoned (% of queued)", 100.0, False),
        ("backlog", "waiting at interval end (contacts)", 1.0, False),
    ]
    return _over_time(
        intervals, list(scopes), rows, "Channels by interval", horizon, full, size=(7, 2.6)
    )


def _over_time(
    intervals: pd.DataFrame,
    scopes: list[Scope],
    rows: list[tuple[str, str, float, bool]],
    title: str,
    horizon: float | None,
    full: bool,
    size: tuple[float, float] = (8, 4),
) -> Figure:
    """A grid: one row per metric, one column per channel mode (live, deferred)."""
    if horizon is None:
        horizon = float(intervals["t_end"].max()) if len(intervals) else 0.0
    frame = in_horizon(intervals, horizon, full)
    groups = panels(scopes, frame)
    reps = frame["replication"].nunique() if len(frame) else 0
    heading = f"{title}: mean of {reps} replications, band 10-90 % of replications"
    if not groups:
        return _no_data(heading)
    colours = _colours(scopes)
    fig, axes = _grid(len(rows), len(groups), (size[0] * len(groups), size[1] * len(rows) + 0.6))
    for col, (mode, group) in enumerate(groups):
        for row, (column, ylabel, scale, targets) in enumerate(rows):
            ax = axes[row, col]
            for k, s in enumerate(group):
                _band(ax, frame[frame.scope == s.key], column, s.label, colours[s.key], scale)
                if targets:  # offset dashes: equal targets of two channels both stay visible
                    dashes = (4 * k, (4, 4 * (len(group) - 1) + 4))
                    ax.axhline(
                        100 * s.target,
                        ls=dashes,
                        lw=1.2,
                        color=colours[s.key],
                        label=target_text(s),
                    )
            if targets:
                ax.set_ylim(0, 102)
            else:
                ax.set_ylim(bottom=0)
            ax.set_ylabel(ylabel)
            ax.set_title(f"{PANEL_TITLES[mode]}: {ylabel.split(' (')[0]}", fontsize=10)
            ax.legend(fontsize=6, ncol=2 if len(group) > 1 else 1)
            _time_axis(ax, frame, horizon, full)
    fig.suptitle(heading)
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
        top.plot(part["t"] / 1440, part["stress"], lw=1, label=f"{group}: mean on shift")
    top.axhline(threshold, color="grey", ls="--", lw=0.8, label=f"threshold {threshold:g}")
    top.set(ylabel="mean stress on shift (0-1)", ylim=(0, 1))
    top.set_title("Agent stress: mean of the agents on shift, per group (all replications)")
    top.legend(fontsize=7, ncol=3)
    worst = on.groupby("group", observed=True)["stress"].mean().idxmax() if len(on) else None
    first = stress[(stress["replication"] == stress["replication"].min())]
    ids = first.loc[first["group"] == worst, "agent_id"].drop_duplicates().head(agents)
    for aid in ids:
        one = first[first["agent_id"] == aid]
        bottom.plot(days[one.index], one["stress"], lw=0.9, label=f"agent {aid}")
    bottom.axhline(threshold, color="grey", ls="--", lw=0.8, label=f"threshold {threshold:g}")
    bottom.set(xlabel="day of the run", ylabel=f"stress of {worst} agents (0-1)", ylim=(0, 1))
    bottom.set_title(f"A few agents of the most stressed group ({worst}), replication 0")
    bottom.legend(fontsize=7)
    fig.tight_layout()
    return fig


DAY_PANELS = (
    ("offered", "offered per day", 1.0),  # weeks: their mean per day
    ("service_level", "service level (%)", 100.0),
    ("asa", "ASA (min)", 1.0),
    ("p_abandon", "abandoned (% of queued)", 100.0),
)


def daily_kpis(
    days: pd.DataFrame,
    weeks: pd.DataFrame | None,
    scopes: Sequence[Scope],
    months: pd.DataFrame | None = None,
    start_date: str | None = None,
) -> Figure:
    """Day-by-day KPIs of a long run: offered, service level, ASA, abandonment (one panel each).

    Per scope: the mean over replications of each day's value with its 10-90 % band,
    and each week's and calendar month's value as a step where the run has those
    tables (the weekly and monthly figures a manager's report shows; counts as a
    mean per day of the period). Days of the warm-up are left out.
    """
    days = days[days["in_window"]]
    shown = [s for s in scopes if s.key in set(days["scope"])] or [
        Scope("all", "all", LIVE, math.nan, math.nan)
    ]
    fig, axes = _grid(len(DAY_PANELS), 1, (10, 2.3 * len(DAY_PANELS)))
    colours = _colours(shown)
    steps = [
        (t, ls, n) for t, ls, n in ((weeks, "--", "week"), (months, ":", "month")) if t is not None
    ]
    for ax, (column, label, scale) in zip(axes[:, 0], DAY_PANELS, strict=True):
        for scope in shown:
            _day_band(
                ax, days[days["scope"] == scope.key], column, scope.label, colours[scope.key], scale
            )
            for table, ls, _ in steps:
                part = table[table["scope"] == scope.key]
                _period_steps(ax, part, column, scale, colours[scope.key], ls)
        ax.set_ylabel(label)
    if months is not None:
        _month_marks(axes[:, 0], months)
    handles = axes[0, 0].get_legend_handles_labels()[0]
    handles += [Line2D([], [], color="0.4", ls=ls, label=f"{name} (mean)") for _, ls, name in steps]
    axes[0, 0].legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    first = f" (day 1 = {start_date})" if start_date is not None else ""
    axes[-1, 0].set_xlabel(f"day of the run{first}")
    style = {"--": "dashed", ":": "dotted"}
    extra = "; " + ", ".join(f"{style[ls]}: {n}s" for _, ls, n in steps) if steps else ""
    fig.suptitle(f"Day by day (mean over replications, 10-90 % band{extra})")
    fig.tight_layout()
    return fig


def _month_marks(axes: Sequence[Axes], months: pd.DataFrame) -> None:
    """A thin vertical line where each calendar month starts, named on the top panel."""
    starts = months.groupby("month")["t_start"].first().sort_values()
    for month, t in starts.items():
        for ax in axes:
            ax.axvline(t / 1440, color="0.8", lw=0.8, zorder=0)
        axes[0].annotate(
            str(month),
            (t / 1440, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(2, -9),
            textcoords="offset points",
            fontsize=7,
            color="0.35",
        )


def _period_steps(
    ax: Axes, table: pd.DataFrame, column: str, scale: float, colour: str, ls: str
) -> None:
    """Each period's value as a step (counts as a mean per day of the period)."""
    g = table.groupby("t_start")
    value, end = g[column].mean(), g["t_end"].first()
    if column == "offered":
        value = value / ((end - value.index) / 1440)
    t = np.append(value.index.to_numpy(), end.iloc[-1]) / 1440
    ax.stairs(scale * value.to_numpy(), t, baseline=None, color=colour, ls=ls)


def _day_band(
    ax: Axes, frame: pd.DataFrame, column: str, label: str, colour: str, scale: float
) -> None:
    g = frame.groupby("day")[column]
    mean, low, high = g.mean(), g.quantile(BAND[0]), g.quantile(BAND[1])
    t = mean.index.to_numpy() - 0.5  # the middle of day k (1, 2, ...) is k - 0.5 days in
    ax.plot(t, scale * mean.to_numpy(), color=colour, lw=1.2, marker=".", label=f"{label} (mean)")
    ax.fill_between(
        t, scale * low.to_numpy(), scale * high.to_numpy(), color=colour, alpha=0.2, lw=0
    )


def run_figures(results: Results, full: bool = False) -> dict[str, Figure]:
    """The standard figures of a run, by file name (the horizon only unless ``full``)."""
    cfg = results.config
    scopes = plot_scopes(cfg)
    figures = {"wait_distribution.png": wait_cdf(results.waits, scopes)}
    if len(results.intervals):  # none with intervals=false (aggregates per day only)
        figures |= {
            "queue_length.png": queue_length(
                results.intervals, scopes, cfg.horizon, full, results.levels
            ),
            "service_level.png": service_level(results.intervals, scopes, cfg.horizon, full),
            "channel_intervals.png": channel_intervals(
                results.intervals, scopes, cfg.horizon, full, cfg.interval
            ),
        }
    if results.days is not None:
        figures["days.png"] = daily_kpis(
            results.days, results.weeks, scopes, results.months, cfg.start_date
        )
    if results.stress is not None:
        figures["stress.png"] = stress_trajectories(results.stress, cfg.stress.threshold)
    if results.agent_states is not None and results.contacts is not None:
        from sim.report.gantt import agent_day, plot_agent_day

        day = min(cfg.record_days) - 1 if cfg.record_days else 0  # a day whose records are kept
        figures["agent_day.png"] = plot_agent_day(agent_day(results, 0, day=day))
    return figures


def save_plots(results: Results, out_dir: Path, full: bool = False) -> list[Path]:
    """Write the standard plots of a run as PNG files (the horizon only unless ``full``)."""
    paths = []
    for name, fig in run_figures(results, full).items():
        fig.savefig(Path(out_dir) / name, dpi=110)
        plt.close(fig)
        paths.append(Path(out_dir) / name)
    return paths
