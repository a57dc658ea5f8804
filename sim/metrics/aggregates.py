"""Aggregates of the contact records, as pure functions.

``reduce_chunk`` turns a chunk of records into additive aggregates (a
:class:`Partial`): per *stratum* (all, each queue, channel, segment, reason)
and arrival interval, counts and sums of :data:`FIELDS`; exact time integrals
of queue length (per queue) and busy agents (per group); waiting contacts at
each interval end (backlog) and their total age; a fine wait histogram.
Partials of chunks add up (``merge``), so the same code serves a run that
keeps every record and one that keeps only aggregates. :mod:`sim.metrics.kpis` turns
them into KPIs; its docstring gives the definitions.

Counting rules: a contact counts as ``offered`` once (its first leg); each
leg that reached a queue counts as ``queued`` and carries its own wait. The
window is arrivals in [warmup, horizon); time integrals are clipped to
[warmup, horizon].
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

import numpy as np

from sim.config.base import DAY
from sim.metrics.records import Columns

FIELDS = (
    "offered",
    "queued",
    "blocked",
    "abandoned",
    "served",
    "answered",
    "answered_in_sl",
    "waited",
    "open",
    "wait_known",
    "wait_sum",
    "answer_wait_sum",
    "handle_sum",
    "self_served",
    "switched",
    "gave_up",
    "transferred",
    "escalated",
    "issues_closed",
    "attempts_sum",
    "frustration_sum",
    "overflowed",
    "tried_self_service",
    "front_minutes",
    "line_minutes",
    "resolved",
    "callback_offered",
    "callbacks",
    "callback_answered",
    "callback_wait_sum",
    "balked",
)
F = {name: i for i, name in enumerate(FIELDS)}
# Wait histogram: slot 0 holds waits of exactly 0, slot k in 1..len-1 holds
# [HIST_EDGES[k-1], HIST_EDGES[k]) (geometric bins 1.16 % wide from 1e-4 to 1e9
# minutes), and a last, open slot holds longer waits, up to the largest seen
# (``Partial.wait_max``), so no percentile is ever clipped.
HIST_EDGES = np.concatenate(([0.0], np.geomspace(1e-4, 1e9, 2601)))
HIST_SLOTS = len(HIST_EDGES) + 1
PERCENTILES = (50, 90, 95)
DIMENSIONS = ("all", "queue", "channel", "segment", "reason", "group", "vendor")


@dataclass(frozen=True)
class Window:
    """Where the statistics look: run length, warm-up and reporting interval.

    ``first`` and ``count`` make it a *part* of the run's intervals (those a
    chunk of records touches, :func:`span`): ``first`` is the index of its first
    interval, ``count`` how many (0: up to the horizon). The window total (the
    last slot of the aggregates) is always over [warmup, horizon).
    """

    horizon: float
    warmup: float
    interval: float
    n_groups: int
    first: int = 0
    count: int = 0

    @property
    def total_intervals(self) -> int:
        """Number of reporting intervals covering [0, horizon)."""
        return max(1, math.ceil(self.horizon / self.interval - 1e-9))

    @property
    def n_intervals(self) -> int:
        """Number of intervals of this window (all of the run's unless it is a part)."""
        return self.count or self.total_intervals - self.first

    @property
    def edges(self) -> np.ndarray:
        """Interval boundaries, the last one clipped to the horizon."""
        k = np.arange(self.first, self.first + self.n_intervals + 1)
        return np.minimum(k * self.interval, self.horizon)

    @property
    def length(self) -> float:
        """Length of the statistics window."""
        return self.horizon - self.warmup


def span(win: Window, t_low: float, t_high: float) -> Window:
    """The part of ``win`` whose intervals cover the instants ``[t_low, t_high]``.

    Instants past the horizon fall in the last interval's part (aggregates
    place them after the horizon, as over the whole run).
    """
    last = win.total_intervals - 1
    lo = min(max(int(t_low // win.interval), 0), last)
    hi = min(max(int(t_high // win.interval), lo), last)
    return replace(win, first=lo, count=hi - lo + 1)


@dataclass(frozen=True)
class Strata:
    """How records map to strata: names per dimension and per-kind lookups.

    ``kind_codes[dim]`` gives, for each contact kind, its code in dimension
    ``dim`` (-1: none, e.g. the channel of a textbook queue's contact).
    ``threshold`` is the service-level threshold of each kind;
    ``vendor_of_group`` the vendor code of each agent group. The ``group``
    and ``vendor`` strata hold the legs their agents answered.

    The ``mode`` strata (``names["mode"]``, a subset of ``live``,
    ``deferred``) are not reduced from records: :func:`with_modes` rolls them
    up from the channel strata (``mode_of_channel``: the mode code of each
    channel) and, for the queues' own arrivals, from ``all`` minus the channels
    (``textbook_mode``: their code, -1 when no queue has arrivals of its own).
    ``queue_mode`` is the mode code of each queue (-1: fed by both modes or
    by none); ``scope_threshold`` the service-level threshold of each scope
    (NaN where it mixes several, :mod:`sim.metrics.thresholds`).
    """

    names: dict[str, list[str]]
    kind_codes: dict[str, np.ndarray]
    threshold: np.ndarray
    vendor_of_group: np.ndarray
    mode_of_channel: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    textbook_mode: int = -1
    queue_mode: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    scope_threshold: dict[str, float] = field(default_factory=dict)

    def size(self, dim: str) -> int:
        """Number of strata of a dimension."""
        return len(self.names[dim])

    def codes(self, dim: str, cols: Columns) -> np.ndarray:
        """Stratum code of each record in ``dim`` (-1: not in any)."""
        if dim == "all":
            return np.zeros(len(cols["kind"]), dtype=np.int64)
        if dim == "queue":
            return cols["queue"].astype(np.int64)
        if dim in ("group", "vendor"):
            group = cols["group"].astype(np.int64)
            if dim == "group":
                return group
            return np.where(group >= 0, self.vendor_of_group[np.maximum(group, 0)], -1)
        return self.kind_codes[dim][cols["kind"].astype(np.int64)]


@dataclass
class Partial:
    """Additive aggregates; the last interval slot holds the window total.

    ``counts[dim]``: (strata, intervals + 1, FIELDS); ``hist[dim]``: (strata,
    HIST_SLOTS), slot 0 = waits of exactly 0, the last one open-ended;
    ``wait_max[dim]``: (strata,) the longest wait; ``backlog[dim]``: (strata,
    intervals, 2) contacts waiting at each interval end and the sum of their
    queue-entry times; ``queue_time``: (queues, intervals + 1); ``busy_time``:
    (groups, intervals + 1).
    """

    counts: dict[str, np.ndarray]
    hist: dict[str, np.ndarray]
    wait_max: dict[str, np.ndarray]
    backlog: dict[str, np.ndarray]
    queue_time: np.ndarray
    busy_time: np.ndarray


def empty_partial(win: Window, strata: Strata) -> Partial:
    """Aggregates of no contacts."""
    ni = win.n_intervals
    sizes = {d: strata.size(d) for d in DIMENSIONS}
    return Partial(
        {d: np.zeros((n, ni + 1, len(FIELDS))) for d, n in sizes.items()},
        {d: np.zeros((n, HIST_SLOTS)) for d, n in sizes.items()},
        {d: np.zeros(n) for d, n in sizes.items()},
        {d: np.zeros((n, ni, 2)) for d, n in sizes.items()},
        np.zeros((sizes["queue"], ni + 1)),
        np.zeros((win.n_groups, ni + 1)),
    )


def _add(a: np.ndarray | dict, b: np.ndarray | dict) -> np.ndarray | dict:
    return {k: a[k] + b[k] for k in a} if isinstance(a, dict) else a + b


def _combine(name: str, a: np.ndarray | dict, b: np.ndarray | dict) -> np.ndarray | dict:
    if name == "wait_max":
        return {k: np.maximum(a[k], b[k]) for k in a}
    return _add(a, b)


def merge(a: Partial, b: Partial) -> Partial:
    """Sum of two partials (the longest waits: their maximum)."""
    return Partial(
        *(_combine(f.name, getattr(a, f.name), getattr(b, f.name)) for f in fields(Partial))
    )


def add_into(acc: Partial, part: Partial, part_win: Window) -> None:
    """Add ``part`` (aggregates of the intervals of ``part_win``) into ``acc`` (the whole run's).

    In place, touching only the intervals of ``part_win`` and the window
    total, so adding a chunk costs the same on a day's run as on a year's.
    """
    lo, n = part_win.first, part_win.n_intervals
    for d in acc.counts:
        acc.counts[d][:, lo : lo + n] += part.counts[d][:, :n]
        acc.counts[d][:, -1] += part.counts[d][:, -1]
        acc.backlog[d][:, lo : lo + n] += part.backlog[d]
        acc.hist[d] += part.hist[d]
        np.maximum(acc.wait_max[d], part.wait_max[d], out=acc.wait_max[d])
    for name in ("queue_time", "busy_time"):
        a, b = getattr(acc, name), getattr(part, name)
        a[:, lo : lo + n] += b[:, :n]
        a[:, -1] += b[:, -1]


def fold_array(a: np.ndarray, starts: np.ndarray, n: int) -> np.ndarray:
    """Sums of ``a[:, :n]`` over the runs of intervals from each of ``starts``; later slots kept."""
    return np.concatenate([np.add.reduceat(a[:, :n], starts, axis=1), a[:, n:]], axis=1)


def fold_intervals(part: Partial, starts: np.ndarray, n: int) -> Partial:
    """``part`` with its ``n`` intervals summed into the periods starting at ``starts``.

    Exact: every aggregate but the histogram (which has no intervals) is a sum
    over intervals; the backlog's net changes sum too, so its running total at
    a period's end is the backlog at that end.
    """

    def fold(x: dict | np.ndarray) -> dict | np.ndarray:
        if isinstance(x, dict):
            return {k: fold_array(v, starts, n) for k, v in x.items()}
        return fold_array(x, starts, n)

    return Partial(
        fold(part.counts),
        part.hist,
        part.wait_max,
        fold(part.backlog),
        fold(part.queue_time),
        fold(part.busy_time),
    )


def to_days(part: Partial, part_win: Window) -> tuple[Partial, Window]:
    """Aggregates of a part of the run's intervals summed by day, and that part of the day window.

    An interval belongs to the day it starts in (with an interval that does not
    divide a day, the one across midnight counts for the day it starts in).
    """
    which = (part_win.edges[:-1] // DAY).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, which[1:] != which[:-1]])
    days = replace(day_window(part_win), first=int(which[0]), count=len(starts))
    return fold_intervals(part, starts, part_win.n_intervals), days


def day_window(win: Window) -> Window:
    """The run's window with one interval per day (the aggregates of ``intervals=false``)."""
    return replace(win, interval=DAY, first=0, count=0)


def with_modes(part: Partial, strata: Strata) -> Partial:
    """``part`` with the ``mode`` strata (``live``, ``deferred``) rolled up.

    Strata of one dimension partition the records, so the aggregates of a
    coarser partition are sums of the finer one's: a mode's counts, wait
    histogram and backlog are the sums over its channels (the longest wait:
    their maximum), plus, for the mode of the queues' own arrivals, ``all``
    minus every channel. Exact for counts; no pass over the records.
    """
    n = len(strata.names.get("mode", []))
    ch = strata.mode_of_channel
    out = {}
    for name in ("counts", "hist", "backlog"):
        src = getattr(part, name)
        rows = np.zeros((n, *src["all"].shape[1:]))
        for m in range(n):
            rows[m] = src["channel"][ch == m].sum(axis=0)
        if n and strata.textbook_mode >= 0:
            rows[strata.textbook_mode] += src["all"][0] - src["channel"].sum(axis=0)
        out[name] = rows
    longest = np.array([part.wait_max["channel"][ch == m].max(initial=0.0) for m in range(n)])
    if n and strata.textbook_mode >= 0:  # the longest wait of all bounds the textbook ones
        longest[strata.textbook_mode] = part.wait_max["all"][0]
    out["wait_max"] = longest
    return replace(part, **{name: getattr(part, name) | {"mode": v} for name, v in out.items()})


def time_in_intervals(starts: np.ndarray, stops: np.ndarray, win: Window) -> np.ndarray:
    """Exact time covered by segments ``[start, stop]`` in each interval, then in the window.

    O(n), without masks: the time a segment covers in interval j is
    ``G_j(stop) - G_j(start)``, where ``G_j(x) = clip(x - edge_j, 0, length_j)``,
    and the sum of ``G_j`` over many points needs only, per interval, how many
    points fall in it, how many fall beyond it, and the sum of those inside.
    """
    s = np.clip(starts, 0.0, win.horizon)
    e = np.maximum(np.clip(stops, 0.0, win.horizon), s)
    return np.append(
        _covered(e, win) - _covered(s, win),
        np.clip(np.minimum(e, win.horizon) - np.maximum(s, win.warmup), 0.0, None).sum(),
    )


def _covered(x: np.ndarray, win: Window) -> np.ndarray:
    """``sum_k G_j(x_k)`` for each interval j (see :func:`time_in_intervals`).

    On a part of the run (``win.first > 0``) a point before its first edge
    adds nothing to any of its G_j and one past its last edge adds each
    interval's length: clipping the points to the part's edges is exact.
    """
    n, edges = win.n_intervals, win.edges
    if win.first or win.count:
        x = np.clip(x, edges[0], edges[-1])
    # x >= 0, so truncation is floor; a point on an edge may land on either
    # side (x * (1 / L) is rounded), which leaves the sums exact: G is
    # continuous. Three times faster than x // L.
    i = np.clip((x * (1.0 / win.interval)).astype(np.int64) - win.first, 0, n - 1)
    count = np.bincount(i, minlength=n)
    beyond = len(x) - np.cumsum(count)
    inside = np.bincount(i, weights=x, minlength=n) - edges[:-1] * count
    return beyond * np.diff(edges) + inside


def group_time(segments: list[tuple[int, float, float]], n_groups: int, win: Window) -> np.ndarray:
    """Agent-minutes per group, interval and window of ``(group, from, to)`` segments.

    The workforce logs when each agent was on shift (and in overtime); this
    is how much of that time falls in each reporting interval.
    """
    log = np.array(segments, dtype=float).reshape(-1, 3)  # an empty log has no rows
    out = np.zeros((n_groups, win.n_intervals + 1))
    for g in range(n_groups):
        seg = log[log[:, 0] == g]
        out[g] = time_in_intervals(seg[:, 1], seg[:, 2], win)
    return out


def percentile(hist: np.ndarray, p: float, longest: float = math.nan) -> float:
    """The p-th percentile (0-100) of waits from a histogram row.

    Within a bin the waits are taken as spread evenly; in the last, open bin
    (waits beyond the histogram's range) up to ``longest``, the largest wait
    seen, so a percentile is never clipped at the range's end.
    """
    total = hist.sum()
    if total == 0:
        return float("nan")
    target = p / 100.0 * total
    cum = np.cumsum(hist)
    k = int(np.searchsorted(cum, target, side="left"))
    if k == 0:
        return 0.0
    lo = HIST_EDGES[k - 1]
    hi = HIST_EDGES[k] if k < len(HIST_EDGES) else max(longest, lo)
    frac = (target - cum[k - 1]) / hist[k]
    return float(lo + frac * (hi - lo))


def period_slots(edges: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The period of each interval (by where it starts) and the first interval of each period."""
    which = np.searchsorted(bounds, edges[:-1], side="right") - 1
    return which, np.flatnonzero(np.r_[True, which[1:] != which[:-1]])


def fixed_periods(horizon: float, period: float) -> tuple[np.ndarray, np.ndarray]:
    """Periods of ``period`` minutes from 0 over ``horizon``, labelled 1, 2, ..."""
    bounds = np.arange(0.0, horizon, period)
    return bounds, np.arange(1, len(bounds) + 1)
