"""Simulation against exact queueing theory.

For each case the simulation runs independent replications after a warm-up;
for each metric the exact value must lie inside the replications' Student-t
confidence interval. The level is Bonferroni-corrected over every assertion
of the run (1 % family-wise false-alarm rate), so a correct simulator passes
with probability >= 99 % whatever the seed; seeds are fixed only so that a
run is reproducible. Each interval must also be narrow (see ``PRECISION``),
so that a test could fail: a biased estimator would fall outside.

The exact values come from ``sim.analytic`` (checked digit by digit against
shared/validation/theory_cases.csv in test_analytic.py). The default run
takes a reduced but meaningful set; ``-m slow`` adds longer and larger cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from sim.analytic import sbr_ctmc
from sim.config import AgentGroupConfig, DistKind, QueuePolicy
from sim.metrics.stats import t_interval
from sim.metrics.theory import theory_for
from sim.runner import run_experiment
from tests.conftest import make_config, mmc_config, queue

FAMILY_ALPHA = 0.01
# Largest CI half-width accepted, as (relative to theory, absolute): a test
# whose interval is wider than this has too little power to mean anything.
PRECISION = {
    "p_wait": (0.05, 0.01),
    "service_level": (0.03, 0.01),
    "p_abandon": (0.10, 0.005),
    "p_block": (0.10, 0.003),
    "occupancy": (0.01, 0.005),
    "mean_wait": (0.10, 0.005),
    "asa": (0.10, 0.005),
    "mean_queue": (0.10, 0.02),
    "wait_p90": (0.10, 0.005),
}


@dataclass
class Case:
    id: str
    cfg_args: dict
    metrics: list[str]
    slow: bool = False
    scope: str = "all"
    extra: dict = field(default_factory=dict)


def mmc_case(id, lam, mean, c, patience=None, capacity=None, t=None, slow=False, **run):
    metrics = ["p_wait", "mean_wait", "service_level", "mean_queue", "occupancy"]
    if patience:
        metrics += ["p_abandon", "asa"]
    if capacity:
        metrics += ["p_block"]
    args = dict(lam=lam, mean=mean, c=c, patience=patience, capacity=capacity, t=t, **run)
    return Case(id, args, metrics, slow)


CASES = [
    # from shared/validation/theory_cases.csv
    mmc_case("EC01_mm1_light", 0.5, 1.0, 1, t=1.0, horizon=25000, warmup=500, replications=20),
    mmc_case(
        "EC04_c55_rho087",
        12.0,
        4.0,
        55,
        t=0.25,
        horizon=26000,
        warmup=300,
        replications=20,
        slow=True,
    ),
    mmc_case(
        "EC06_c130_rho095",
        24.6,
        5.0,
        130,
        t=1 / 3,
        horizon=30000,
        warmup=1000,
        replications=20,
        slow=True,
    ),
    mmc_case(
        "EC08_c3_rho095",
        2.85,
        1.0,
        3,
        t=0.5,
        horizon=100000,
        warmup=3000,
        replications=20,
        slow=True,
    ),
    mmc_case(
        "EA01_mm1m", 0.5, 1.0, 1, patience=1.0, t=0.5, horizon=10000, warmup=200, replications=20
    ),
    mmc_case(
        "EA03_qed_c50",
        48.0,
        1.0,
        50,
        patience=2.0,
        t=0.1,
        horizon=1500,
        warmup=100,
        replications=20,
    ),
    mmc_case(
        "EA05_overload",
        110.0,
        1.0,
        100,
        patience=2.0,
        t=1 / 3,
        horizon=600,
        warmup=60,
        replications=20,
    ),
    mmc_case(
        "EB01_erlangB_15", 8.108, 1.0, 15, capacity=15, horizon=2000, warmup=100, replications=20
    ),
    mmc_case("EB03_erlangB_2", 1.0, 1.0, 2, capacity=2, horizon=5000, warmup=100, replications=20),
    mmc_case(
        "MK01_mm1k5", 0.9, 1.0, 1, capacity=5, t=1.0, horizon=12000, warmup=300, replications=20
    ),
    # our own: heavy load, overload with abandonment, large pools, blocking with patience;
    # c5_rho09 is the default run's M/M/c with waits (EC04 and EC08 need 6M arrivals each)
    mmc_case("c5_rho09", 4.5, 1.0, 5, t=0.5, horizon=22000, warmup=500, replications=20),
    mmc_case(
        "heavy_c10_rho096",
        9.6,
        1.0,
        10,
        t=0.5,
        horizon=60000,
        warmup=2000,
        replications=20,
        slow=True,
    ),
    mmc_case(
        "mmck_abandon",
        9.0,
        1.0,
        8,
        patience=0.7,
        capacity=12,
        t=0.2,
        horizon=1000,
        warmup=100,
        replications=20,
    ),
    mmc_case(
        "big_c1000_rho098",
        980.0,
        1.0,
        1000,
        t=1 / 30,
        horizon=3400,
        warmup=20,
        replications=20,
        slow=True,
    ),
    mmc_case(
        "big_c1000_overload",
        1100.0,
        1.0,
        1000,
        patience=1.0,
        t=1 / 6,
        horizon=60,
        warmup=10,
        replications=20,
    ),
    mmc_case(
        "big_c2000_qed",
        1950.0,
        1.0,
        2000,
        patience=3.0,
        t=1 / 30,
        horizon=2000,
        warmup=20,
        replications=20,
        slow=True,
    ),
    mmc_case(
        "overload_c20_rho15",
        30.0,
        1.0,
        20,
        patience=0.5,
        t=1 / 6,
        horizon=1000,
        warmup=60,
        replications=20,
    ),
]
for _case in CASES:
    if _case.cfg_args["patience"] is None and _case.cfg_args["capacity"] is None:
        _case.metrics.append("wait_p90")


def _build(case: Case):
    a = dict(case.cfg_args)
    lam, mean, c = a.pop("lam"), a.pop("mean"), a.pop("c")
    t = a.pop("t")
    cfg = mmc_config(lam, mean, c, a.pop("patience"), a.pop("capacity"), keep_records=False, **a)
    if t is not None:
        cfg.queues["calls"].sl_threshold = t
    return cfg


def md1_case():
    cfg = make_config(
        {"calls": queue(0.8, 1.0, kind="deterministic", sl_threshold=1.0)},
        {"a": AgentGroupConfig(count=1)},
        horizon=60000,
        warmup=1000,
        replications=20,
        keep_records=False,
    )
    return Case(
        "MG01_md1",
        {"cfg": cfg},
        ["p_wait", "mean_wait", "service_level", "mean_queue", "occupancy"],
    )


def mg1_lognormal_case():
    q = queue(0.7, 1.0)
    q.service.kind, q.service.cv = DistKind.lognormal, 1.5
    cfg = make_config(
        {"calls": q},
        {"a": AgentGroupConfig(count=1)},
        horizon=200000,
        warmup=2000,
        replications=30,
        keep_records=False,
    )
    return Case("mg1_lognormal_cv15", {"cfg": cfg}, ["p_wait", "mean_wait", "occupancy"], slow=True)


def priority_case():
    queues = {"high": queue(0.3, 1.0, priority=0), "low": queue(0.5, 1.0, priority=1)}
    cfg = make_config(
        queues,
        {"a": AgentGroupConfig(count=1)},
        horizon=60000,
        warmup=1000,
        replications=20,
        keep_records=False,
    )
    return cfg


def sbr_case():
    """SB01 (shared/validation/theory_cases.csv): an N-model with static priorities.

    Type 0 goes to 3 specialists, else to 2 generalists; type 1 only to the
    generalists, who take the type-1 queue first when freed.
    """
    queues = {
        "type0": queue(3.0, 1.0, patience=2.0, sl_threshold=0.5),
        "type1": queue(1.2, 2.0, patience=4.0, sl_threshold=0.5),
    }
    agents = {
        "specialists": AgentGroupConfig(count=3, skills=["type0"]),
        "generalists": AgentGroupConfig(count=2, skills=["type1", "type0"]),
    }
    cfg = make_config(
        queues, agents, horizon=20000, warmup=500, replications=20, keep_records=False
    )
    cfg.routing.queue_policy = QueuePolicy.skills_order
    return cfg


SBR_POOLS = ("specialists", "generalists")
SBR_METRICS = [
    (f"queue:{q}", m)
    for q in ("type0", "type1")
    for m in ("p_wait", "p_abandon", "mean_wait", "mean_queue")
] + [(f"group:{g}", "occupancy") for g in SBR_POOLS]


def sbr_theory() -> dict[tuple[str, str], float]:
    """Exact SB01 values from the CTMC solver, keyed like the simulation's KPIs."""
    t = sbr_ctmc([3.0, 1.2], [1.0, 0.5], [0.5, 0.25], [3, 2], [[0, 1], [1]], [[0], [1, 0]])
    out = {}
    for k, q in enumerate(("type0", "type1")):
        for m in ("p_wait", "p_abandon", "mean_wait", "mean_queue"):
            out[(f"queue:{q}", m)] = getattr(t, m)[k]
    for p, g in enumerate(SBR_POOLS):
        out[(f"group:{g}", "occupancy")] = t.occupancy[p]
    return out


