"""Invariants that hold on every sample path, and reproducibility."""

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest

from sim.config import AgentGroupConfig
from sim.runner import run_experiment, run_replication
from tests.conftest import make_config, mmc_config, queue


def kpi(results, metric, scope="all"):
    r = results.replications
    return r[(r.scope == scope) & (r.metric == metric)].set_index("replication")["value"]


@pytest.fixture(scope="module")
def mixed():
    """Two queues, two groups, abandonment and blocking: every path of the router."""
    queues = {
        "a": queue(3.0, 1.0, patience=0.5, priority=1),
        "b": queue(1.5, 1.5, patience=1.0, capacity=6, priority=0),
    }
    agents = {"spec": AgentGroupConfig(count=2, skills=["b"]), "gen": AgentGroupConfig(count=3)}
    cfg = make_config(queues, agents, horizon=400, warmup=50, replications=3)
    return run_experiment(cfg)


def test_conservation_of_contacts(mixed):
    c = mixed.contacts
    for _, grp in c.groupby("replication"):
        assert grp["contact_id"].is_unique
        assert grp["contact_id"].min() == 0 and grp["contact_id"].max() == len(grp) - 1
    for scope in ("all", "queue:a", "queue:b"):
        total = sum(kpi(mixed, m, scope) for m in ("served", "abandoned", "blocked", "open"))
        assert (total == kpi(mixed, "offered", scope)).all()
    total = kpi(mixed, "offered", "queue:a") + kpi(mixed, "offered", "queue:b")
    assert (kpi(mixed, "offered") == total).all()


def test_times_are_ordered(mixed):
    c = mixed.contacts
    served = c[c.outcome == "served"]
    assert (served.t_answer >= served.t_arrival).all() and (served.t_end >= served.t_answer).all()
    ab = c[c.outcome == "abandoned"]
    assert ab.t_answer.isna().all() and (ab.t_end >= ab.t_arrival).all()


def test_occupancy_in_unit_interval(mixed):
    r = mixed.replications
    occ = r[r.metric == "occupancy"]["value"]
    assert ((occ >= 0) & (occ <= 1)).all()


def test_no_agent_serves_two_contacts_at_once(mixed):
    c = mixed.contacts[mixed.contacts.outcome == "served"].sort_values(
        ["replication", "agent_id", "t_answer"]
    )
    gap = c.groupby(["replication", "agent_id"])["t_answer"].shift(-1) - c["t_end"]
    assert (gap.dropna() >= -1e-12).all()


def test_capacity_never_exceeded(mixed):
    lv = mixed.contacts
    b = lv[(lv.queue == "b") & (lv.outcome != "blocked") & (lv.replication == 0)]
    end = b.t_end.fillna(np.inf)
    events = np.concatenate([b.t_arrival, end])
    delta = np.concatenate([np.ones(len(b)), -np.ones(len(b))])
    order = np.lexsort((delta, events))  # departures first at ties
    assert np.cumsum(delta[order]).max() <= 6


def test_littles_law_per_replication():
    cfg = mmc_config(9.0, 1.0, 10, horizon=20000, warmup=500, replications=3, keep_records=False)
    res = run_experiment(cfg)
    lam_w = kpi(res, "arrival_rate") * kpi(res, "mean_wait")
    assert np.allclose(kpi(res, "mean_queue"), lam_w, rtol=0.01)
    busy = kpi(res, "mean_busy")
    assert np.allclose(busy, kpi(res, "arrival_rate") * kpi(res, "aht"), rtol=0.01)


def test_more_agents_never_increase_waits_under_crn():
    """FCFS with service times drawn at arrival: each wait is monotone in the agents."""
    waits = []
    for c in (9, 10, 11, 13):
        cfg = mmc_config(8.5, 1.0, c, horizon=3000, warmup=0, replications=4, keep_records=True)
        res = run_experiment(cfg)
        frame = res.contacts.sort_values(["replication", "contact_id"])
        waits.append((frame.t_answer - frame.t_arrival).to_numpy())
    for fewer, more in itertools.pairwise(waits):
        assert len(fewer) == len(more)
        assert np.all(more <= fewer + 1e-9)
        assert more.mean() < fewer.mean()


def _frames(res):
    return [res.kpis, res.replications, res.intervals, res.waits, res.contacts]


def test_same_seed_same_frames_serial_and_parallel(mixed):
    cfg = dataclasses.replace(mixed.config)
    again = run_experiment(cfg)
    parallel = run_experiment(dataclasses.replace(cfg, workers=2))
    for a, b, c in zip(_frames(mixed), _frames(again), _frames(parallel), strict=True):
        pd.testing.assert_frame_equal(a, b)
        pd.testing.assert_frame_equal(a, c)


def test_different_seed_differs(mixed):
    other = run_experiment(dataclasses.replace(mixed.config, seed=mixed.config.seed + 1))
    assert not other.contacts["t_arrival"].equals(mixed.contacts["t_arrival"])


def test_aggregate_only_mode_gives_the_same_kpis(mixed):
    lean = run_experiment(dataclasses.replace(mixed.config, keep_records=False))
    assert lean.contacts is None and lean.levels is None
    a, b = mixed.replications, lean.replications
    pd.testing.assert_frame_equal(
        a[["replication", "scope", "metric"]], b[["replication", "scope", "metric"]]
    )
    assert np.allclose(a["value"], b["value"], rtol=1e-9, equal_nan=True)
    pd.testing.assert_frame_equal(mixed.waits, lean.waits)


def test_small_chunks_give_the_same_kpis(monkeypatch, mixed):
    import sim.metrics.records

    monkeypatch.setattr(sim.metrics.records, "CHUNK", 97)
    monkeypatch.setattr(sim.metrics.records.ContactLog.__init__, "__defaults__", (97,))
    lean = run_experiment(dataclasses.replace(mixed.config, keep_records=False))
    assert np.allclose(
        mixed.replications["value"], lean.replications["value"], rtol=1e-9, equal_nan=True
    )


def test_crn_first_contacts_identical_when_volume_changes():
    """The k-th contact keeps its handle time when another scenario has more arrivals."""
    base = run_replication(mmc_config(5.0, 1.0, 10, horizon=100), 0).contacts
    more = run_replication(mmc_config(8.0, 1.0, 14, horizon=100), 0).contacts
    a = base.sort_values("contact_id")
    b = more.sort_values("contact_id").iloc[: len(a)]
    ha = (a.t_end - a.t_answer).to_numpy()
    hb = (b.t_end - b.t_answer).to_numpy()
    assert np.allclose(ha, hb)
    assert np.allclose(b.t_arrival.to_numpy(), a.t_arrival.to_numpy() * 5 / 8)
