"""Shift scheduling: agents per shift start to meet a per-slot requirement.

Modelled: one day of equal-length slots whose requirement (agents at the
desk) repeats every day; shifts of one length with fixed breaks, allowed to
start at a given set of times; and weekly patterns of consecutive working
days, one per weekday, so that every day sees the same number of agents per
start. Requirements come from Erlang C or A per slot (stationary
approximation: each slot alone at its own rate), inflated for absence.

Presence in a slot is the mean number of agents at the desk (breaks taken
out in proportion to the minutes they overlap the slot, as if staggered). The
covering is greedy: walking the slots left to right, any shortfall is filled
by agents of the latest start whose shift covers the slot. For shifts of
equal length without breaks this is the classic optimal rule for covering
with intervals; with breaks it is a heuristic (it may overstaff a little).

Not modelled: split shifts, part-time contracts of several lengths, breaks
placed by an optimiser, overnight requirements (a slot's requirement is met
only by shifts starting that day).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim import analytic
from sim.config import BreakConfig, ShiftConfig


def requirement(
    rates: Sequence[float],
    mean_service: float,
    sl_threshold: float,
    target: float,
    mean_patience: float | None = None,
    absence: float = 0.0,
) -> np.ndarray:
    """Agents needed at the desk per slot (Erlang C/A), divided by ``1 - absence``.

    ``rates`` are arrivals per minute in each slot; a slot without arrivals
    needs nobody.
    """
    if not 0 <= absence < 1:
        raise ValueError(f"absence must be in [0, 1), got {absence}")
    need = [
        analytic.staff_for_service_level(r, mean_service, sl_threshold, target, mean_patience)
        if r > 0
        else 0
        for r in rates
    ]
    return np.ceil(np.asarray(need, float) / (1 - absence)).astype(int)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def desk_share(
    start: float, length: float, breaks: Sequence[BreakConfig], t0: float, t1: float
) -> float:
    """Share of the slot ``[t0, t1)`` an agent of a shift starting at ``start`` is at the desk."""
    on = _overlap(start, start + length, t0, t1)
    off = sum(_overlap(start + b.after, start + b.after + b.length, t0, t1) for b in breaks)
    return (on - off) / (t1 - t0)


def presence(
    counts: dict[float, int],
    slot: float,
    n_slots: int,
    length: float,
    breaks: Sequence[BreakConfig],
) -> np.ndarray:
    """Mean agents at the desk in each slot (agent-minutes at the desk / slot length)."""
    return np.array(
        [
            sum(
                n * desk_share(s, length, breaks, i * slot, (i + 1) * slot)
                for s, n in counts.items()
            )
            for i in range(n_slots)
        ]
    )


def cover(
    required: Sequence[int],
    slot: float,
    starts: Sequence[float],
    length: float,
    breaks: Sequence[BreakConfig] = (),
) -> dict[float, int]:
    """Agents per start time so that mean presence meets ``required`` in every slot.

    Raises ValueError when some slot with a requirement is covered by no
    allowed start.
    """
    counts = {float(s): 0 for s in sorted(starts)}
    for i, need in enumerate(required):
        t0, t1 = i * slot, (i + 1) * slot
        short = need - presence(counts, slot, len(required), length, breaks)[i]
        if short <= 1e-9:
            continue
        usable = [s for s in counts if desk_share(s, length, breaks, t0, t1) > 0]
        if not usable:
            raise ValueError(
                f"slot {i} ({t0:g}-{t1:g} min) needs {need} agents "
                f"but no allowed start covers it with a {length:g}-min shift"
            )
        share = desk_share(usable[-1], length, breaks, t0, t1)
        counts[usable[-1]] += math.ceil(short / share - 1e-9)
    return {s: n for s, n in counts.items() if n > 0}


def weekly_shifts(
    counts: dict[float, int],
    length: float,
    breaks: Sequence[BreakConfig],
    days_on: int,
    stagger: float = 0.0,
) -> list[ShiftConfig]:
    """Shifts for every start: 7 patterns of ``days_on`` consecutive days.

    Pattern k works weekdays k, k+1, ..., k+days_on-1 (mod 7); each pattern
    gets ``ceil(n / days_on)`` agents, so every day has at least ``n``. Its
    breaks move by ``(k - 3) x stagger`` minutes, so that crews do not all
    leave the desk at once.
    """
    if not 1 <= days_on <= 7:
        raise ValueError(f"days_on must be in 1..7, got {days_on}")
    shifts = []
    for start, n in counts.items():
        per_pattern = math.ceil(n / days_on)
        for k in range(7):
            days = sorted((k + j) % 7 for j in range(days_on))
            shifts.append(
                ShiftConfig(
                    start=start,
                    end=start + length,
                    count=per_pattern,
                    days=days,
                    breaks=[BreakConfig(b.after + (k - 3) * stagger, b.length) for b in breaks],
                )
            )
    return shifts
