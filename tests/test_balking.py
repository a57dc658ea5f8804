"""Balking and head-start priorities against exact theory (sim/routing/balking.py, policies).

Balking: M/M/c+M where a caller who must wait behind n others hangs up at
once with probability min(1, base + per_waiting n) is a birth-death chain
(sim.analytic.mmc_balking); every measure must lie in the replications'
Bonferroni-corrected interval, the intervals must be narrow enough to have
power, and the theory without the queue-length term must fall outside.
Head start: with a head start of zero two queues sharing one group are one
FCFS M/M/c; with a huge one, the favoured queue is served first: Cobham's
non-preemptive priority M/M/c.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.analytic import mmc, mmc_balking, priority_mmc_waits
from sim.config import AgentGroupConfig, BalkConfig
from sim.metrics.stats import paired_difference, t_interval
from sim.runner import run_experiment
from tests.conftest import make_config, queue

REPS, HORIZON, WARMUP = 10, 3000.0, 200.0
METRICS = ("p_balk", "p_wait", "p_abandon", "mean_wait", "mean_queue", "occupancy")
CASES = [  # (lambda, mean service, agents, base, per_waiting, mean patience)
    (12.0, 1.0, 10, 0.05, 0.08, None),  # overloaded, kept stable by balking alone
    (9.5, 1.0, 10, 0.10, 0.04, 2.0),  # balking and abandonment together
]
LEVEL = 1 - 0.01 / (len(CASES) * len(METRICS))


def balking_config(lam, mean, c, base, per_waiting, patience, **kw):
    q = queue(lam, mean, patience, balk=BalkConfig(True, base, per_waiting))
    kw.setdefault("replications", REPS)
    return make_config(
        {"calls": q}, {"agents": AgentGroupConfig(count=c)}, horizon=HORIZON, warmup=WARMUP, **kw
    )


def intervals(res):
    per = res.replications[res.replications.scope == "all"]
    return {m: t_interval(per[per.metric == m].value.to_numpy(), LEVEL) for m in METRICS}


@pytest.mark.parametrize("case", CASES, ids=["balking only", "balking and patience"])
def test_balking_matches_the_exact_birth_death_chain(case):
    lam, mean, c, base, per_waiting, patience = case
    theory = mmc_balking(lam, mean, c, base, per_waiting, patience)
    found = intervals(run_experiment(balking_config(*case)))
    for m in METRICS:
        _, lo, hi = found[m]
        exact = getattr(theory, m)
        assert lo <= exact <= hi, (m, exact, (lo, hi))
        # half-width, as tests/test_theory_sim.py's PRECISION: narrow enough to have power
        assert (hi - lo) / 2 < max(0.1 * abs(exact), 0.005), (m, "interval too wide")
    if lam * (1 - base) < c / mean or patience:  # without the queue term a steady state exists
        without_queue_term = mmc_balking(lam, mean, c, base, 0.0, patience)
        _, lo, hi = found["p_balk"]
        assert not lo <= without_queue_term.p_balk <= hi


def test_balked_callers_never_join_the_queue_and_are_not_abandonments():
    res = run_experiment(balking_config(12.0, 1.0, 10, 0.05, 0.08, 2.0, replications=2))
    k = res.kpis.set_index(["scope", "metric"])["mean"]
    c = res.contacts
    balked = c[c.outcome == "balked"]
    assert len(balked) > 100 and balked.t_answer.isna().all()
    assert (balked.t_end == balked.t_queue).all()
    ended = c[c.t_arrival >= WARMUP]
    counts = ended.outcome.value_counts()
    assert counts["balked"] + counts["served"] + counts.get("abandoned", 0) + counts.get(
        "open", 0
    ) == len(ended)
    assert k[("all", "queued")] == pytest.approx(k[("all", "offered")] - k[("all", "balked")])


def test_the_balking_draw_leaves_the_arrivals_and_handle_times_common():
    with_balk = run_experiment(balking_config(12.0, 1.0, 10, 0.05, 0.08, None, replications=2))
    c = with_balk.contacts
    plain = run_experiment(
        make_config(
            {"calls": queue(12.0, 1.0)},
            {"agents": AgentGroupConfig(count=14)},
            horizon=HORIZON,
            warmup=WARMUP,
            replications=2,
        )
    ).contacts
    a = c.sort_values(["replication", "contact_id"]).t_arrival.to_numpy()
    b = plain.sort_values(["replication", "contact_id"]).t_arrival.to_numpy()
    assert np.array_equal(a, b)


def two_classes(head_start: float, reps: int = REPS):
    regular, favoured = queue(4.0, 1.0), queue(4.0, 1.0, head_start=head_start)
    return run_experiment(
        make_config(
            {"regular": regular, "favoured": favoured},
            {"agents": AgentGroupConfig(count=9)},
            horizon=HORIZON,
            warmup=WARMUP,
            replications=reps,
        )
    )


def waits(res):
    per = res.replications[res.replications.metric == "mean_wait"]
    level = 1 - 0.01 / 6
    return {
        q: t_interval(per[per.scope == f"queue:{q}"].value.to_numpy(), level)
        for q in ("regular", "favoured")
    }


def test_no_head_start_is_one_fcfs_queue():
    exact = mmc(8.0, 1.0, 9).mean_wait
    for _, lo, hi in waits(two_classes(0.0)).values():
        assert lo <= exact <= hi


def test_a_huge_head_start_is_a_non_preemptive_priority():
    favoured_w, regular_w = priority_mmc_waits([4.0, 4.0], 1.0, 9)
    found = waits(two_classes(1e6))
    assert found["favoured"][1] <= favoured_w <= found["favoured"][2]
    assert found["regular"][1] <= regular_w <= found["regular"][2]


def test_a_moderate_head_start_lies_between_fcfs_and_strict_priority():
    none, some, huge = (two_classes(h) for h in (0.0, 0.5, 1e6))
    for more, less in ((some, none), (huge, some)):  # paired: common random numbers
        d = paired_difference(more.replications, less.replications)  # less - more
        d = d.set_index(["scope", "metric"])
        assert d.loc[("queue:favoured", "mean_wait"), "ci_low"] > 0  # more head start: less wait
        assert d.loc[("queue:regular", "mean_wait"), "ci_high"] < 0
