"""KPIs as pure functions of the contact records.

``reduce_chunk`` turns a chunk of records into additive aggregates (a
:class:`Partial`): counts and sums per (queue, arrival interval), exact time
integrals of queue length and busy agents per interval, and a fine wait
histogram. Partials of chunks add up (``merge``), so the same code serves a
run that keeps every record and one that keeps only aggregates.

Definitions (window = arrivals in [warmup, horizon); time integrals are
clipped to [warmup, horizon]):

- ``offered``: arrivals; ``admitted`` = offered - blocked.
- ``p_block`` = blocked / offered; ``p_abandon`` = abandoned / admitted.
- ``p_wait`` = admitted contacts that had to queue / admitted.
- ``service_level`` = answered within the queue's threshold / admitted.
- ``mean_wait``: over admitted contacts whose wait is known (an abandoned
  contact waited until it left); ``asa``: mean wait of answered contacts.
- ``wait_p50/p90/p95``: percentiles of those waits, from a histogram with
  bins 1.2 % wide (linear interpolation inside a bin).
- ``mean_queue``, ``mean_busy``: time averages; ``occupancy`` = busy agent
  time / staffed agent time.

Not counted: contacts still open at the end have no known wait (censored);
with ``drain`` on (the default) there are none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from sim.entities import ABANDONED, BLOCKED, OPEN, SERVED
from sim.metrics import Columns

FIELDS = (
    "offered",
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
)
F = {name: i for i, name in enumerate(FIELDS)}
HIST_EDGES = np.concatenate(([0.0], np.geomspace(1e-4, 1e5, 1801)))
PERCENTILES = (50, 90, 95)


@dataclass(frozen=True)
class Window:
    """Where the statistics look: run length, warm-up and reporting interval."""

    horizon: float
    warmup: float
    interval: float
    thresholds: tuple[float, ...]
    n_groups: int

    @property
    def n_intervals(self) -> int:
        """Number of reporting intervals covering [0, horizon)."""
        return max(1, math.ceil(self.horizon / self.interval - 1e-9))

    @property
    def edges(self) -> np.ndarray:
        """Interval boundaries, the last one clipped to the horizon."""
        return np.minimum(np.arange(self.n_intervals + 1) * self.interval, self.horizon)

    @property
    def length(self) -> float:
        """Length of the statistics window."""
        return self.horizon - self.warmup


@dataclass
class Partial:
    """Additive aggregates; the last interval slot holds the window total."""

    counts: np.ndarray  # (queues, intervals + 1, FIELDS)
    queue_time: np.ndarray  # (queues, intervals + 1)
    busy_time: np.ndarray  # (groups, intervals + 1)
    group_counts: np.ndarray  # (groups, intervals + 1, 2): served, handle_sum
    hist: np.ndarray  # (queues, bins + 1); slot 0 counts waits of exactly 0


def empty_partial(win: Window) -> Partial:
    """Aggregates of no contacts."""
    nq, ni, ng = len(win.thresholds), win.n_intervals + 1, win.n_groups
    return Partial(
        np.zeros((nq, ni, len(FIELDS))),
        np.zeros((nq, ni)),
        np.zeros((ng, ni)),
        np.zeros((ng, ni, 2)),
        np.zeros((nq, len(HIST_EDGES))),
    )


def merge(a: Partial, b: Partial) -> Partial:
    """Sum of two partials."""
    return Partial(*(getattr(a, f.name) + getattr(b, f.name) for f in fields(Partial)))


def time_in_intervals(starts: np.ndarray, stops: np.ndarray, win: Window) -> np.ndarray:
    """Exact time covered by segments ``[start, stop]`` in each interval, then in the window.

    O(n): a segment inside one interval adds its length there; a longer one
    adds its two partial ends and whole intervals in between (difference array).
    """
    n, edges = win.n_intervals, win.edges
    s = np.clip(starts, 0.0, win.horizon)
    e = np.clip(stops, 0.0, win.horizon)
    keep = e > s
    s, e = s[keep], e[keep]
    i_s = np.minimum((s // win.interval).astype(np.int64), n - 1)
    i_e = np.minimum((e // win.interval).astype(np.int64), n - 1)
    same = i_s == i_e
    out = np.zeros(n)  # (bincount of nothing would be an int array)
    out += np.bincount(i_s[same], weights=(e - s)[same], minlength=n)
    d = ~same
    out += np.bincount(i_s[d], weights=edges[i_s[d] + 1] - s[d], minlength=n)
    out += np.bincount(i_e[d], weights=e[d] - edges[i_e[d]], minlength=n)
    between = np.cumsum(
        np.bincount(i_s[d] + 1, minlength=n + 1) - np.bincount(i_e[d], minlength=n + 1)
    )
    out += between[:n] * np.diff(edges)
    window = np.clip(np.minimum(e, win.horizon) - np.maximum(s, win.warmup), 0.0, None).sum()
    return np.append(out, window)


def _waits(cols: Columns) -> tuple[np.ndarray, np.ndarray]:
    """Wait of each contact (NaN when unknown) and whether it was answered."""
    answered = ~np.isnan(cols["t_answer"])
    abandoned = cols["outcome"] == ABANDONED
    wait = np.where(answered, cols["t_answer"] - cols["t_queue"], np.nan)
    wait = np.where(abandoned, cols["t_end"] - cols["t_queue"], wait)
    return wait, answered


def _field_values(cols: Columns, thresholds: np.ndarray) -> list[np.ndarray]:
    """Per-contact contributions to each of FIELDS (one array per field)."""
    out = cols["outcome"]
    wait, answered = _waits(cols)
    known = ~np.isnan(wait)
    admitted = out != BLOCKED
    in_sl = answered & (wait <= thresholds[cols["queue"].astype(int)])
    handle = np.where(out == SERVED, cols["t_end"] - cols["t_answer"], 0.0)
    values = [
        np.ones(len(out)),
        out == BLOCKED,
        out == ABANDONED,
        out == SERVED,
        answered,
        in_sl,
        admitted & ~(answered & (wait <= 0)),
        out == OPEN,
        known,
        np.where(known, wait, 0.0),
        np.where(answered, wait, 0.0),
        handle,
    ]
    return values


def _slots(cols: Columns, win: Window) -> tuple[np.ndarray, np.ndarray]:
    """Arrival interval of each contact and whether it is in the window."""
    idx = np.minimum((cols["t_arrival"] // win.interval).astype(int), win.n_intervals - 1)
    return idx, cols["t_arrival"] >= win.warmup


def _add_by_slot(target: np.ndarray, key: np.ndarray, idx: np.ndarray, w, values) -> None:
    """Add each ``values[f]`` into ``target[key, idx, f]``, window rows also into the last slot."""
    rows, slots = target.shape[:2]
    flat = key * slots + idx
    flat_w = key[w] * slots + (slots - 1)
    for f, v in enumerate(values):
        weights = np.asarray(v, dtype=float)
        sums = np.bincount(flat, weights=weights, minlength=rows * slots)
        sums += np.bincount(flat_w, weights=weights[w], minlength=rows * slots)
        target[:, :, f] += sums.reshape(rows, slots)


def reduce_chunk(cols: Columns, win: Window, end: float) -> Partial:
    """Aggregates of one chunk of records; ``end`` closes segments still open."""
    part = empty_partial(win)
    if len(cols["outcome"]) == 0:
        return part
    q = cols["queue"].astype(int)
    idx, w = _slots(cols, win)
    _add_by_slot(part.counts, q, idx, w, _field_values(cols, np.asarray(win.thresholds)))
    _add_times(part, cols, win, end)
    _add_groups(part, cols, idx, w)
    wait, _ = _waits(cols)
    keep = w & ~np.isnan(wait)
    bins = part.hist.shape[1]
    flat = q[keep] * bins + _hist_bins(wait[keep])
    part.hist += np.bincount(flat, minlength=part.hist.size).reshape(part.hist.shape)
    return part


def _add_times(part: Partial, cols: Columns, win: Window, end: float) -> None:
    out = cols["outcome"]
    answer = cols["t_answer"]
    stop = np.where(np.isnan(cols["t_end"]), end, cols["t_end"])
    left_queue = np.where(np.isnan(answer), stop, answer)
    admitted = out != BLOCKED
    served = ~np.isnan(answer)
    for q in range(part.queue_time.shape[0]):
        m = admitted & (cols["queue"] == q)
        part.queue_time[q] += time_in_intervals(cols["t_queue"][m], left_queue[m], win)
    for g in range(part.busy_time.shape[0]):
        m = served & (cols["group"] == g)
        part.busy_time[g] += time_in_intervals(answer[m], stop[m], win)


def _add_groups(part: Partial, cols: Columns, idx: np.ndarray, w: np.ndarray) -> None:
    served = cols["outcome"] == SERVED
    handle = cols["t_end"][served] - cols["t_answer"][served]
    group = cols["group"][served].astype(int)
    _add_by_slot(part.group_counts, group, idx[served], w[served], [np.ones(len(handle)), handle])


def _hist_bins(wait: np.ndarray) -> np.ndarray:
    """Histogram slot of each wait: 0 for exactly zero, else 1 + geometric bin."""
    b = np.searchsorted(HIST_EDGES, wait, side="right")
    return np.where(wait <= 0, 0, np.minimum(b, len(HIST_EDGES) - 1))


def percentile(hist: np.ndarray, p: float) -> float:
    """The p-th percentile (0-100) of waits from a histogram row."""
    total = hist.sum()
    if total == 0:
        return float("nan")
    target = p / 100.0 * total
    cum = np.cumsum(hist)
    k = int(np.searchsorted(cum, target, side="left"))
    if k == 0:
        return 0.0
    lo, hi = HIST_EDGES[k - 1], HIST_EDGES[min(k, len(HIST_EDGES) - 1)]
    frac = (target - cum[k - 1]) / hist[k]
    return float(lo + frac * (hi - lo))


def _ratio(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.divide(a, b, out=np.full(np.broadcast(a, b).shape, np.nan), where=b > 0)


def queue_metrics(c: np.ndarray, queue_time: np.ndarray, length: float) -> dict[str, np.ndarray]:
    """KPIs from FIELDS sums ``c`` (last axis) and queue time, over a period of ``length``."""
    admitted = c[..., F["offered"]] - c[..., F["blocked"]]
    return {
        "offered": c[..., F["offered"]],
        "arrival_rate": _ratio(c[..., F["offered"]], length),
        "served": c[..., F["served"]],
        "abandoned": c[..., F["abandoned"]],
        "blocked": c[..., F["blocked"]],
        "open": c[..., F["open"]],
        "p_block": _ratio(c[..., F["blocked"]], c[..., F["offered"]]),
        "p_abandon": _ratio(c[..., F["abandoned"]], admitted),
        "p_wait": _ratio(c[..., F["waited"]], admitted),
        "service_level": _ratio(c[..., F["answered_in_sl"]], admitted),
        "mean_wait": _ratio(c[..., F["wait_sum"]], c[..., F["wait_known"]]),
        "asa": _ratio(c[..., F["answer_wait_sum"]], c[..., F["answered"]]),
        "aht": _ratio(c[..., F["handle_sum"]], c[..., F["served"]]),
        "mean_queue": _ratio(queue_time, length),
    }


def agent_metrics(busy: np.ndarray, staffed: np.ndarray, gc: np.ndarray, length) -> dict:
    """Agent KPIs from busy time, staffed time and (served, handle_sum) counts."""
    return {
        "served": gc[..., 0],
        "aht": _ratio(gc[..., 1], gc[..., 0]),
        "mean_busy": _ratio(busy, length),
        "mean_staffed": _ratio(staffed, length),
        "occupancy": _ratio(busy, staffed),
    }
