"""Proactive outbound (sim/outbound.py, sim/routing/dialer.py, sim/metrics/outbound.py).

Every comparison runs the same replications (same seed, named streams per
component: common random numbers) with and without the part under test, so
the inbound contacts that a campaign does not touch are the same contacts.
"""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from sim import load_config
from sim.config.base import DAY
from sim.config.outbound import DialMode, prevention_share
from sim.report.text import text
from sim.runner import ReplicationResult, run_replication

REPS = (0, 1, 2)


def proactive(*campaigns: str, **dialer) -> object:
    """The proactive scenario with only the named campaigns on (all when none named)."""
    cfg = load_config("proactive", ["outbound.enabled=true", "keep_records=true"])
    if campaigns:
        cfg.outbound.campaigns = [k for k in cfg.outbound.campaigns if k.name in campaigns]
    for key, value in dialer.items():
        setattr(cfg.outbound.dialer, key, value)
    return cfg


def without(cfg):
    """The same configuration with the campaigns off."""
    off = copy.deepcopy(cfg)
    off.outbound.enabled = False
    return off


def runs(cfg) -> list[ReplicationResult]:
    return [run_replication(cfg, r) for r in REPS]


def kpi(result: ReplicationResult, scope: str, metric: str) -> float:
    k = result.kpis
    return float(k[(k.scope == scope) & (k.metric == metric)]["value"].iloc[0])


def issues(result: ReplicationResult, reason: str) -> int:
    """New inbound issues of a reason (one case per issue, at its first contact)."""
    return int((result.cases.reason == reason).sum())


@pytest.mark.parametrize(
    "campaign, reason",
    [
        ("provisioning_steps", "provisioning"),
        ("fault_closed", "technical"),
        ("adsl_spending_alert", "billing"),
    ],
)
def test_notifications_prevent_exactly_the_contacts_they_count(campaign, reason):
    on, off = proactive(campaign), without(proactive(campaign))
    for a, b in zip(runs(on), runs(off), strict=True):
        prevented = kpi(a, f"outbound:{campaign}", "prevented")
        assert prevented > 0
        # same arrivals and draws: the issues missing are exactly the ones counted
        assert issues(b, reason) - issues(a, reason) == prevented
        for other in ("sales", "information", "credit"):
            assert issues(a, other) == issues(b, other)


def test_prevented_contacts_follow_the_messages_reached():
    cfg = proactive("provisioning_steps")
    k = cfg.outbound.campaigns[0]
    share = prevention_share(cfg.demand, k, "consumer", "provisioning")
    assert share == pytest.approx(k.rate * k.reach * k.prevents["provisioning"] / 0.02)
    prevented = sum(kpi(r, "outbound", "prevented") for r in runs(cfg))
    reached = sum(kpi(r, "outbound", "reached") for r in runs(cfg))
    expected = reached * k.prevents["provisioning"]
    # Binomial thinning of a Poisson count: sd about sqrt(expected); 4 sd
    assert abs(prevented - expected) < 4 * expected**0.5
    assert prevented < reached
    low = copy.deepcopy(cfg)
    low.outbound.campaigns[0].rate = k.rate / 2
    assert sum(kpi(r, "outbound", "prevented") for r in runs(low)) < prevented


def test_credit_reminder_creates_the_calls_it_counts():
    on, off = proactive("credit_reminder"), without(proactive("credit_reminder"))
    for a, b in zip(runs(on), runs(off), strict=True):
        created = kpi(a, "outbound:credit_reminder", "created")
        assert created > 0
        assert issues(a, "credit") - issues(b, "credit") == created
        assert issues(a, "billing") == issues(b, "billing")  # created on their own streams


def _attempt_counts(result: ReplicationResult) -> tuple[float, ...]:
    return tuple(
        kpi(result, "outbound", m) for m in ("attempts", "right_party", "wrong_party", "no_answer")
    )


def test_agent_calls_fill_idle_time_and_inbound_waits_rise():
    cfg = proactive("credit_collection")
    cfg.outbound.campaigns[0].rate = 0.03  # 500 accounts a day: the dialer is rarely idle
    on, off = runs(cfg), runs(without(cfg))
    for r in on:
        attempts, right, wrong, none = _attempt_counts(r)
        assert attempts > 0 and attempts == right + wrong + none
        assert kpi(r, "outbound", "outbound_minutes") > 0
    for a, b in zip(on, off, strict=True):  # the same inbound contacts, fewer idle agents
        assert issues(a, "billing") == issues(b, "billing")
    wait_on = sum(kpi(r, "live", "mean_wait") for r in on)
    wait_off = sum(kpi(r, "live", "mean_wait") for r in off)
    assert wait_on > 1.1 * wait_off


