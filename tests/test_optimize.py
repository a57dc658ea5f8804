"""Staffing optimizer: tables as shifts, local minimality, validation on new seeds."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim import analytic
from sim.config import AgentGroupConfig, ArrivalConfig
from sim.config.workforce import group_size
from sim.study.optimize import (
    Targets,
    erlang_table,
    interval_rates,
    measure,
    misses,
    optimize,
    validate,
    with_staffing,
)
from tests.conftest import make_config, queue

TARGETS = Targets(service_level=0.8, threshold=1 / 3, max_abandon=0.05)


def day(profile=(1.0, 2.0, 3.0, 2.0, 1.0, 0.5), reps=12):
    q = queue(1.0, 3.0, patience=2.0, sl_threshold=1 / 3)
    q.arrival = ArrivalConfig(rate=2.0, profile=list(profile), profile_interval=60.0)
    return make_config(
        {"calls": q},
        {"agents": AgentGroupConfig(count=5)},
        horizon=60.0 * len(profile),
        interval=60.0,
        replications=reps,
        keep_records=False,
    )


def test_a_table_becomes_layered_shifts_with_the_right_headcount():
    cfg = day()
    staff = np.array([3, 5, 8, 5, 0, 2])
    run = with_staffing(cfg, staff)
    shifts = run.agents["agents"].shifts
    assert group_size(run.agents["agents"]) == len(shifts)
    mids = np.arange(6) * 60.0 + 30
    present = [sum(s.count for s in shifts if s.start <= t < s.end) for t in mids]
    assert present == staff.tolist()


def test_interval_rates_and_erlang_start():
    cfg = day()
    assert interval_rates(cfg) == pytest.approx([2, 4, 6, 4, 2, 1])
    a, c = erlang_table(cfg, TARGETS), erlang_table(cfg, TARGETS, patience=False)
    assert a[2] == analytic.staff_for_service_level(6.0, 3.0, 1 / 3, 0.8, 2.0, 0.05)
    assert c[2] == analytic.staff_for_service_level(6.0, 3.0, 1 / 3, 0.8)


def test_the_optimized_table_meets_the_targets_and_every_interval_is_needed():
    cfg = day()
    search = optimize(cfg, TARGETS)
    assert not misses(search.measured, TARGETS).any()
    assert search.staff.sum() <= search.erlang_c.sum()
    for i in np.flatnonzero(search.staff > 0):
        fewer = search.staff.copy()
        fewer[i] -= 1
        assert misses(measure(cfg, fewer), TARGETS).any(), f"interval {i} not needed"


def test_the_optimized_table_holds_on_new_random_numbers():
    cfg = day()
    search = optimize(cfg, TARGETS)
    check = validate(cfg, search.staff, TARGETS, seed=cfg.seed + 1000)
    assert not check.fails.any()
    assert (check.agents == search.staff).all()


def test_the_optimizer_refuses_what_it_cannot_staff():
    cfg = day()
    two = dataclasses.replace(cfg, queues={"a": cfg.queues["calls"], "b": cfg.queues["calls"]})
    with pytest.raises(ValueError, match="one queue and one agent group"):
        optimize(two, TARGETS)
    with pytest.raises(ValueError, match="no agent"):
        with_staffing(cfg, np.zeros(6, int))