ALL = [*CASES, md1_case(), mg1_lognormal_case()]
PRIORITY_METRICS = [
    ("queue:high", "mean_wait"),
    ("queue:low", "mean_wait"),
    ("all", "mean_wait"),
    ("all", "p_wait"),
]


def _selected(include_slow: bool) -> int:
    n = sum(len(c.metrics) for c in ALL if include_slow or not c.slow)
    return n + len(PRIORITY_METRICS) + len(SBR_METRICS)


def _level(request) -> float:
    """Per-assertion confidence: Bonferroni over the assertions this run makes."""
    slow = "slow" in (
        request.config.getoption("-m") or ""
    ) and "not slow" not in request.config.getoption("-m")
    include_slow = slow or request.config.getoption("-m") == ""
    return 1 - FAMILY_ALPHA / _selected(include_slow)


def _check(res, theory, scope, metric, level):
    r = res.replications
    values = r[(r.scope == scope) & (r.metric == metric)]["value"].to_numpy()
    mean, lo, hi = t_interval(values, level)
    if isinstance(theory, dict):
        exact = theory[(scope, metric)]
    else:
        exact = theory[(theory.scope == scope) & (theory.metric == metric)]["theory"].iloc[0]
    rel, absolute = PRECISION[metric]
    half = (hi - lo) / 2
    assert half <= rel * abs(exact) + absolute, (
        f"{metric}: CI half-width {half:.4g} too wide for {exact:.4g}"
    )
    if half == 0:  # every replication gave the same value (e.g. no waits in Erlang B)
        assert mean == pytest.approx(exact, abs=1e-9), f"{scope}/{metric}: {mean} != {exact}"
        return
    assert lo <= exact <= hi, (
        f"{scope}/{metric}: theory {exact:.6g} outside [{lo:.6g}, {hi:.6g}] (mean {mean:.6g})"
    )