def test_calls_only_in_dialing_hours_and_by_blended_groups():
    cfg = proactive("credit_collection")
    attempts = sum(kpi(r, "outbound", "attempts") for r in runs(cfg))
    closed = proactive("credit_collection", hours=[600.0, 610.0])
    assert 0 < sum(kpi(r, "outbound", "attempts") for r in runs(closed)) < attempts
    busy = proactive("credit_collection")
    busy.outbound.campaigns[0].rate = 0.1  # more accounts than idle time: agents are the limit
    other = copy.deepcopy(busy)
    other.outbound.dialer.groups = ["business_desk"]
    # a group with fewer idle minutes (2 agents, not 11) makes fewer calls
    many = sum(kpi(r, "outbound", "attempts") for r in runs(busy))
    assert sum(kpi(r, "outbound", "attempts") for r in runs(other)) < 0.5 * many


def test_preview_costs_preview_time_per_attempt_on_the_same_answers():
    # a short list: every account gets all its attempts in both modes
    prog = proactive("credit_collection", mode=DialMode.progressive)
    prev = proactive("credit_collection", mode=DialMode.preview, preview_time=0.5)
    for a, b in zip(runs(prog), runs(prev), strict=True):
        assert _attempt_counts(a) == _attempt_counts(b)
        extra = kpi(b, "outbound", "outbound_minutes") - kpi(a, "outbound", "outbound_minutes")
        assert extra == pytest.approx(0.5 * kpi(a, "outbound", "attempts"))
        assert kpi(b, "outbound", "attempts_per_hour") < kpi(a, "outbound", "attempts_per_hour")


def test_preview_makes_fewer_calls_when_agents_are_the_limit():
    prog = proactive("credit_collection", mode=DialMode.progressive)
    prog.outbound.campaigns[0].rate = 0.1
    prev = copy.deepcopy(prog)
    prev.outbound.dialer.mode = DialMode.preview
    prev.outbound.dialer.preview_time = 2.0
    a = sum(kpi(r, "outbound", "attempts") for r in runs(prog))
    b = sum(kpi(r, "outbound", "attempts") for r in runs(prev))
    assert b < 0.9 * a


@pytest.mark.parametrize("p_no_answer, p_right_party", [(0.45, 0.7), (0.2, 0.7), (0.45, 0.95)])
def test_contact_rate_is_answer_times_right_party(p_no_answer, p_right_party):
    cfg = proactive("credit_collection", p_no_answer=p_no_answer, p_right_party=p_right_party)
    res = runs(cfg)
    attempts = sum(kpi(r, "outbound", "attempts") for r in res)
    right = sum(kpi(r, "outbound", "right_party") for r in res)
    p = (1 - p_no_answer) * p_right_party
    assert abs(right / attempts - p) < 4 * (p * (1 - p) / attempts) ** 0.5


def test_contact_rate_moves_with_answer_and_right_party_on_common_draws():
    base = runs(proactive("credit_collection"))
    fewer_answers = runs(proactive("credit_collection", p_no_answer=0.7))
    more_rpc = runs(proactive("credit_collection", p_right_party=0.9))
    for b, n, m in zip(base, fewer_answers, more_rpc, strict=True):
        rate = kpi(b, "outbound", "contact_rate")
        assert kpi(n, "outbound", "contact_rate") < rate < kpi(m, "outbound", "contact_rate")


def test_kpis_by_hand():
    cfg = proactive()
    r = run_replication(cfg, 0)
    days = (cfg.horizon - cfg.warmup) / DAY
    total_cost = 0.0
    for k in cfg.outbound.campaigns:
        scope = f"outbound:{k.name}"
        if k.channel.value == "agent_call":
            assert kpi(r, scope, "cost") == pytest.approx(kpi(r, scope, "attempts") * k.cost)
            assert kpi(r, scope, "reached") == kpi(r, scope, "right_party")
        else:
            sent = cfg.demand.customers * k.rate / 30 * days
            assert kpi(r, scope, "messages") == pytest.approx(sent)
            assert kpi(r, scope, "reached") == pytest.approx(sent * k.reach)
            assert kpi(r, scope, "cost") == pytest.approx(sent * k.cost)
        total_cost += kpi(r, scope, "cost")
    for m in ("messages", "prevented", "created", "attempts", "right_party"):
        each = sum(kpi(r, f"outbound:{k.name}", m) for k in cfg.outbound.campaigns)
        assert kpi(r, "outbound", m) == pytest.approx(each)
    assert kpi(r, "outbound", "contact_rate") == pytest.approx(
        kpi(r, "outbound", "right_party") / kpi(r, "outbound", "attempts")
    )
    assert kpi(r, "cost", "outbound") == pytest.approx(total_cost)
    k = r.kpis[r.kpis.scope == "cost"].set_index("metric")["value"]
    parts = ("labour", "governance", "self_service", "ivr", "telephony", "bonus_malus", "hiring")
    assert k["total"] == pytest.approx(sum(k[p] for p in parts) + total_cost)


