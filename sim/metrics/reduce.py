"""Reduce a chunk of contact records to additive aggregates (a :class:`Partial`).

:func:`reduce_span` reduces a chunk into the intervals it covers only (a part of the
run's window, :func:`sim.metrics.aggregates.span`), so its cost and temporaries depend
on the chunk and the days it spans, not on the horizon; :func:`reduce_chunk` on the
whole window gives the same aggregates (``tests/test_long_runs.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.core.entities import (
    ABANDONED,
    BALKED,
    BLOCKED,
    GAVE_UP,
    OPEN,
    SELF_SERVED,
    SERVED,
    SWITCHED,
    TRANSFERRED,
    callback_bits,
    unpack_info,
)
from sim.metrics.aggregates import (
    DIMENSIONS,
    FIELDS,
    HIST_EDGES,
    HIST_SLOTS,
    Partial,
    Strata,
    Window,
    empty_partial,
    span,
    time_in_intervals,
)
from sim.metrics.records import Columns

CLOSING = (SERVED, SELF_SERVED, GAVE_UP, ABANDONED, BLOCKED, BALKED)  # end an issue (for now)


def waits(cols: Columns) -> tuple[np.ndarray, np.ndarray]:
    """Wait of each leg (NaN when unknown) and whether it was answered."""
    answered = ~np.isnan(cols["t_answer"])
    abandoned = cols["outcome"] == ABANDONED
    wait = np.where(answered, cols["t_answer"] - cols["t_queue"], np.nan)
    wait = np.where(abandoned, cols["t_end"] - cols["t_queue"], wait)
    return wait, answered


def queued(cols: Columns) -> np.ndarray:
    """Legs that entered a queue (not blocked, not balked)."""
    out = cols["outcome"]
    return (cols["queue"] >= 0) & (out != BLOCKED) & (out != BALKED)


def _front(cols: Columns, queued: np.ndarray) -> np.ndarray:
    """Time before the queue (IVR, self-service): to queue entry, or to the end if never queued."""
    until = np.where(queued, cols["t_queue"], cols["t_end"])
    return np.nan_to_num(until - cols["t_arrival"])


def arrival_slots(t: np.ndarray, win: Window) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrival interval of each time, whether it is in the window, and before the horizon.

    Only arrivals before the horizon are counted (the stated protocol): repeats and
    callbacks that arrive while the run drains are served, so their waits load the
    queue, but they are no interval's offered contacts.
    """
    idx = np.clip((t // win.interval).astype(np.int64) - win.first, 0, win.n_intervals - 1)
    inside = t < win.horizon
    return idx, inside & (t >= win.warmup), inside


def add_by_slot(
    target: np.ndarray,
    key: np.ndarray,
    idx: np.ndarray,
    w: np.ndarray,
    values: list[np.ndarray | None],
) -> None:
    """Add each ``values[f]`` into ``target[key, idx, f]``, window rows also into the last slot.

    Rows whose key is negative (not in any stratum of this dimension) are
    skipped: they go to one extra cell, dropped (cheaper than copying every
    field without them; a cell's sum adds its rows in the same order either
    way); ``None`` marks a field known to be zero in every row. One bincount
    per field over (key, interval, in-window) cells.
    """
    rows, slots = target.shape[:2]
    n = slots - 1
    size = rows * n * 2
    cell = (key * n + idx) * 2 + w
    if not (key >= 0).all():
        cell = np.where(key >= 0, cell, size)
    for f, v in enumerate(values):
        if v is None:
            continue
        sums = np.bincount(cell, weights=v, minlength=size + 1)[:size].reshape(rows, n, 2)
        target[:, :n, f] += sums.sum(axis=2)
        target[:, n, f] += sums[:, :, 1].sum(axis=1)


@dataclass
class Derived:
    """Per-record quantities every aggregate needs, computed once per chunk."""

    idx: np.ndarray  # arrival interval
    w: np.ndarray  # arrival in the window
    inside: np.ndarray  # arrival before the horizon (only these are counted)
    wait: np.ndarray
    queued: np.ndarray
    stop: np.ndarray  # end of service (run end if open)
    left: np.ndarray  # left the queue (answer, abandonment or run end)
    i_in: np.ndarray  # interval of queue entry (queued rows; n = after the horizon)
    i_out: np.ndarray  # interval of queue exit (queued rows)
    hist: np.ndarray  # histogram slot (-1: not counted)


def derive(cols: Columns, win: Window, end: float) -> Derived:
    """Compute the per-record quantities of a chunk."""
    idx, w, inside = arrival_slots(cols["t_arrival"], win)
    wait, answered = waits(cols)
    inq = queued(cols)
    stop = np.where(np.isnan(cols["t_end"]), end, cols["t_end"])
    left = np.where(answered, cols["t_answer"], stop)
    n, lo = win.n_intervals, win.first
    i_in = np.clip(cols["t_queue"][inq] // win.interval - lo, 0, n).astype(np.int64)
    i_out = np.clip(left[inq] // win.interval - lo, 0, n).astype(np.int64)
    keep = w & ~np.isnan(wait) & inq & (callback_bits(cols["info"])[1] == 0)  # live waits
    hist = np.where(keep, hist_slots(np.where(keep, wait, 0.0)), -1)
    return Derived(idx, w, inside, wait, inq, stop, left, i_in, i_out, hist)


def field_values(cols: Columns, threshold: np.ndarray, d: Derived) -> list[np.ndarray]:
    """Per-record contributions to each of FIELDS (one array per field, in order)."""
    out = cols["outcome"]
    leg, attempt, frustration, tried, overflowed, resolved = unpack_info(
        cols["info"].astype(np.int64)
    )
    wait, inq = d.wait, d.queued
    offered_cb, took_cb = callback_bits(cols["info"])
    callback = took_cb == 1
    live = ~callback  # callers on the line: the wait KPIs are theirs
    called_back = ~np.isnan(cols["t_answer"]) & callback
    answered = ~np.isnan(cols["t_answer"]) & live
    known = ~np.isnan(wait) & live
    first = leg == 0
    closing = np.isin(out, CLOSING)
    values = {
        "offered": first,
        "queued": inq,
        "blocked": out == BLOCKED,
        "abandoned": out == ABANDONED,
        "served": out == SERVED,
        "answered": answered,
        "answered_in_sl": answered & (wait <= threshold[cols["kind"].astype(np.int64)]),
        "waited": inq & live & ~(answered & (wait <= 0)),
        "open": out == OPEN,
        "wait_known": known,
        "wait_sum": np.where(known, wait, 0.0),
        "answer_wait_sum": np.where(answered, wait, 0.0),
        "handle_sum": np.where(out == SERVED, cols["t_end"] - cols["t_answer"], 0.0),
        "self_served": out == SELF_SERVED,
        "switched": out == SWITCHED,
        "gave_up": out == GAVE_UP,
        "transferred": out == TRANSFERRED,
        "escalated": first & (tried == 1) & inq,
        "issues_closed": closing,
        "attempts_sum": np.where(closing, attempt + 1, 0),
        "frustration_sum": np.where(closing, frustration, 0),
        "overflowed": overflowed == 1,
        "tried_self_service": first & (tried == 1),
        "front_minutes": np.where(first, _front(cols, inq), 0.0),
        "line_minutes": np.nan_to_num(
            cols["t_end"] - np.where(first, cols["t_arrival"], cols["t_queue"])
        ),
        "resolved": resolved == 1,
        "callback_offered": inq & (offered_cb == 1),
        "callbacks": inq & callback,
        "callback_answered": called_back,
        "callback_wait_sum": np.where(called_back, wait, 0.0),
        "balked": out == BALKED,
    }
    return [values[f] for f in FIELDS]


def _add_times(part: Partial, cols: Columns, d: Derived, win: Window) -> None:
    answer = cols["t_answer"]
    for q in range(part.queue_time.shape[0]):
        m = d.queued & (cols["queue"] == q)
        part.queue_time[q] += time_in_intervals(cols["t_queue"][m], d.left[m], win)
    busy = ~np.isnan(answer)
    for g in range(part.busy_time.shape[0]):
        m = busy & (cols["group"] == g)
        part.busy_time[g] += time_in_intervals(answer[m], d.stop[m], win)


def _add_backlog(target: np.ndarray, key: np.ndarray, cols: Columns, d: Derived) -> None:
    """Net change per interval of (contacts waiting, sum of their queue-entry times)."""
    n = target.shape[1]
    k = key[d.queued]
    ok = k >= 0
    k, i_in, i_out = k[ok], d.i_in[ok], d.i_out[ok]
    t_in, t_out = cols["t_queue"][d.queued][ok], d.left[d.queued][ok]
    size = target.shape[0] * (n + 1)
    for j, (w_in, w_out) in enumerate(((None, None), (t_in, t_out))):
        net = np.bincount(k * (n + 1) + i_in, weights=w_in, minlength=size)
        net = net - np.bincount(k * (n + 1) + i_out, weights=w_out, minlength=size)
        target[:, :, j] += net.reshape(-1, n + 1)[:, :n]


_LOG_LOW = math.log10(HIST_EDGES[1])
_LOG_STEP = (math.log10(HIST_EDGES[-1]) - _LOG_LOW) / (len(HIST_EDGES) - 2)


def hist_slots(wait: np.ndarray) -> np.ndarray:
    """Histogram slot of each wait: 0 for exactly zero, else 1 + geometric bin.

    Slot k >= 1 holds [HIST_EDGES[k-1], HIST_EDGES[k]); the bins are
    geometric, so the slot is found with a logarithm instead of a search.
    Waits from the last edge on go to the open slot ``len(HIST_EDGES)``.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        b = np.floor((np.log10(wait) - _LOG_LOW) / _LOG_STEP).astype(np.int64) + 2
    b = np.where(wait >= HIST_EDGES[-1], HIST_SLOTS - 1, np.clip(b, 1, HIST_SLOTS - 2))
    return np.where(wait <= 0, 0, b)


def _add_hist(
    target: np.ndarray, longest: np.ndarray, key: np.ndarray, slots: np.ndarray, wait: np.ndarray
) -> None:
    m = (slots >= 0) & (key >= 0)
    flat = key[m] * target.shape[1] + slots[m]
    target += np.bincount(flat, minlength=target.size).reshape(target.shape)
    if m.any():
        np.maximum.at(longest, key[m], wait[m])


def reduce_chunk(cols: Columns, win: Window, strata: Strata, end: float) -> Partial:
    """Aggregates of one chunk of records; ``end`` closes segments still open."""
    part = empty_partial(win, strata)
    if len(cols["outcome"]) == 0:
        return part
    d = derive(cols, win, end)
    # fields zero in every row add nothing (e.g. self-service in a textbook model)
    values = [v if np.any(v) else None for v in field_values(cols, strata.threshold, d)]
    for dim in DIMENSIONS:
        if strata.size(dim) == 0:
            continue
        key = np.where(d.inside, strata.codes(dim, cols), -1)
        if dim != "all" and not (key >= 0).any():
            continue
        if dim != "all" and strata.size(dim) == 1 and (key == 0).all():  # same rows as "all"
            for target in (part.counts, part.hist, part.backlog, part.wait_max):
                target[dim] += target["all"]
            continue
        add_by_slot(part.counts[dim], key, d.idx, d.w, values)
        _add_hist(part.hist[dim], part.wait_max[dim], key, d.hist, d.wait)
        _add_backlog(part.backlog[dim], key, cols, d)
    _add_times(part, cols, d, win)
    return part


def chunk_span(cols: Columns, win: Window, end: float) -> Window:
    """The part of ``win`` a chunk touches: from its first arrival to its last instant.

    Every instant of a record (queue entry, answer, end; ``end`` for a leg
    still open) comes at or after its arrival, so the part holds them all.
    """
    times = [cols[k] for k in ("t_arrival", "t_queue", "t_answer", "t_end")]
    with np.errstate(invalid="ignore"):
        high = max(float(np.nanmax(t, initial=-np.inf)) for t in times)
    if np.isnan(cols["t_end"]).any():
        high = max(high, end)
    return span(win, float(np.nanmin(cols["t_arrival"])), high)


def reduce_span(cols: Columns, win: Window, strata: Strata, end: float) -> tuple[Partial, Window]:
    """Aggregates of one chunk over the intervals it touches, and that part of ``win``.

    Add them into the run's aggregates with :func:`sim.metrics.aggregates.add_into`.
    """
    if len(cols["outcome"]) == 0:
        part_win = span(win, 0.0, 0.0)
        return empty_partial(part_win, strata), part_win
    part_win = chunk_span(cols, win, end)
    return reduce_chunk(cols, part_win, strata, end), part_win
