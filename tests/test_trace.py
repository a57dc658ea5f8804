"""Trace tests: deterministic inputs, exact contact tables (SimPy style)."""

import math

import numpy as np
import pandas as pd

from sim.config import AgentGroupConfig, ArrivalConfig, DistKind, DistributionConfig
from sim.runner import run_replication
from tests.conftest import make_config, queue

NAN = math.nan


def trace_queue(times, services, patience=None, **kw):
    q = queue(
        arrival=ArrivalConfig(times=list(times)),
        service=DistributionConfig(kind=DistKind.trace, values=list(services)),
        **kw,
    )
    if patience is not None:
        q.patience = DistributionConfig(kind=DistKind.deterministic, mean=patience)
    return q


def table(
    cfg, columns=("contact_id", "queue", "t_arrival", "t_answer", "t_end", "outcome", "agent_id")
):
    frame = run_replication(cfg, 0).contacts
    out = frame[list(columns)].copy()
    for c in ("queue", "outcome"):
        if c in out:
            out[c] = out[c].astype(str)
    return out


def expect(
    rows, columns=("contact_id", "queue", "t_arrival", "t_answer", "t_end", "outcome", "agent_id")
):
    return pd.DataFrame(rows, columns=list(columns))


def assert_table(got, want):
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_dtype=False)


def test_single_agent_fcfs_with_abandonment():
    q = trace_queue([0, 1, 2, 2.5, 10], [3, 1, 2, 1, 1], patience=2.5)
    cfg = make_config({"calls": q}, {"a": AgentGroupConfig(count=1)}, horizon=20)
    want = expect(
        [
            (0, "calls", 0.0, 0.0, 3.0, "served", 0),
            (1, "calls", 1.0, 3.0, 4.0, "served", 0),
            (2, "calls", 2.0, 4.0, 6.0, "served", 0),
            (3, "calls", 2.5, NAN, 5.0, "abandoned", -1),
            (4, "calls", 10.0, 10.0, 11.0, "served", 0),
        ]
    )
    assert_table(table(cfg), want)


def test_priority_between_queues_is_non_preemptive():
    lo = trace_queue([0, 0.5], [2, 2], priority=1)
    hi = trace_queue([1.0], [2], priority=0)
    cfg = make_config({"lo": lo, "hi": hi}, {"a": AgentGroupConfig(count=1)}, horizon=20)
    want = expect(
        [
            (0, "lo", 0.0, 0.0, 2.0, "served", 0),
            (1, "lo", 0.5, 4.0, 6.0, "served", 0),
            (2, "hi", 1.0, 2.0, 4.0, "served", 0),
        ]
    )
    assert_table(table(cfg), want)


def test_equal_priorities_serve_the_oldest_head_first():
    a = trace_queue([0.0, 0.3], [1, 1])
    b = trace_queue([0.2], [1])
    cfg = make_config({"a": a, "b": b}, {"g": AgentGroupConfig(count=1)}, horizon=20)
    got = table(cfg).set_index("contact_id")
    assert got.loc[1, "queue"] == "b" and got.loc[1, "t_answer"] == 1.0  # b (0.2) before a (0.3)
    assert got.loc[2, "t_answer"] == 2.0


def test_capacity_blocks_and_abandonment_makes_room():
    q = trace_queue([0, 0.1, 0.2, 0.3], [1, 1, 1, 1], patience=0.15, capacity=2)
    cfg = make_config({"calls": q}, {"a": AgentGroupConfig(count=1)}, horizon=20)
    want = expect(
        [
            (0, "calls", 0.0, 0.0, 1.0, "served", 0),
            (1, "calls", 0.1, NAN, 0.25, "abandoned", -1),
            (2, "calls", 0.2, NAN, 0.2, "blocked", -1),
            (3, "calls", 0.3, NAN, 0.45, "abandoned", -1),
        ]
    )
    assert_table(table(cfg), want)


def test_capacity_without_patience_blocks():
    q = trace_queue([0, 0.1, 0.2, 0.3], [1, 1, 1, 1], capacity=2)
    cfg = make_config({"calls": q}, {"a": AgentGroupConfig(count=1)}, horizon=20)
    got = table(cfg)
    assert list(got["outcome"]) == ["served", "served", "blocked", "blocked"]
    assert list(got["t_answer"].fillna(-1)) == [0.0, 1.0, -1, -1]


def test_group_preference_and_skills():
    b = trace_queue([0.0, 0.2], [1.0, 1.0])
    a = trace_queue([0.1], [2.0])
    agents = {"spec": AgentGroupConfig(count=1, skills=["b"]), "gen": AgentGroupConfig(count=1)}
    cfg = make_config({"a": a, "b": b}, agents, horizon=20)
    got = table(cfg, ("contact_id", "queue", "t_answer", "t_end", "agent_id"))
    want = expect(
        [(0, "b", 0.0, 1.0, 0), (1, "a", 0.1, 2.1, 1), (2, "b", 1.0, 2.0, 0)],
        ("contact_id", "queue", "t_answer", "t_end", "agent_id"),
    )
    assert_table(got, want)


def test_longest_idle_agent_gets_the_next_contact():
    q = trace_queue([0, 5, 5.5], [1, 1, 1])
    cfg = make_config({"calls": q}, {"g": AgentGroupConfig(count=2)}, horizon=20)
    assert list(table(cfg)["agent_id"]) == [0, 1, 0]


def test_drain_serves_contacts_arriving_before_the_horizon():
    q = trace_queue([0, 0.5, 9.9, 10.5], [5, 5, 5, 5])
    cfg = make_config({"calls": q}, {"g": AgentGroupConfig(count=1)}, horizon=10)
    got = table(cfg)
    assert list(got["contact_id"]) == [0, 1, 2]  # the arrival after the horizon never happens
    assert list(got["t_end"]) == [5.0, 10.0, 15.0]


def test_without_drain_contacts_inside_at_the_end_are_open():
    q = trace_queue([0, 0.5, 1.0], [5, 5, 5], patience=20)
    cfg = make_config({"calls": q}, {"g": AgentGroupConfig(count=1)}, horizon=8, drain=False)
    got = table(cfg)
    assert list(got["outcome"]) == ["served", "open", "open"]
    assert np.isnan(got["t_end"].iloc[1]) and got["t_answer"].iloc[1] == 5.0
    assert np.isnan(got["t_answer"].iloc[2])
