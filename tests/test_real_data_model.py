"""What real data needs of the model: handle times by time of day, day factors, fractions."""

from __future__ import annotations

import numpy as np
import pytest

from sim.config import AgentGroupConfig, ArrivalConfig
from sim.runner import run_experiment
from sim.workforce.shifts import presence_periods
from tests.conftest import make_config, queue


def test_handle_times_follow_the_profile_of_the_arrival_interval_on_the_same_draws():
    base = dict(horizon=2880.0, replications=1, interval=60.0)
    flat = queue(2.0, 2.0)
    profiled = queue(2.0, 2.0, service_profile=[1.0, 2.0, 0.5], service_profile_interval=480.0)
    runs = [
        run_experiment(make_config({"calls": q}, {"agents": AgentGroupConfig(count=20)}, **base))
        for q in (flat, profiled)
    ]
    a, b = (r.contacts.sort_values("contact_id") for r in runs)
    assert np.array_equal(a.t_arrival.to_numpy(), b.t_arrival.to_numpy())
    factor = np.array([1.0, 2.0, 0.5])[(b.t_arrival.to_numpy() // 480).astype(int) % 3]
    served = (a.outcome == "served").to_numpy() & (b.outcome == "served").to_numpy()
    ha = (a.t_end - a.t_answer).to_numpy()[served]
    hb = (b.t_end - b.t_answer).to_numpy()[served]
    assert hb == pytest.approx(ha * factor[served])


def daily_counts(busyness: float, days: int = 60) -> np.ndarray:
    arrival = ArrivalConfig(rate=2.0, busyness_cv=busyness)
    cfg = make_config(
        {"calls": queue(arrival=arrival, mean=0.5)},
        {"agents": AgentGroupConfig(count=10)},
        horizon=1440.0 * days,
        replications=1,
        interval=1440.0,
    )
    r = run_experiment(cfg).intervals
    return r[r.scope == "all"].offered.to_numpy()


def test_the_day_factor_makes_daily_counts_overdispersed_as_a_gamma_mixture():
    plain, busy = daily_counts(0.0), daily_counts(0.3)
    mean = 2.0 * 1440
    assert np.var(plain, ddof=1) / mean == pytest.approx(1.0, abs=0.5)  # Poisson: variance = mean
    c2 = (np.var(busy, ddof=1) - busy.mean()) / busy.mean() ** 2
    assert 0.2**2 < c2 < 0.42**2  # cv 0.3, 60 days: sd of the estimate about 0.03 in cv
    assert busy.mean() == pytest.approx(mean, rel=0.12)


def test_presence_periods_split_a_fractional_agent_into_spells():
    levels = [2.0, 1.5, 0.25, 0.0]
    k1 = presence_periods(levels, 30, 5, 1)
    assert k1[0] == (0.0, 32.5) and k1[1] == (35.0, 37.5) and len(k1) == 6
    k0 = presence_periods(levels, 30, 5, 0)
    assert k0[0] == (0.0, 61.25)  # present through 2.0 and 1.5, then a quarter of each spell
    assert sum(b - a for a, b in k0) == pytest.approx(60 + 30 * 0.25)
    assert presence_periods(levels, 30, 5, 2) == []


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        (AgentGroupConfig(count=0, staffing=[3.0, 5.5], staffing_interval=720), (3.0 + 5.5) / 2),
        (AgentGroupConfig(count=6, availability=[0.5, 0.75], staffing_interval=720), 3.75),
        (
            AgentGroupConfig(
                count=0, staffing=[4.0, 4.0], availability=[1.0, 0.5], staffing_interval=720
            ),
            3.0,
        ),
    ],
    ids=["staffing", "availability", "both"],
)
def test_mean_staffed_is_the_profile_average(group, expected):
    cfg = make_config(
        {"calls": queue(1.0, 1.0, patience=2.0)}, {"agents": group}, horizon=1440.0, replications=1
    )
    k = run_experiment(cfg).kpis.set_index(["scope", "metric"])["mean"]
    assert k[("all", "mean_staffed")] == pytest.approx(expected, rel=1e-9)


def test_more_fractional_staffing_means_less_waiting_on_common_random_numbers():
    waits = []
    for level in (4.0, 4.5, 5.0):
        cfg = make_config(
            {"calls": queue(4.0, 1.0, patience=3.0)},
            {"agents": AgentGroupConfig(count=0, staffing=[level], staffing_interval=1440.0)},
            horizon=1440.0,
            replications=4,
            interval=1440.0,
        )
        k = run_experiment(cfg).kpis.set_index(["scope", "metric"])["mean"]
        waits.append(k[("all", "mean_wait")])
    assert waits[0] > waits[1] > waits[2]
