"""Skill-based routing: policies, overflow, concurrency, proficiency, shifts (traces)."""

import itertools

import numpy as np
import pandas as pd
import pytest

from sim.config import (
    AgentGroupConfig,
    AgentPolicy,
    BreakConfig,
    OverflowConfig,
    QueuePolicy,
    RoutingConfig,
    ShiftConfig,
    SkillConfig,
    VendorConfig,
)
from sim.runner import run_experiment, run_replication
from tests.conftest import make_config, mmc_config
from tests.test_trace import trace_queue


def contacts(cfg):
    return run_replication(cfg, 0).contacts.set_index("contact_id")


def test_longest_idle_across_groups_vs_preferred_group():
    q = trace_queue([0, 0.1, 3], [2, 0.5, 1])
    agents = {"a": AgentGroupConfig(count=1), "b": AgentGroupConfig(count=1)}
    preferred = contacts(make_config({"q": q}, agents, horizon=20))
    assert list(preferred.group.astype(str)) == ["a", "b", "a"]
    cfg = make_config(
        {"q": q}, agents, horizon=20, routing=RoutingConfig(agent_policy=AgentPolicy.longest_idle)
    )
    assert list(contacts(cfg).group.astype(str)) == ["a", "b", "b"]  # b idle since 0.6, a since 2


def test_fastest_group_first_and_speed_multiplies_handle_time():
    q = trace_queue([0], [1.0])
    agents = {
        "slow": AgentGroupConfig(count=1, proficiency={"q": SkillConfig(speed=2.0)}),
        "fast": AgentGroupConfig(count=1),
    }
    c = contacts(make_config({"q": q}, agents, horizon=20))
    assert c.group.astype(str).iloc[0] == "slow" and c.t_end.iloc[0] == 2.0
    cfg = make_config(
        {"q": q}, agents, horizon=20, routing=RoutingConfig(agent_policy=AgentPolicy.fastest)
    )
    c = contacts(cfg)
    assert c.group.astype(str).iloc[0] == "fast" and c.t_end.iloc[0] == 1.0


def test_vendor_handle_factor_applies_to_its_agents():
    q = trace_queue([0], [1.0])
    agents = {
        "out": AgentGroupConfig(count=1, vendor="v", proficiency={"q": SkillConfig(speed=1.5)})
    }
    cfg = make_config({"q": q}, agents, horizon=20, vendors={"v": VendorConfig(handle_factor=1.2)})
    assert contacts(cfg).t_end.iloc[0] == pytest.approx(1.8)


@pytest.mark.parametrize(
    ("policy", "first"),
    [(QueuePolicy.priority, "hi"), (QueuePolicy.skills_order, "hi"), (QueuePolicy.oldest, "lo")],
)
def test_queue_policies_choose_the_next_contact(policy, first):
    busy = trace_queue([0.0], [2.0], priority=0)
    lo = trace_queue([0.5], [1.0], priority=1)
    hi = trace_queue([1.0], [1.0], priority=0)
    agents = {"g": AgentGroupConfig(count=1, skills=["busy", "hi", "lo"])}
    cfg = make_config(
        {"busy": busy, "lo": lo, "hi": hi},
        agents,
        horizon=20,
        routing=RoutingConfig(queue_policy=policy),
    )
    c = run_replication(cfg, 0).contacts
    after = c[c.queue != "busy"].sort_values("t_answer")
    assert str(after.queue.iloc[0]) == first and after.t_answer.iloc[0] == 2.0


def test_skills_order_follows_the_group_list_not_priorities():
    lo = trace_queue([0.5], [1.0], priority=1)
    hi = trace_queue([1.0], [1.0], priority=0)
    busy = trace_queue([0.0], [2.0])
    agents = {"g": AgentGroupConfig(count=1, skills=["busy", "lo", "hi"])}
    cfg = make_config(
        {"busy": busy, "lo": lo, "hi": hi},
        agents,
        horizon=20,
        routing=RoutingConfig(queue_policy=QueuePolicy.skills_order),
    )
    c = run_replication(cfg, 0).contacts
    assert str(c.sort_values("t_answer").queue.iloc[1]) == "lo"


def test_overflow_to_more_groups_after_the_threshold():
    q = trace_queue([0, 0.5, 2.0, 4.0], [10, 1, 1, 1])
    agents = {
        "primary": AgentGroupConfig(count=1, skills=["q"]),
        "backup": AgentGroupConfig(count=1, skills=["other"]),
    }
    other = trace_queue([1e9], [1.0])  # no contacts in the run
    routing = RoutingConfig(overflow=[OverflowConfig(queue="q", after=1.0, groups=["backup"])])
    c = contacts(make_config({"q": q, "other": other}, agents, horizon=20, routing=routing))
    assert list(c.t_answer) == [0.0, 1.5, 3.0, 5.0]  # each waits exactly the threshold
    assert list(c.group.astype(str)) == ["primary", "backup", "backup", "backup"]
    assert list(c.overflowed) == [False, True, True, True]


