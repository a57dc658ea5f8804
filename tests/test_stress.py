"""Agent stress: dynamics, effects, neutrality when off, CRN comparisons, attrition."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from sim import load_config, run_experiment
from sim.config import AgentGroupConfig, BreakConfig, Config, ShiftConfig, StressConfig
from sim.config.errors import ConfigError
from sim.core.entities import Agent, Contact
from sim.core.rng import Streams
from sim.model import build
from sim.plan import kinds_and_strata
from sim.runner import _simulate, _Sink
from sim.workforce.stress import BUSY, IDLE, OFF, StressModel

DAY = 1440.0


def model_of(cfg: StressConfig, n: int = 1, wait: float = 1.0) -> tuple[StressModel, list]:
    agents = [Agent(i, 0, [1.0]) for i in range(n)]
    return StressModel(cfg, agents, [0.0], [wait]), agents


def contact(wait: float = 0.0, now: float = 0.0) -> Contact:
    c = Contact(0, 0, 0, now - wait, 5.0, math.inf)
    c.t_answer = now
    return c


def test_stress_rises_with_work_and_stays_below_one():
    m, (a,) = model_of(StressConfig(enabled=True))
    t, seen = 0.0, []
    for _ in range(2000):  # a long run of back-to-back contacts
        m.start(a, t)
        t += 5.0
        m.finish(a, contact(wait=10.0, now=t - 5.0), t)
        seen.append(m.now_value(a.id, t))
    assert all(0 <= s < 1 for s in seen)
    assert seen[-1] > 0.95
    assert np.all(np.diff(seen) >= 0)


def test_stress_recovers_to_baseline_during_a_long_break():
    cfg = StressConfig(enabled=True, baseline=0.1, break_tau=20.0)
    m, (a,) = model_of(cfg)
    m.start(a, 0.0)
    m.finish(a, contact(), 600.0)
    high = m.now_value(a.id, 600.0)
    a.present = False
    m.went_off(a, 600.0)
    assert m.state[a.id].state == OFF
    after = [m.now_value(a.id, 600.0 + d) for d in (10, 20, 60, 200)]
    expected = [0.1 + (high - 0.1) * math.exp(-d / 20.0) for d in (10, 20, 60, 200)]
    assert after == pytest.approx(expected, rel=1e-9)
    assert after[-1] == pytest.approx(0.1, abs=1e-4)


def test_idle_recovery_is_slower_than_a_break_and_time_on_shift_still_loads():
    cfg = StressConfig(enabled=True, recovery_tau=30.0, break_tau=20.0, shift_rate=0.02)
    m, (idle, away) = model_of(cfg, 2)
    for a in (idle, away):
        m.start(a, 0.0)
        m.finish(a, contact(), 240.0)
    away.present = False
    m.went_off(away, 240.0)
    assert m.state[idle.id].state == IDLE
    assert m.now_value(idle.id, 270.0) > m.now_value(away.id, 270.0)


def test_angry_customers_weigh_more_and_the_anger_is_capped():
    cfg = StressConfig(enabled=True, angry_wait=0.5, angry_wait_cap=3.0)
    m, _ = model_of(cfg, wait=1.0)
    assert m.weight(contact(wait=0.5)) == pytest.approx(1.0)
    assert m.weight(contact(wait=2.0)) == pytest.approx(1.5)
    assert m.weight(contact(wait=100.0)) == pytest.approx(1 + 0.5 * 3.0)


def test_night_long_shift_and_rotation_multiply_the_load():
    cfg = StressConfig(enabled=True, night_factor=1.5, long_shift_factor=2.0, rotation_factor=1.3)
    m, (a,) = model_of(cfg)
    st = m.state[a.id]
    st.state, st.shift_start = BUSY, 960.0  # a 16:00 start
    assert m.factor(st, 1000.0) == 1.0
    assert m.factor(st, 1380.0) == 1.5  # 23:00, 7 h into the shift
    assert m.factor(st, 1500.0) == 1.5 * 2.0  # 01:00 and past 8 h
    st.rotated = True
    assert m.factor(st, 1000.0) == pytest.approx(1.3)


def test_handle_and_quality_effects_follow_their_documented_forms():
    cfg = StressConfig(enabled=True, handle_sensitivity=0.3, quality_sensitivity=0.2)
    m, (a,) = model_of(cfg)
    m.state[a.id].stress = 0.5
    assert m.start(a, 0.0) == pytest.approx(1.15)
    assert m.quality(a, 0.0) == pytest.approx(0.9)


def test_a_new_hire_learns_along_the_curve():
    cfg = StressConfig(enabled=True, learning_start=0.53, learning_days=120.0)
    m, (a,) = model_of(cfg)
    m.hire(a, 10 * DAY)
    st = m.state[a.id]
    assert m.efficiency(st, 10 * DAY) == pytest.approx(0.53)
    assert m.efficiency(st, 130 * DAY) == pytest.approx(1 - 0.47 * math.exp(-1))
    assert m.start(a, 10 * DAY) == pytest.approx((1 + cfg.handle_sensitivity * 0.1) / 0.53)
    assert m.log.hires == [10 * DAY]


def test_chronic_strain_follows_the_daily_mean_and_drives_absence_and_attrition():
    cfg = StressConfig(enabled=True, chronic_days=14.0, absence_sensitivity=0.1)
    m, (a,) = model_of(cfg)
    calm = m.leave_probability(a)
    m.came_on(a, 0.0, 0.0)
    m.start(a, 0.0)
    m.finish(a, contact(), 480.0)
    m.end_shift(a, 480.0)
    st = m.state[a.id]
    mean = st.integral / st.on_shift
    assert st.chronic == pytest.approx(0.1 + (mean - 0.1) * (1 - math.exp(-1 / 14)))
    assert m.absence(a, 0.06) == pytest.approx(0.06 + 0.1 * st.chronic)
    assert m.leave_probability(a) > calm


# --- whole-model tests on a small seven-day line -------------------------------------


def small(stress: dict | None = None, agents: int = 9, **run) -> Config:
    """A voice line 07:00-23:00 for 40,000 customers, one 8-h crew structure."""
    cfg = load_config(
        "shift_design",
        ["demand.customers=40000", "replications=6", "horizon=20160", "warmup=2880"],
    )
    breaks = [BreakConfig(120, 15), BreakConfig(330, 15)]
    shifts = [ShiftConfig(start, start + 480, agents, [], breaks) for start in (420.0, 900.0)]
    group = AgentGroupConfig(skills=["voice"], absenteeism=0.06, shifts=shifts)
    new_stress = dataclasses.replace(cfg.stress, **(stress or {}))
    return dataclasses.replace(cfg, agents={"care": group}, stress=new_stress, **run)


NEUTRAL = {
    "handle_sensitivity": 0.0,
    "quality_sensitivity": 0.0,
    "courtesy_sensitivity": 0.0,  # the survey's courtesy (docs/survey.md)
    "absence_sensitivity": 0.0,
    "attrition_annual": 0.0,
    "occupancy_cap": 1.0,
}


def test_stress_without_effects_leaves_every_contact_unchanged():
    on = run_experiment(small(NEUTRAL, keep_records=True, replications=2), progress=False)
    off = run_experiment(
        small({"enabled": False}, keep_records=True, replications=2), progress=False
    )
    assert len(on.contacts) > 10_000
    pd.testing.assert_frame_equal(on.contacts, off.contacts)
    keys = ["replication", "scope", "metric"]
    both = off.replications.merge(on.replications, on=keys, suffixes=("_off", "_on"))
    assert len(both) == len(off.replications)
    assert np.allclose(both.value_off, both.value_on, equal_nan=True)
    assert on.stress is not None and on.stress["stress"].between(0, 1).all()


def test_handle_sensitivity_lengthens_service():
    base = run_experiment(small(NEUTRAL, keep_records=True, replications=2), progress=False)
    slow = run_experiment(
        small(NEUTRAL | {"handle_sensitivity": 0.5}, keep_records=True, replications=2),
        progress=False,
    )
    service = [r.contacts.eval("t_end - t_answer").mean() for r in (base, slow)]
    assert service[1] > service[0] * 1.05


def test_higher_occupancy_gives_higher_stress_under_common_random_numbers():
    runs = [run_experiment(small(agents=n), progress=False) for n in (9, 12)]
    values = [
        r.replications.query("scope == 'all' and metric in ['stress_mean', 'occupancy']").pivot(
            index="replication", columns="metric", values="value"
        )
        for r in runs
    ]
    busy, calm = values
    assert (busy["occupancy"] > calm["occupancy"]).all()
    diff = busy["stress_mean"] - calm["stress_mean"]
    half = 2.571 * diff.std(ddof=1) / np.sqrt(len(diff))  # t(0.975, 5)
    assert diff.mean() - half > 0


def test_attrition_creates_hires_who_start_on_the_learning_curve():
    cfg = small({"attrition_annual": 0.95, "attrition_sensitivity": 5.0, "hiring_delay": 1.0})
    _, _, strata = kinds_and_strata(cfg)
    sink = _Sink(cfg, strata)
    model = build(cfg, Streams(cfg.seed, 0), sink, lambda rows: None)
    sink.model = model
    _simulate(cfg, model, None)
    log = model.stress.log
    assert len(log.leavers) > 0 and len(log.hires) > 0
    assert all(h >= min(log.leavers) + DAY - 1e-9 for h in log.hires)
    hired = [st for st in model.stress.state.values() if st.hired > -math.inf]
    assert hired
    now = model.env.now
    for st in hired:
        tenure = (now - st.hired) / DAY
        assert model.stress.efficiency(st, now) == pytest.approx(
            1 - 0.47 * math.exp(-tenure / cfg.stress.learning_days)
        )
        assert model.stress.efficiency(st, now) < 1


def test_attrition_rows_and_cost_of_hiring_appear_in_the_kpis():
    cfg = small({"attrition_annual": 0.95, "attrition_sensitivity": 5.0, "hiring_delay": 1.0})
    res = run_experiment(dataclasses.replace(cfg, replications=2), progress=False)
    k = res.kpis.set_index(["scope", "metric"])["mean"]
    assert k[("all", "leavers")] > 0
    assert k[("all", "attrition_annual")] > 0
    if k[("all", "hires")] > 0:
        assert k[("cost", "hiring")] > 0


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("stress.baseline=1.2", "stress.baseline"),
        ("stress.per_contact=-0.1", "stress.per_contact"),
        ("stress.recovery_tau=0", "stress.recovery_tau"),
        ("stress.night_factor=0.8", "stress.night_factor"),
        ("stress.attrition_annual=1.0", "stress.attrition_annual"),
        ("stress.learning_start=0", "stress.learning_start"),
        ("stress.occupancy_cap=1.5", "stress.occupancy_cap"),
        ("stress.handle_sensitivity=-1", "stress.handle_sensitivity"),
        ("+stress.difficult.nonsense=1", "stress.difficult.nonsense"),
    ],
)
def test_bad_stress_parameters_are_refused_with_the_key(override, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config("shift_design", [override])


def test_an_occupancy_cap_sends_busy_agents_on_short_pauses():
    runs = [
        run_experiment(small(agents=9, **{}), progress=False),
        run_experiment(small({"occupancy_cap": 0.3, "cap_pause": 3.0}, agents=9), progress=False),
    ]
    k = [
        r.replications.query("scope == 'all'").set_index(["replication", "metric"])["value"]
        for r in runs
    ]
    free, capped = (x.unstack("metric") for x in k)
    assert (capped["stress_mean"] < free["stress_mean"]).all()
    assert (capped["mean_wait"] > free["mean_wait"]).all()
