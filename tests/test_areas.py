"""Vendor specialization areas (seed 000: PosteMobile's two outsourcers split the work by area).

A vendor's agents take only contacts of its areas (``vendors.<v>.areas``, reasons),
unless an explicit overflow rule lets them take others after a wait.
"""

from __future__ import annotations

import pytest

from sim.config.load import load_config
from sim.routing.policies import QueueSpec, plan_routing
from sim.runner import run_experiment

DAY = ["replications=1", "horizon=600", "warmup=0", "progress=false", "plots=false"]


def _served_by_vendor(overrides: list[str]):
    cfg = load_config("postemobile", DAY + overrides)
    c = run_experiment(cfg).contacts
    served = c[c.outcome == "served"]
    vendor = {g: a.vendor for g, a in cfg.agents.items()}
    return served.assign(vendor=served.group.astype(str).map(vendor))


@pytest.fixture(scope="module")
def postemobile():
    return _served_by_vendor([])


def test_each_vendor_serves_only_its_areas(postemobile):
    """Before the fix, 54 % of the technical vendor's served legs were not technical."""
    tech = postemobile[postemobile.vendor == "tech_vendor"]
    poste = postemobile[postemobile.vendor == "poste_italiane"]
    assert len(tech) > 1000 and len(poste) > 1000
    assert set(tech.reason) == {"technical"}
    assert "technical" not in set(poste.reason)
    # the areas cover every channel: the technical vendor answers chats and e-mails too
    assert {"chat", "email"} <= set(tech.channel)


def test_an_overflow_rule_lets_a_vendor_take_other_areas_after_the_wait(postemobile):
    rule = "+routing.overflow=[{queue:chat,after:0.5,groups:[digital_tech]}]"
    served = _served_by_vendor([rule])
    tech_chat = served[(served.group == "digital_tech") & (served.channel == "chat")]
    other = tech_chat[tech_chat.reason != "technical"]
    assert len(other) > 0  # without the rule: none (the test above)
    assert other.overflowed.all()  # only through the rule
    assert ((other.t_answer - other.t_queue) >= 0.5 - 1e-9).all()  # and after its wait


def _plan(areas, kind_reasons, overflow=()):
    q = QueueSpec(0, None, False, 0.0)
    return plan_routing(
        [q], [[0], [0]], [[1.0], [1.0]], overflow, areas=areas, kind_reasons=kind_reasons
    )


def test_lanes_split_a_queue_by_the_groups_that_may_take_each_reason():
    # group 0 (vendor A) takes reason 0, group 1 (vendor B) reason 1; kind 2 has reason 0
    plan = _plan([frozenset({0}), frozenset({1})], [0, 1, 0])
    lane = plan.lanes[0]
    assert lane[0] == lane[2] != lane[1]
    assert plan.groups_for_queue[lane[0]] == [0] and plan.groups_for_queue[lane[1]] == [1]
    assert plan.groups_for_queue[0] == []  # nobody serves the queue itself any more


def test_without_areas_there_are_no_lanes_and_a_reason_nobody_covers_falls_back():
    assert _plan([None, None], [0, 1]).lanes is None
    plan = _plan([frozenset({0}), frozenset({0})], [0, 1])  # reason 1: no in-area group
    assert plan.lanes[0] == [0, 0]  # a misrouted contact: every group of the queue
    ruled = _plan([frozenset({0}), None], [1], overflow=[(0, 1.0, [1])])
    assert ruled.groups_for_queue[ruled.lanes[0][0]] == [1]  # group 1 has no areas


def test_with_an_overflow_rule_an_uncovered_reason_waits_for_it():
    plan = _plan([frozenset({0}), frozenset({0})], [1], overflow=[(0, 1.0, [1])])
    assert plan.groups_for_queue[plan.lanes[0][0]] == []