def test_overflowed_contact_is_served_once_when_primary_frees_first():
    q = trace_queue([0, 0.2], [1.0, 1.0])
    agents = {
        "primary": AgentGroupConfig(count=1, skills=["q"]),
        "backup": AgentGroupConfig(count=1, skills=["other"]),
    }
    other = trace_queue([0.0], [5.0])  # backup busy until 5
    routing = RoutingConfig(overflow=[OverflowConfig(queue="q", after=0.5, groups=["backup"])])
    c = run_replication(
        make_config({"q": q, "other": other}, agents, horizon=20, routing=routing), 0
    ).contacts
    second = c[c.contact_id == c[c.queue == "q"].contact_id.max()]
    assert len(second) == 1 and second.t_answer.iloc[0] == 1.0 and not second.overflowed.iloc[0]


def test_chat_concurrency_holds_several_contacts_and_slows_each():
    q = trace_queue([0, 0.1, 0.2], [1.0, 1.0, 1.0])
    agents = {"chat": AgentGroupConfig(count=1, concurrency=2, concurrency_slowdown=0.5)}
    c = contacts(make_config({"q": q}, agents, horizon=20))
    assert list(c.t_answer) == [0.0, 0.1, 1.0]
    assert list(c.t_end) == pytest.approx([1.0, 1.6, 2.5])


def test_policies_are_identical_with_one_skill_and_one_group():
    base = run_replication(mmc_config(9.0, 1.0, 10, patience=2.0, horizon=500), 0).contacts
    for ap, qp in itertools.product(AgentPolicy, QueuePolicy):
        cfg = mmc_config(
            9.0,
            1.0,
            10,
            patience=2.0,
            horizon=500,
            routing=RoutingConfig(agent_policy=ap, queue_policy=qp),
        )
        pd.testing.assert_frame_equal(run_replication(cfg, 0).contacts, base)


def test_shift_breaks_and_end_finish_the_contact_in_hand():
    q = trace_queue([0, 19, 25, 45, 59], [5, 5, 1, 1, 5])
    shift = ShiftConfig(start=0, end=60, count=1, breaks=[BreakConfig(after=20, length=10)])
    cfg = make_config({"q": q}, {"g": AgentGroupConfig(shifts=[shift])}, horizon=60, replications=1)
    res = run_experiment(cfg)
    c = res.contacts.set_index("contact_id")
    assert list(c.t_answer) == [0, 19, 30, 45, 59]
    assert c.t_end.loc[1] == 24  # started before the break, finished in it
    assert c.t_end.loc[4] == 64  # started before the end, finished after it
    k = res.replications.set_index(["scope", "metric"])["value"]
    assert k["group:g", "mean_staffed"] == pytest.approx(50 / 60)  # 60 minutes minus the break
    # overtime 20-24 counts; 60-64 is after the horizon, outside the statistics window
    assert k["group:g", "overtime"] == pytest.approx(4 / 60)
    assert k["group:g", "occupancy"] <= 1


def test_absenteeism_and_shrinkage_cut_staffed_time():
    days, n, p_absent, shrink = 120, 10, 0.1, 0.2
    shift = ShiftConfig(start=480, end=960, count=n)
    group = AgentGroupConfig(shifts=[shift], absenteeism=p_absent, shrinkage=shrink)
    q = trace_queue([1e12], [1.0])  # no contacts: staffing only
    cfg = make_config(
        {"q": q}, {"g": group}, horizon=days * 1440.0, replications=1, keep_records=False
    )
    k = run_experiment(cfg).replications.set_index(["scope", "metric"])["value"]
    expected = n * 480 * (1 - p_absent) * (1 - shrink) / 1440
    se = n * 480 * (1 - shrink) / 1440 * np.sqrt(p_absent * (1 - p_absent) / (n * days))
    assert abs(k["group:g", "mean_staffed"] - expected) <= 3.5 * se


def test_vendor_and_group_scopes_add_up():
    agents = {
        "inhouse_team": AgentGroupConfig(count=4),
        "vendor_team": AgentGroupConfig(count=4, vendor="bpo"),
    }
    cfg = mmc_config(6.0, 1.0, 8, horizon=600, replications=2)
    cfg.agents = agents
    cfg.vendors = {"bpo": VendorConfig()}
    cfg.__post_init__()
    r = run_experiment(cfg).replications.set_index(["replication", "scope", "metric"])["value"]
    for rep in (0, 1):
        served = r[rep, "all", "served"]
        assert r[rep, "vendor:bpo", "served"] + r[rep, "vendor:inhouse", "served"] == served
        assert r[rep, "group:vendor_team", "served"] == r[rep, "vendor:bpo", "served"]