def test_cost_per_managed_customer_counts_the_campaigns():
    on, off = proactive(), without(proactive())
    customers = on.demand.customers
    for a, b in zip(runs(on), runs(off), strict=True):
        assert kpi(b, "cost", "outbound") == 0.0 and kpi(a, "cost", "outbound") > 0
        for r in (a, b):
            assert kpi(r, "cost", "per_managed_customer") == pytest.approx(
                kpi(r, "cost", "total") / customers
            )
        # notifications remove IVR minutes; the campaigns' cost is a part of the total
        assert kpi(a, "cost", "ivr") < kpi(b, "cost", "ivr")
        parts = ("labour", "governance", "self_service", "ivr", "telephony", "bonus_malus")
        change = sum(kpi(a, "cost", p) - kpi(b, "cost", p) for p in (*parts, "hiring"))
        change += kpi(a, "cost", "outbound")
        assert kpi(a, "cost", "total") - kpi(b, "cost", "total") == pytest.approx(change)


def _has(result: ReplicationResult, scope: str, metric: str) -> bool:
    k = result.kpis
    return bool(((k.scope == scope) & (k.metric == metric)).any())


def test_outbound_off_is_the_baseline():
    cfg = proactive()
    off = without(cfg)
    r = run_replication(off, 0)
    assert not r.kpis.scope.str.startswith("outbound").any()
    # the campaigns' streams are separate: off and a campaign with no effect agree
    idle = copy.deepcopy(cfg)
    for k in idle.outbound.campaigns:
        k.prevents, k.creates = {}, {}
    idle.outbound.campaigns = [
        k for k in idle.outbound.campaigns if k.channel.value != "agent_call"
    ]
    a = run_replication(idle, 0)
    for reason in ("billing", "technical", "provisioning", "credit"):
        assert issues(a, reason) == issues(r, reason)
    pd.testing.assert_series_equal(
        a.contacts.t_end.reset_index(drop=True), r.contacts.t_end.reset_index(drop=True)
    )


def test_report_names_campaigns_with_trigger_and_channel():
    from sim import run_experiment

    cfg = proactive("adsl_spending_alert", "credit_collection")
    cfg.replications = 2
    out = text(run_experiment(cfg, progress=False))
    assert "Proactive outbound" in out
    assert "spending_threshold" in out and "sms" in out
    assert "payment_overdue" in out and "agent_call" in out


def test_reach_scales_the_contacts_prevented():
    full = proactive("fault_closed")
    half = copy.deepcopy(full)
    half.outbound.campaigns[0].reach = full.outbound.campaigns[0].reach / 2
    for a, b in zip(runs(full), runs(half), strict=True):
        # the same uniforms: a contact kept at the full reach is kept at half reach
        assert kpi(b, "outbound", "prevented") < kpi(a, "outbound", "prevented")
        assert issues(b, "technical") > issues(a, "technical")


@pytest.mark.parametrize(
    "key, value", [("ring_time", 1.5), ("wrong_party_time", 2.0), ("talk_mean", 8.0)]
)
def test_each_attempt_time_adds_agent_minutes(key, value):
    base = proactive("credit_collection")
    longer = copy.deepcopy(base)
    if key == "talk_mean":
        longer.outbound.dialer.talk.mean = value
    else:
        setattr(longer.outbound.dialer, key, value)
    for a, b in zip(runs(base), runs(longer), strict=True):
        assert _attempt_counts(a) == _attempt_counts(b)  # a short list: all attempts made
        assert kpi(b, "outbound", "outbound_minutes") > kpi(a, "outbound", "outbound_minutes")


def test_max_attempts_retries_accounts_not_reached():
    once = proactive("credit_collection", max_attempts=1)
    thrice = proactive("credit_collection", max_attempts=3)
    for a, b in zip(runs(once), runs(thrice), strict=True):
        accounts = kpi(a, "outbound", "messages")
        assert kpi(a, "outbound", "attempts") == accounts  # one attempt per account loaded
        assert kpi(b, "outbound", "attempts") > accounts
        assert kpi(b, "outbound", "right_party") > kpi(a, "outbound", "right_party")
