"""Counting protocol: what a run counts as offered, and resolution rates that are rates.

Both tests failed before the fixes of issue 15: repeats arriving while the run drained
were counted as offered (all of them in the last interval), and ``p_resolved`` divided
resolved legs, self-served ones included, by agent-served legs only (1.99 for chat).
"""

import numpy as np
import pytest

from sim import load_config, run_experiment


@pytest.fixture(scope="module")
def day():
    cfg = load_config("default", ["replications=2"])
    return cfg, run_experiment(cfg)


def _kpi(results, scope, metric):
    r = results.replications
    return r[(r.scope == scope) & (r.metric == metric)].set_index("replication")["value"]


def test_only_arrivals_before_the_horizon_are_offered(day):
    cfg, res = day
    c = res.contacts
    first = c[c.leg == 0]
    assert (first.t_arrival >= cfg.horizon).any(), "the drain must hold late repeats to test"
    inside = first[(first.t_arrival >= cfg.warmup) & (first.t_arrival < cfg.horizon)]
    expected = inside.groupby("replication").size()
    assert (_kpi(res, "all", "offered") == expected).all()
    # the last interval holds only its own arrivals, not the drain's
    iv = res.intervals[res.intervals.scope == "all"]
    last = iv[iv.t_start == iv.t_start.max()].set_index("replication")["offered"]
    t0 = cfg.horizon - cfg.interval
    own = first[(first.t_arrival >= t0) & (first.t_arrival < cfg.horizon)]
    assert (last == own.groupby("replication").size().reindex(last.index, fill_value=0)).all()


def test_resolution_rates_have_one_denominator(day):
    _, res = day
    k = res.kpis[res.kpis.metric == "p_resolved"].dropna(subset=["mean"])
    assert len(k) > 5
    assert ((k["mean"] >= 0) & (k["mean"] <= 1)).all(), k[k["mean"] > 1]
    c = res.contacts
    chat = c[(c.channel == "chat") & (c.t_arrival < 1440)]
    handled = chat.outcome.isin(["served", "self_served"])
    expected = chat.resolved.sum() / handled.sum()
    got = _kpi(res, "channel:chat", "p_resolved")
    per_rep = chat.groupby("replication").apply(
        lambda g: g.resolved.sum() / g.outcome.isin(["served", "self_served"]).sum()
    )
    assert np.allclose(got.sort_index().to_numpy(), per_rep.sort_index().to_numpy())
    assert 0 < expected <= 1
