"""Demand from the customer base: rates, mix, surges, day factors."""

import dataclasses

import numpy as np
import pytest
from scipy import stats

from sim.config import SurgeConfig
from sim.demand.tables import day_factors, demand_tables
from sim.runner import run_experiment
from tests.journey_helpers import demand_config

Z = stats.norm.ppf(1 - 0.001 / 2)  # 99.9 % per check; a handful of checks per test


def expected_daily(cfg):
    d = cfg.demand
    out = {}
    for s, seg in d.segments.items():
        for r, reason in d.reasons.items():
            out[(s, r)] = (
                d.customers * seg.share * reason.rate.get(s, reason.rate.get("default")) / 30
            )
    return out


def test_rate_tables_give_the_configured_daily_volume():
    cfg = demand_config(horizon=3 * 1440.0)
    tables = demand_tables(cfg, np.random.default_rng(0))
    for key, per_day in expected_daily(cfg).items():
        t = tables[key]
        for day in range(3):
            assert t.expected(day * 1440, (day + 1) * 1440) == pytest.approx(per_day)


def test_profile_weekly_and_growth_shape_the_rates():
    cfg = demand_config(horizon=7 * 1440.0)
    d = cfg.demand
    d.profile = [1.0] * 24 + [3.0] * 24  # afternoon three times the morning (30-min intervals)
    d.weekly = [2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0]
    d.growth_per_day = 0.1
    factors = day_factors(d, 7, np.random.default_rng(0))
    mean_w = np.mean(d.weekly)
    assert factors == pytest.approx(np.array(d.weekly) / mean_w * 1.1 ** np.arange(7))
    t = demand_tables(cfg, np.random.default_rng(0))[("consumer", "billing")]
    assert t.expected(720, 1440) == pytest.approx(3 * t.expected(0, 720))
    assert t.expected(6 * 1440, 7 * 1440) == 0.0  # Sunday weight 0


def test_busyness_is_a_mean_one_gamma_day_factor():
    d = demand_config().demand
    d.busyness_cv = 0.2
    f = day_factors(d, 200_000, np.random.default_rng(3))
    assert f.mean() == pytest.approx(1.0, abs=Z * 0.2 / np.sqrt(len(f)))
    assert f.std() / f.mean() == pytest.approx(0.2, rel=0.01)


def test_surge_multiplies_only_its_window_and_reasons():
    cfg = demand_config(horizon=1440.0)
    base = demand_tables(cfg, np.random.default_rng(0))
    cfg.demand.surges = [SurgeConfig(start=600, end=720, factor=4.0, reasons=["technical"])]
    surged = demand_tables(cfg, np.random.default_rng(0))
    for key in base:
        ratio = surged[key].rates / base[key].rates
        inside = (np.arange(len(ratio)) * 30 >= 600) & (np.arange(len(ratio)) * 30 < 720)
        want = 4.0 if key[1] == "technical" else 1.0
        assert np.allclose(ratio[inside], want) and np.allclose(ratio[~inside], 1.0)


@pytest.fixture(scope="module")
def mixed_day():
    return run_experiment(demand_config(replications=4, keep_records=True))


def test_contact_mix_matches_the_configuration(mixed_day):
    c = mixed_day.contacts
    first = c[c.leg == 0]
    cfg = mixed_day.config
    reps = cfg.replications
    checks = 0
    for (s, r), per_day in expected_daily(cfg).items():
        mix = cfg.demand.channel_mix.get(s, cfg.demand.channel_mix["default"])
        for ch, p in mix.items():
            expected = reps * per_day * p
            got = ((first.segment == s) & (first.reason == r) & (first.channel == ch)).sum()
            assert abs(got - expected) <= Z * np.sqrt(expected), (s, r, ch, got, expected)
            checks += 1
    assert checks == 10


def test_surge_raises_arrivals_only_in_its_window():
    cfg = demand_config(replications=6, keep_records=True)
    cfg.demand.surges = [SurgeConfig(start=600, end=720, factor=5.0, reasons=["technical"])]
    c = run_experiment(cfg).contacts
    c = c[c.leg == 0]
    in_window = (c.t_arrival >= 600) & (c.t_arrival < 720)
    tables = demand_tables(cfg, np.random.default_rng(0))
    for reason in ("technical", "billing"):
        expected_in = (
            sum(tables[(s, reason)].expected(600, 720) for s in ("consumer", "business")) * 6
        )
        expected_out = (
            sum(tables[(s, reason)].expected(0, 1440) for s in ("consumer", "business")) * 6
            - expected_in
        )
        got_in = ((c.reason == reason) & in_window).sum()
        got_out = ((c.reason == reason) & ~in_window).sum()
        assert abs(got_in - expected_in) <= Z * np.sqrt(expected_in)
        assert abs(got_out - expected_out) <= Z * np.sqrt(expected_out)


def test_daily_counts_are_overdispersed_with_busyness():
    """Var(daily count) = m + cv^2 m^2 for a gamma day factor (mixed Poisson)."""
    base = demand_config(horizon=200 * 1440.0, replications=1, keep_records=False, drain=False)
    base.demand.busyness_cv = 0.15
    base.agents = {k: dataclasses.replace(g, count=g.count * 2) for k, g in base.agents.items()}
    base.interval = 1440.0
    res = run_experiment(base)
    daily = res.intervals[res.intervals.scope == "all"]["offered"].to_numpy()
    m = sum(expected_daily(base).values())
    assert daily.mean() == pytest.approx(m, rel=0.05)
    index = daily.var(ddof=1) / (m + 0.15**2 * m**2)
    assert 0.6 < index < 1.5  # chi-square(199)/199 is within these bounds with prob > 0.999