def _params():
    return [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.slow else []) for c in ALL]


@pytest.mark.parametrize("case", _params())
def test_simulation_matches_theory(case, request):
    cfg = case.cfg_args.get("cfg") or _build(case)
    theory = theory_for(cfg)
    assert set(case.metrics) <= set(theory.metric), "theory missing for a checked metric"
    res = run_experiment(cfg)
    level = _level(request)
    for metric in case.metrics:
        _check(res, theory, "all", metric, level)


def test_priority_classes_match_cobham(request):
    cfg = priority_case()
    theory = theory_for(cfg)
    res = run_experiment(cfg)
    for scope, metric in PRIORITY_METRICS:
        _check(res, theory, scope, metric, _level(request))


def test_skill_based_routing_matches_the_exact_ctmc(request):
    """SB01: per-type waits and abandonment, per-pool occupancy, against the CTMC."""
    res = run_experiment(sbr_case())
    theory = sbr_theory()
    for scope, metric in SBR_METRICS:
        _check(res, theory, scope, metric, _level(request))


def _all(theory):
    return theory[theory.scope == "all"].set_index("metric")["theory"]


def test_theory_table_matches_the_validation_csv_definitions():
    """theory_for uses the same definitions as the CSV (spot check of two rows)."""
    t = _all(theory_for(_build(CASES[1])))
    assert t["p_wait"] == pytest.approx(0.238701, rel=1e-5)
    assert t["service_level"] == pytest.approx(0.845883, rel=1e-5)
    t = _all(theory_for(_build(CASES[5])))
    assert t["p_abandon"] == pytest.approx(0.0309122, rel=1e-5)
    assert t["service_level"] == pytest.approx(0.738622, rel=1e-5)
    assert np.isfinite(t["asa"])
