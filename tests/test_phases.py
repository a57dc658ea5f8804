"""Customer-care life phases (seed 001): each phase key does what it says, on common random numbers.

The whole plan runs short (four months of a day, four replications); each key is
also switched on and off alone on the same month (same base, same seed), so a key
that stopped doing anything fails its test.
"""

from __future__ import annotations

import math

import pytest

from sim import ConfigError, load_config
from sim.config.phases import PhaseConfig
from sim.study.phases import month_overrides, run_phases, simulate_month

SHORT = [
    "replications=4",
    "phases.sequence.0.months=2",
    "phases.sequence.1.months=1",
    "phases.sequence.2.months=1",
]
BASE = 150_000


@pytest.fixture(scope="module")
def run():
    return run_phases("life_phases", SHORT)


@pytest.fixture(scope="module")
def template():
    return load_config("life_phases", ["replications=4"])


def one_month(template, phase: PhaseConfig, customers=BASE, sized_for=BASE):
    """The metrics of one month, per replication, as a ``metric -> Series`` mapping."""
    overrides = ["replications=4", *month_overrides(template, phase, customers, sized_for)]
    _, values = simulate_month("life_phases", overrides)
    return {m: g.set_index("replication")["value"] for m, g in values.groupby("metric")}


def test_launch_calls_more_per_customer_and_churns_more_than_maturity(run):
    d = run.difference("launch", "maturity")  # maturity - launch, paired by replication
    assert d.loc["contacts_per_customer_month", "ci_high"] < 0
    assert d.loc["churn_month", "ci_high"] < 0
    # not only the background rate the phases set: the service itself loses fewer customers
    assert d.loc["churn_issues_month", "ci_high"] < 0
    assert d.loc["fcr", "ci_low"] > 0
    assert d.loc["satisfaction", "ci_low"] > 0


def test_consolidation_and_maturity_cost_less_per_managed_customer_than_launch(run):
    assert run.difference("launch", "consolidation").loc["cost_per_customer_month", "ci_high"] < 0
    assert run.difference("launch", "maturity").loc["cost_per_customer_month", "ci_high"] < 0


def test_the_base_grows_by_the_gross_adds_minus_the_customers_lost(run, template):
    m = run.months
    adds = {p.name: p.gross_adds for p in template.phases.sequence}
    assert m.customers.iloc[0] == template.phases.customers
    for i in range(len(m) - 1):
        lost = m.churn_month.iloc[i] * m.customers.iloc[i]
        expected = round(m.customers.iloc[i] + adds[m.phase.iloc[i]] - lost)
        assert m.customers.iloc[i + 1] == expected
    assert m.customers.is_monotonic_increasing  # gross adds outrun churn in every phase here


def test_without_history_head_counts_are_sized_on_last_months_base(run):
    m = run.months.set_index("month")
    assert m.loc[1, "phase"] == "launch" and m.loc[1, "sized_for"] == m.loc[0, "customers"]
    assert m.loc[1, "customers"] > m.loc[1, "sized_for"]  # the launch's staffing lags the growth
    later = m[m.phase != "launch"]
    assert (later.sized_for == later.customers).all()


def test_head_counts_follow_the_workload(template):
    phase = PhaseConfig(contact_factor=1.5)
    half = dict(o.split("=") for o in month_overrides(template, phase, 250_000, 250_000))
    full = dict(o.split("=") for o in month_overrides(template, phase, 250_000, 500_000))
    # the scenario's 21 voice agents are sized for 500,000 customers at factor 1
    assert full["params.voice_agents"] == str(math.ceil(21 * 1.5))
    assert half["params.voice_agents"] == str(math.ceil(21 * 0.75))
    assert half["demand.customers"] == full["demand.customers"] == "250000"


def test_contact_factor_raises_contacts_per_customer_on_the_same_customers(template):
    plain = one_month(template, PhaseConfig(contact_factor=1.0))
    more = one_month(template, PhaseConfig(contact_factor=1.6), sized_for=round(BASE / 1.6))
    ratio = more["contacts_per_customer_month"] / plain["contacts_per_customer_month"]
    assert (ratio > 1.4).all()  # head counts sized to the same workload: only the calls differ


def test_a_phases_overrides_are_in_force_in_its_months(template):
    plain = one_month(template, PhaseConfig())
    launch = one_month(template, PhaseConfig(overrides=["vendors.inhouse.resolution_factor=0.88"]))
    assert (launch["fcr"] < plain["fcr"]).all()
    assert (launch["churn_issues_month"] >= plain["churn_issues_month"]).all()
    cheap = one_month(template, PhaseConfig(overrides=["params.inhouse_share=0.0"]))
    assert (cheap["cost_per_customer_month"] < plain["cost_per_customer_month"]).all()


def test_a_bad_phase_override_stops_before_the_first_month():
    seen = []
    bad = "phases.sequence.1.overrides=['vendors.inhouse.resolution_factr=0.9']"
    with pytest.raises(ConfigError) as err:
        run_phases("life_phases", ["replications=1", bad], on_month=seen.append)
    assert str(err.value) == (
        "phases.sequence[1] (consolidation): vendors.inhouse.resolution_factr is not a vendor "
        "setting (did you mean 'resolution_factor'?)"
    )
    assert seen == []


def test_a_scenario_without_phases_is_refused():
    with pytest.raises(ConfigError, match=r"phases\.sequence lists no phase in scenario 'default'"):
        run_phases("default", ["replications=1"])
