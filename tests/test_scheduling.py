"""Shift scheduling helpers: requirements, covering, weekly patterns."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim import analytic
from sim.config import BreakConfig
from sim.workforce.scheduling import cover, desk_share, presence, requirement, weekly_shifts

SLOT = 60.0


def test_requirement_is_erlang_staffing_inflated_for_absence():
    rates = [0.0, 1.0, 3.0]
    need = requirement(rates, 6.0, 1 / 3, 0.8, None, absence=0.1)
    exact = [0] + [analytic.staff_for_service_level(r, 6.0, 1 / 3, 0.8) for r in rates[1:]]
    assert list(need) == [int(np.ceil(n / 0.9)) for n in exact]
    with pytest.raises(ValueError, match="absence"):
        requirement(rates, 6.0, 1 / 3, 0.8, absence=1.0)


def test_desk_share_takes_breaks_out_in_proportion():
    breaks = [BreakConfig(120, 15)]
    assert desk_share(420, 480, breaks, 420, 480) == 1.0
    assert desk_share(420, 480, breaks, 540, 600) == pytest.approx(0.75)
    assert desk_share(420, 480, breaks, 870, 930) == pytest.approx(0.5)  # shift ends at 900
    assert desk_share(420, 480, breaks, 900, 960) == 0.0


@pytest.mark.parametrize("seed", range(20))
def test_cover_meets_every_slot(seed):
    rng = np.random.default_rng(seed)
    need = np.zeros(24, int)
    need[7:23] = rng.integers(0, 30, 16)
    breaks = [BreakConfig(120, 15), BreakConfig(330, 15)]
    starts = np.arange(420, 1380 - 480 + 1, 60)
    counts = cover(need, SLOT, starts, 480, breaks)
    assert np.all(presence(counts, SLOT, 24, 480, breaks) >= need - 1e-9)


def brute_force(need, starts, length):
    best = None
    for combo in itertools.product(range(max(need) + 1), repeat=len(starts)):
        counts = dict(zip(starts, combo, strict=True))
        if np.all(presence(counts, SLOT, len(need), length, []) >= need):
            total = sum(combo)
            best = total if best is None else min(best, total)
    return best


@pytest.mark.parametrize("seed", range(8))
def test_cover_without_breaks_is_optimal(seed):
    rng = np.random.default_rng(100 + seed)
    need = np.zeros(10, int)
    need[1:9] = rng.integers(0, 4, 8)
    starts = [60.0, 120.0, 180.0, 240.0, 300.0]
    counts = cover(need, SLOT, starts, 240.0)
    assert sum(counts.values()) == brute_force(need, starts, 240.0)


def test_cover_refuses_a_slot_no_shift_can_reach():
    with pytest.raises(ValueError, match="slot 9"):
        cover([0] * 9 + [3], SLOT, [0.0], 480.0)


def test_weekly_patterns_give_every_day_its_agents():
    breaks = [BreakConfig(120, 15)]
    shifts = weekly_shifts({420.0: 11, 900.0: 3}, 480.0, breaks, days_on=5, stagger=15)
    assert len(shifts) == 14
    for start, n in ((420.0, 11), (900.0, 3)):
        mine = [s for s in shifts if s.start == start]
        for day in range(7):
            assert sum(s.count for s in mine if day in s.days) >= n
        assert all(len(s.days) == 5 and s.end == start + 480 for s in mine)
        assert sorted(s.breaks[0].after for s in mine) == [75, 90, 105, 120, 135, 150, 165]
    with pytest.raises(ValueError, match="days_on"):
        weekly_shifts({420.0: 1}, 480.0, [], days_on=8)
