"""Tests for sim.analytic.sbr: reference case SB01, Erlang cross-checks, invariants, inputs."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from sim.analytic import SbrTheory, erlang_a, mmc, mmck, priority_mmc_waits, sbr_ctmc
from sim.analytic import sbr as sbr_module

# A copy of the project's shared reference file ../shared/validation/theory_cases.csv,
# kept in the repository so that a clone alone runs every case (test_analytic.py
# checks that the copy still equals the shared file when that is present).
CASES_PATH = Path(__file__).resolve().parent / "data/theory_cases.csv"
REL = 1e-4
PER_TYPE = {
    "p_wait_by_type": "p_wait",
    "p_abandon_by_type": "p_abandon",
    "mean_wait_by_type": "mean_wait",
    "mean_queue_by_type": "mean_queue",
}
QUEUE_FIELDS = ("p_wait", "mean_wait", "p_abandon", "mean_queue", "occupancy")

# SB01 (N-model): type 0 -> pool 0 (3 specialists) then pool 1; type 1 -> pool 1 only;
# a freed generalist (pool 1) serves queue 1 first.
N_MODEL = {
    "lams": [3.0, 1.2],
    "mus": [1.0, 0.5],
    "thetas": [0.5, 0.25],
    "pools": [3, 2],
    "type_pref": [[0, 1], [1]],
    "pool_pref": [[0], [1, 0]],
}
# three types, two pools, overlapping skills, unequal rates
W_MODEL = {
    "lams": [2.0, 1.5, 1.0],
    "mus": [1.0, 0.8, 0.6],
    "thetas": [0.4, 0.3, 0.5],
    "pools": [2, 3],
    "type_pref": [[0, 1], [1], [1, 0]],
    "pool_pref": [[0, 2], [1, 2, 0]],
}


def _sb01_row() -> dict[str, str] | None:
    if not CASES_PATH.is_file():
        return None
    with CASES_PATH.open(newline="") as fh:
        rows = [row for row in csv.DictReader(fh) if row["model"] == "sbr_ctmc"]
    return rows[0] if rows else None


def _as_int(values: list) -> list:
    return [_as_int(v) if isinstance(v, list) else int(v) for v in values]


def _weighted(lams: list[float], values: tuple[float, ...]) -> float:
    return math.fsum(a * v for a, v in zip(lams, values, strict=True)) / math.fsum(lams)


def _assert_queue(got: SbrTheory, k: int, p: int, want, rel: float) -> None:
    """Compare type k (alone in pool p) with a QueueTheory from sim.analytic."""
    for name in QUEUE_FIELDS:
        value = got.occupancy[p] if name == "occupancy" else getattr(got, name)[k]
        assert value == pytest.approx(getattr(want, name), rel=rel, abs=1e-12), name
    assert got.p_block[k] == pytest.approx(want.p_block, rel=rel, abs=1e-12)


# --------------------------------------------------------------------------- reference case SB01


def test_sb01_reference_case() -> None:
    row = _sb01_row()
    if row is None:
        pytest.skip(f"no sbr_ctmc row in {CASES_PATH}")
    params, want = json.loads(row["extra_params"]), json.loads(row["extra_metrics"])
    lams = params["lams"]
    got = sbr_ctmc(
        lams,
        params["mus"],
        params["thetas"],
        _as_int(params["pools"]),
        _as_int(params["type_pref"]),
        _as_int(params["pool_pref"]),
        caps=[40, 40],
    )
    assert max(got.p_block) < 1e-9  # the CSV's caps make P(queue full) < 1e-9
    for key, attr in PER_TYPE.items():
        assert list(getattr(got, attr)) == pytest.approx(want[key], rel=REL), key
    assert list(got.occupancy) == pytest.approx(want["occupancy_by_pool"], rel=REL)
    for mine, theirs in zip(got.served_by_pool, want["served_by_pool"], strict=True):
        assert list(mine) == pytest.approx(theirs, abs=1e-5)
    assert want["p_balk_by_type"] == [0.0, 0.0]  # no balking in this model
    assert got.n_states == int(want["n_states"])
    # top-level columns: arrival-weighted aggregates over types, total queue, total load
    assert float(row["lam_per_min"]) == pytest.approx(sum(lams))
    assert int(row["servers_c"]) == sum(params["pools"])
    rho = sum(a / m for a, m in zip(lams, params["mus"], strict=True)) / sum(params["pools"])
    assert float(row["rho"]) == pytest.approx(rho, rel=REL)
    assert float(row["p_wait"]) == pytest.approx(_weighted(lams, got.p_wait), rel=REL)
    assert float(row["mean_wait_min"]) == pytest.approx(_weighted(lams, got.mean_wait), rel=REL)
    assert float(row["p_abandon"]) == pytest.approx(_weighted(lams, got.p_abandon), rel=REL)
    assert float(row["mean_queue"]) == pytest.approx(sum(got.mean_queue), rel=REL)
    assert float(row["p_block"]) == pytest.approx(_weighted(lams, got.p_block), abs=1e-9)


def test_default_caps_make_truncation_negligible() -> None:
    capped = sbr_ctmc(**N_MODEL, caps=[40, 40])
    auto = sbr_ctmc(**N_MODEL)
    assert max(auto.p_block) < 1e-12
    assert all(c < 40 for c in auto.caps)
    for attr in ("p_wait", "p_abandon", "mean_wait", "mean_queue", "occupancy"):
        assert getattr(auto, attr) == pytest.approx(getattr(capped, attr), rel=1e-9), attr


@pytest.mark.parametrize("caps", [(0, 0), (1, 3), (5, 2), (40, 40)])
def test_state_count_of_n_model(caps: tuple[int, int]) -> None:
    # idle generalist: 4 x 3 states; generalists full, specialist idle: 3 x 3 x (C1 + 1);
    # everyone busy: 3 x (C0 + 1)(C1 + 1). Queues are empty whenever an eligible server idles.
    c0, c1 = caps
    got = sbr_ctmc(**N_MODEL, caps=list(caps))
    assert got.n_states == 12 + 9 * (c1 + 1) + 3 * (c0 + 1) * (c1 + 1)


# --------------------------------------------------------------------------- Erlang cross-checks


@pytest.mark.parametrize(
    ("lam", "mu", "c", "theta"),
    [
        (4.0, 1.0, 5, 0.5),
        (9.0, 1.0, 6, 2.0),
        (0.3, 0.2, 1, 0.1),
        (12.0, 2.0, 5, 1.0),
        (30.0, 1.0, 5, 0.1),
    ],
)
def test_one_type_one_pool_equals_erlang_a(lam: float, mu: float, c: int, theta: float) -> None:
    got = sbr_ctmc([lam], [mu], [theta], [c], [[0]], [[0]])
    assert got.p_block[0] < 1e-12
    _assert_queue(got, 0, 0, erlang_a(lam, 1.0 / mu, c, 1.0 / theta), rel=1e-8)


def test_one_type_one_pool_equals_erlang_c() -> None:
    got = sbr_ctmc([1.5], [1.0], [0.0], [2], [[0]], [[0]], caps=[150])
    assert got.p_block[0] < 1e-15
    _assert_queue(got, 0, 0, mmc(1.5, 1.0, 2), rel=1e-9)


@pytest.mark.parametrize(("cap", "theta"), [(0, 0.0), (3, 0.0), (4, 0.7), (10, 0.2), (300, 0.0)])
def test_one_type_capped_equals_mmck(cap: int, theta: float) -> None:
    got = sbr_ctmc([5.0], [1.0], [theta], [3], [[0]], [[0]], caps=[cap])
    want = mmck(5.0, 1.0, 3, 3 + cap, 1.0 / theta if theta else None)
    assert want.p_block > 1e-3  # the cap matters here
    _assert_queue(got, 0, 0, want, rel=1e-9)


def test_two_pools_one_type_equals_erlang_a_of_the_union() -> None:
    got = sbr_ctmc([5.0], [1.0], [0.5], [2, 3], [[0, 1]], [[0], [0]])
    want = erlang_a(5.0, 1.0, 5, 2.0)
    for name in ("p_wait", "mean_wait", "p_abandon", "mean_queue"):
        assert getattr(got, name)[0] == pytest.approx(getattr(want, name), rel=1e-9), name
    busy = 2 * got.occupancy[0] + 3 * got.occupancy[1]
    assert busy / 5 == pytest.approx(want.occupancy, rel=1e-9)
    assert got.occupancy[0] > got.occupancy[1]  # pool 0 is tried first
    assert sum(got.served_by_pool[0]) == pytest.approx(1.0)


def test_two_independent_types_equal_their_own_erlang_a() -> None:
    lams, mus, thetas, pools = [4.0, 1.5], [1.0, 0.5], [0.5, 1.0], [4, 3]
    got = sbr_ctmc(lams, mus, thetas, pools, [[0], [1]], [[0], [1]])
    alone = [
        sbr_ctmc([a], [m], [t], [c], [[0]], [[0]], caps=[got.caps[k]])
        for k, (a, m, t, c) in enumerate(zip(lams, mus, thetas, pools, strict=True))
    ]
    assert got.n_states == alone[0].n_states * alone[1].n_states
    for k in range(2):
        _assert_queue(got, k, k, erlang_a(lams[k], 1.0 / mus[k], pools[k], 1.0 / thetas[k]), 1e-8)
    assert got.served_by_pool == ((1.0, 0.0), (0.0, 1.0))


@pytest.mark.parametrize(("lams", "mean_service"), [([0.6, 0.8], 1.0), ([1.5, 0.5], 0.8)])
def test_strict_priority_one_pool_matches_cobham(lams: list[float], mean_service: float) -> None:
    got = sbr_ctmc(
        lams, [1.0 / mean_service] * 2, [0.0, 0.0], [2], [[0], [0]], [[0, 1]], caps=[60, 90]
    )
    assert max(got.p_block) < 1e-9
    assert list(got.mean_wait) == pytest.approx(priority_mmc_waits(lams, mean_service, 2), rel=1e-6)
    fcfs = mmc(sum(lams), mean_service, 2)
    # work conservation with equal service times: the arrival-weighted wait is Erlang C's
    assert _weighted(lams, got.mean_wait) == pytest.approx(fcfs.mean_wait, rel=1e-6)
    assert got.p_wait == pytest.approx((fcfs.p_wait, fcfs.p_wait), rel=1e-6)
    assert got.occupancy[0] == pytest.approx(fcfs.occupancy, rel=1e-9)


# --------------------------------------------------------------------------- invariants


@pytest.mark.parametrize(
    ("model", "caps"),
    [
        (N_MODEL, [40, 40]),
        (N_MODEL, None),
        (N_MODEL, [1, 2]),
        (W_MODEL, [8, 8, 8]),
        (W_MODEL, [2, 0, 3]),
    ],
)
def test_flow_conservation_and_ranges(model: dict, caps: list[int] | None) -> None:
    got = sbr_ctmc(**model, caps=caps)
    assert got.residual < 1e-12
    for k, lam in enumerate(model["lams"]):
        done = lam * (1.0 - got.p_block[k]) * (1.0 - got.p_abandon[k])
        assert got.throughput[k] == pytest.approx(done, rel=1e-9), k
        assert got.mean_wait[k] * lam * (1.0 - got.p_block[k]) == pytest.approx(got.mean_queue[k])
        assert 0.0 <= got.p_wait[k] <= 1.0 and 0.0 <= got.p_abandon[k] <= 1.0
        assert sum(got.served_by_pool[k]) == pytest.approx(1.0, abs=1e-12)
        for p, share in enumerate(got.served_by_pool[k]):
            assert share >= 0.0 and (share == 0.0 or p in model["type_pref"][k])
    assert all(0.0 <= occ <= 1.0 for occ in got.occupancy)
    busy = sum(o * n for o, n in zip(got.occupancy, model["pools"], strict=True))
    work = sum(x / m for x, m in zip(got.throughput, model["mus"], strict=True))
    assert busy == pytest.approx(work, rel=1e-9)  # Little's law for the servers


def test_direct_and_iterative_solvers_agree() -> None:
    net = sbr_module._build_net(**W_MODEL, caps=[4, 3, 5])
    _, q = sbr_module._explore(net)
    direct, _ = sbr_module._solve(q, dims=2)  # sparse LU
    iterative, residual = sbr_module._solve(q, dims=3)  # BiCGSTAB / LGMRES
    assert residual < 1e-12
    assert abs(direct - iterative).max() < 1e-10


def test_priority_order_matters() -> None:
    flipped = dict(W_MODEL, pool_pref=[[2, 0], [0, 2, 1]])
    a, b = sbr_ctmc(**W_MODEL, caps=[8, 8, 8]), sbr_ctmc(**flipped, caps=[8, 8, 8])
    assert a.mean_wait[1] < b.mean_wait[1]  # type 1 loses pool-1 priority
    assert a.mean_wait[0] > b.mean_wait[0]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"lams": [3.0]}, r"lams, mus, thetas must have the same length"),
        ({"lams": [3.0, -1.0]}, r"lams\[1\] must be a finite number > 0, got -1.0"),
        ({"mus": [0.0, 1.0]}, r"mus\[0\] must be a finite number > 0"),
        ({"thetas": [0.5, -0.1]}, r"thetas\[1\] must be a finite number >= 0, got -0.1"),
        ({"pools": []}, r"pools must list at least one pool"),
        ({"pools": [3, 0]}, r"pools\[1\] must be >= 1, got 0"),
        ({"pools": [3, 2.5]}, r"pools\[1\] must be an integer"),
        ({"type_pref": [[0, 1]]}, r"type_pref must have 2 entries, got 1"),
        (
            {"type_pref": [[0, 2], [1]]},
            r"type_pref\[0\]\[1\] must be an integer in \[0, 2\), got 2",
        ),
        ({"type_pref": [[0, 0], [1]]}, r"type_pref\[0\] must not repeat"),
        ({"type_pref": [[], [1]], "pool_pref": [[], [1]]}, r"type_pref\[0\] must name at least"),
        ({"pool_pref": [[0], [1, 5]]}, r"pool_pref\[1\]\[1\] must be an integer in \[0, 2\)"),
        ({"pool_pref": [[0], [1]]}, r"type_pref and pool_pref must agree.*pool 1.*type 0"),
        ({"pool_pref": [[0, 1], [1, 0]]}, r"must agree.*pool 0 in type_pref\[1\]=False"),
        ({"caps": [3]}, r"caps must have one entry per type \(2\), got 1"),
        ({"caps": [3, -1]}, r"caps\[1\] must be an integer >= 0, got -1"),
        ({"thetas": [0.5, 0.0]}, r"caps must be given when thetas\[1\] == 0"),
        ({"caps": [600, 600]}, r"361201 states > MAX_STATES=300000"),
    ],
)
def test_bad_input_is_rejected(change: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        sbr_ctmc(**(N_MODEL | change))


def test_state_limit_is_enforced_during_search(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sbr_module, "MAX_STATES", 1000)
    with pytest.raises(ValueError, match="state space exceeds MAX_STATES=1000"):
        sbr_ctmc(**N_MODEL, caps=[30, 30])
