"""Tests for sim.analytic: reference cases, independent cross-checks, stability."""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
from decimal import Decimal, localcontext
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.linalg import expm
from scipy.stats import poisson

from sim.analytic import (
    QueueTheory,
    birth_death,
    erlang_a,
    erlang_b,
    erlang_c,
    halfin_whitt_beta,
    md1_wait_cdf,
    mg1_mean_wait,
    mmc,
    mmck,
    offered_wait_cdf,
    priority_mmc_waits,
    square_root_staffing,
    staff_for_service_level,
    stationary_distribution,
)

# A copy of the project's shared reference file ../shared/validation/theory_cases.csv,
# kept in the repository so that a clone alone runs every case (test_analytic.py
# checks that the copy still equals the shared file when that is present).
CASES_PATH = Path(__file__).resolve().parent / "data/theory_cases.csv"
MODELS = {"erlangB", "erlangC", "erlangA", "mmck", "mg1", "priority"}
COLUMNS = {
    "rho": "rho",
    "p_wait": "p_wait",
    "mean_wait_min": "mean_wait",
    "sl_at_t": "service_level",
    "p_abandon": "p_abandon",
    "p_block": "p_block",
    "mean_queue": "mean_queue",
    "occupancy": "occupancy",
}
REL = 1e-4
FIELDS = [
    "p_wait",
    "mean_wait",
    "service_level",
    "p_abandon",
    "p_block",
    "mean_queue",
    "occupancy",
    "mean_wait_served",
    "throughput",
]


# --------------------------------------------------------------------------- reference CSV


def _load_cases() -> list[dict[str, str]]:
    if not CASES_PATH.is_file():
        return []
    with CASES_PATH.open(newline="") as fh:
        return [row for row in csv.DictReader(fh) if row["model"] in MODELS]


def _num(text: str) -> float | None:
    text = text.strip()
    return None if text == "" else float(text)


def _queue_extras(row: dict[str, str], q: QueueTheory, load: float) -> dict[str, float]:
    lam, ms, c = float(row["lam_per_min"]), float(row["mean_service_min"]), int(row["servers_c"])
    out = {
        "mean_wait_served": q.mean_wait_served,
        "throughput": q.throughput,
        "mean_in_system": q.mean_queue + q.occupancy * c,
        "carried_load_erlangs": load * (1.0 - q.p_block),
        "p_wait_per_offered": q.p_wait * (1.0 - q.p_block),
        "sl_at_t_per_offered": q.service_level * (1.0 - q.p_block),
    }
    if q.p_wait > 0:
        out["mean_wait_given_wait"] = q.mean_wait / q.p_wait
        out["p_abandon_given_wait"] = q.p_abandon / q.p_wait
    patience, t = _num(row["mean_patience_min"]), _num(row["t_sl_min"])
    if patience is not None and t is not None:
        cap = None if row["K_capacity"] == "inf" else int(float(row["K_capacity"]))
        v_cdf = offered_wait_cdf(lam, ms, c, t, patience, cap)
        p_w_le_t = 1.0 - (1.0 - v_cdf) * math.exp(-t / patience)
        served = 1.0 - q.p_abandon
        out |= {
            "p_offered_wait_gt_t": 1.0 - v_cdf,
            "p_W_le_t_all": p_w_le_t,
            "p_abandon_within_t": p_w_le_t - q.service_level,
            "sl_served_only": q.service_level / served,
            "mean_wait_abandoned": (q.mean_wait - served * q.mean_wait_served) / q.p_abandon,
        }
    return out


def _queue_case(row: dict[str, str]) -> dict[str, float]:
    lam, ms, c = float(row["lam_per_min"]), float(row["mean_service_min"]), int(row["servers_c"])
    t, patience = _num(row["t_sl_min"]), _num(row["mean_patience_min"])
    model = row["model"]
    if model == "erlangC":
        q = mmc(lam, ms, c, t)
    elif model == "erlangA":
        q = erlang_a(lam, ms, c, patience, t)
    else:
        q = mmck(lam, ms, c, int(float(row["K_capacity"])), patience, t)
    if model == "erlangB":
        assert q.p_block == pytest.approx(erlang_b(c, lam * ms), rel=1e-12)
    out = {name: getattr(q, attr) for name, attr in COLUMNS.items() if attr != "rho"}
    out["rho"] = lam * ms / c
    return out | _queue_extras(row, q, lam * ms)


def _mg1_case(row: dict[str, str]) -> dict[str, float]:
    lam, ms = float(row["lam_per_min"]), float(row["mean_service_min"])
    rho = lam * ms
    wait = mg1_mean_wait(lam, ms, float(row["service_cv"]) ** 2)
    out = {"rho": rho, "p_wait": rho, "mean_wait_min": wait, "mean_queue": lam * wait}
    out |= {"occupancy": rho, "p_abandon": 0.0, "p_block": 0.0}
    if row["service_dist"] == "deterministic" and _num(row["t_sl_min"]) is not None:
        out["sl_at_t"] = md1_wait_cdf(lam, ms, float(row["t_sl_min"]))
    return out


def _priority_case(row: dict[str, str]) -> dict[str, float]:
    params = json.loads(row["extra_params"])
    lams, order = params["lam_by_class"], params["priority_order"]
    ms, c = float(row["mean_service_min"]), int(row["servers_c"])
    ranked = sorted(range(len(lams)), key=lambda i: order[i])
    waits = priority_mmc_waits([lams[i] for i in ranked], ms, c)
    wait_of = {cls: waits[rank] for rank, cls in enumerate(ranked)}
    lam = sum(lams)
    queue = sum(lams[i] * wait_of[i] for i in range(len(lams)))
    pw = erlang_c(c, lam * ms)
    out = {"rho": lam * ms / c, "p_wait": pw, "mean_wait_min": queue / lam, "mean_queue": queue}
    out |= {"occupancy": lam * ms / c, "p_abandon": 0.0, "p_block": 0.0, "p_wait_each_class": pw}
    for key in json.loads(row["extra_metrics"] or "{}"):
        match = re.fullmatch(r"mean_wait_class(\d+)_\w+", key)
        if match:
            out[key] = wait_of[int(match.group(1)) - 1]
    return out


def _computed(row: dict[str, str]) -> dict[str, float]:
    if row["model"] == "mg1":
        return _mg1_case(row)
    if row["model"] == "priority":
        return _priority_case(row)
    return _queue_case(row)


CASES = _load_cases()
SHARED_CASES = Path(__file__).resolve().parents[2] / "shared/validation/theory_cases.csv"


def test_vendored_cases_match_the_shared_file() -> None:
    assert len(CASES) >= 10, f"{CASES_PATH}: expected the reference cases"
    if not SHARED_CASES.exists():
        pytest.skip(f"{SHARED_CASES} not present (a clone outside the project workspace)")
    assert CASES_PATH.read_bytes() == SHARED_CASES.read_bytes(), "copy out of date"


@pytest.mark.parametrize(
    "row",
    CASES or [pytest.param(None, marks=pytest.mark.skip(reason=f"{CASES_PATH} not found"))],
    ids=[r["case_id"] for r in CASES] or ["missing"],
)
def test_theory_cases(row: dict[str, str]) -> None:
    got = _computed(row)
    expected = {k: _num(row[k]) for k in COLUMNS if _num(row[k]) is not None}
    expected |= json.loads(row["extra_metrics"] or "{}")
    missing = set(expected) - set(got)
    assert not missing, f"{row['case_id']}: no computation for {sorted(missing)}"
    assert expected, row["case_id"]
    for key, want in expected.items():
        assert got[key] == pytest.approx(want, rel=REL, abs=1e-12), f"{row['case_id']}.{key}"


# --------------------------------------------------------------------------- dense CTMC reference


def _dense_stationary(lam: float, mu: float, c: int, theta: float, n: int) -> np.ndarray:
    """Stationary vector of the truncated birth-death generator by linear algebra."""
    gen = np.zeros((n + 1, n + 1))
    for k in range(n + 1):
        if k < n:
            gen[k, k + 1] = lam
        if k > 0:
            gen[k, k - 1] = min(k, c) * mu + max(k - c, 0) * theta
        gen[k, k] = -gen[k].sum()
    rhs = np.zeros(n + 2)
    rhs[-1] = 1.0
    return np.linalg.lstsq(np.vstack([gen.T, np.ones(n + 1)]), rhs, rcond=None)[0]


def _tagged_generator(c: int, mu: float, theta: float, m: int, own_patience: bool) -> np.ndarray:
    """Tagged caller with j = 0..m-1 ahead; absorbing states m = served, m+1 = abandoned."""
    aug = np.zeros((m + 2, m + 2))
    for j in range(1, m):
        aug[j, j - 1] = c * mu + j * theta
    aug[0, m] = c * mu
    if own_patience:
        aug[:m, m + 1] = theta
    np.fill_diagonal(aug, -aug.sum(axis=1))
    return aug


def _dense_reference(
    lam: float, mu: float, c: int, theta: float, cap: int | None, t: float
) -> dict[str, float]:
    """Brute force: full generator + tagged-customer absorbing chain with expm."""
    n = cap if cap is not None else c + 200
    pi = _dense_stationary(lam, mu, c, theta, n)
    k = np.arange(n + 1)
    p_block = pi[n] if cap is not None else 0.0
    view = (pi[:n] if cap is not None else pi) / (1.0 - p_block)
    beta, m = view[c:], n + 1 - c - (cap is not None)
    aug = _tagged_generator(c, mu, theta, m, own_patience=True)
    fundamental = np.linalg.inv(-aug[:m, :m])
    p_ab = beta @ fundamental @ aug[:m, m + 1]
    no_wait = view[:c].sum()
    offered = _tagged_generator(c, mu, theta, m, own_patience=False)
    return {
        "p_wait": beta.sum(),
        "mean_wait": beta @ fundamental @ np.ones(m),
        "service_level": no_wait + beta @ expm(aug * t)[:m, m],
        "p_abandon": p_ab,
        "p_block": p_block,
        "mean_queue": np.maximum(k - c, 0) @ pi,
        "occupancy": np.minimum(k, c) @ pi / c,
        "mean_wait_served": beta @ fundamental @ fundamental @ aug[:m, m] / (1.0 - p_ab),
        "throughput": mu * (np.minimum(k, c) @ pi),
        "offered_cdf": no_wait + beta @ expm(offered * t)[:m, m],
    }


DENSE_CASES = [
    # lam, mean_service, c, mean_patience, capacity, t
    (0.5, 1.0, 1, 1.0, None, 0.5),
    (1.7, 1.0, 2, 2.0, None, 0.3),
    (2.5, 1.0, 2, 0.7, None, 1.0),  # overload
    (4.0, 0.8, 3, 1.5, None, 0.25),
    (6.0, 1.0, 3, 2.0, None, 2.0),  # heavy overload
    (2.5, 1.0, 2, 1.0, 7, 0.5),  # M/M/c/K+M
    (0.9, 1.0, 1, None, 5, 1.0),  # M/M/1/5
    (3.5, 1.0, 3, None, 9, 0.4),  # M/M/3/9, overloaded but finite
]


@pytest.mark.parametrize(("lam", "ms", "c", "patience", "cap", "t"), DENSE_CASES)
def test_birth_death_vs_dense_ctmc(lam, ms, c, patience, cap, t) -> None:
    theta = 0.0 if patience is None else 1.0 / patience
    ref = _dense_reference(lam, 1.0 / ms, c, theta, cap, t)
    q = birth_death(lam, ms, c, cap, patience, t)
    for field in FIELDS:
        assert getattr(q, field) == pytest.approx(ref[field], rel=1e-8, abs=1e-13), field
    v_cdf = offered_wait_cdf(lam, ms, c, t, patience, cap)
    assert v_cdf == pytest.approx(ref["offered_cdf"], rel=1e-8)
    if patience is not None and cap is None:
        assert erlang_a(lam, ms, c, patience, t) == q
    if cap is not None:
        assert mmck(lam, ms, c, cap, patience, t) == q


# --------------------------------------------------------------------------- cross-checks


@pytest.mark.parametrize(
    ("c", "load"), [(1, 0.5), (2, 1.0), (15, 8.108), (50, 45.0), (300, 310.0), (2000, 1950.0)]
)
def test_erlang_b_equals_loss_system_and_poisson_form(c: int, load: float) -> None:
    b = erlang_b(c, load)
    assert mmck(load, 1.0, c, capacity=c).p_block == pytest.approx(b, rel=1e-10)
    poisson_form = math.exp(poisson.logpmf(c, load) - poisson.logcdf(c, load))
    assert b == pytest.approx(poisson_form, rel=1e-9)


def test_erlang_b_and_c_small_closed_forms() -> None:
    assert erlang_b(1, 3.0) == pytest.approx(0.75)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)
    assert erlang_b(4, 0.0) == 0.0
    for c, a in [(1, 0.3), (3, 2.2), (7, 6.5)]:
        top = a**c / math.factorial(c) * c / (c - a)
        direct = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
        assert erlang_c(c, a) == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize(
    ("lam", "ms", "c", "t"), [(12.0, 4.0, 55, 0.25), (2.85, 1.0, 3, 0.5), (0.5, 1.0, 1, 1.0)]
)
def test_limits_reduce_to_mmc(lam: float, ms: float, c: int, t: float) -> None:
    ref = mmc(lam, ms, c, t)
    patient = erlang_a(lam, ms, c, 1e9, t)
    roomy = mmck(lam, ms, c, 10**7, None, t)
    unlimited = birth_death(lam, ms, c, None, None, t)
    for field in FIELDS:
        assert getattr(patient, field) == pytest.approx(getattr(ref, field), rel=1e-6, abs=1e-8)
        assert getattr(roomy, field) == pytest.approx(getattr(ref, field), rel=1e-10, abs=1e-14)
        assert getattr(unlimited, field) == pytest.approx(getattr(ref, field), rel=1e-10)


CONSERVATION_CASES = [
    (48.0, 1.0, 50, 2.0, None),
    (110.0, 1.0, 100, 2.0, None),
    (3.0, 2.0, 4, 0.5, 12),
    (9.0, 1.0, 8, None, 20),
]


@pytest.mark.parametrize(("lam", "ms", "c", "patience", "cap"), CONSERVATION_CASES)
def test_littles_law_and_flow_conservation(lam, ms, c, patience, cap) -> None:
    theta = 0.0 if patience is None else 1.0 / patience
    q = birth_death(lam, ms, c, cap, patience, 0.2)
    lam_adm = lam * (1.0 - q.p_block)
    assert q.mean_queue == pytest.approx(lam_adm * q.mean_wait, rel=1e-12)
    assert q.p_abandon * lam_adm == pytest.approx(theta * q.mean_queue, rel=1e-12, abs=1e-15)
    assert q.throughput == pytest.approx(lam_adm * (1.0 - q.p_abandon), rel=1e-10)
    # every admitted caller is eventually served or abandons: SL(t -> inf) = P(served)
    late = birth_death(lam, ms, c, cap, patience, 1e4)
    assert late.service_level == pytest.approx(1.0 - q.p_abandon, rel=1e-10)
    assert offered_wait_cdf(lam, ms, c, 1e4, patience, cap) == pytest.approx(1.0, rel=1e-12)
    assert stationary_distribution(lam, ms, c, cap, patience).sum() == pytest.approx(1.0)


def test_monotone_in_servers() -> None:
    lam, ms, t = 20.0, 1.0, 1 / 3
    mmc_runs = [mmc(lam, ms, c, t) for c in range(21, 40)]
    ea_runs = [erlang_a(lam, ms, c, 1.5, t) for c in range(10, 40)]
    for runs in (mmc_runs, ea_runs):
        waits = [q.mean_wait for q in runs]
        levels = [q.service_level for q in runs]
        assert all(b < a for a, b in itertools.pairwise(waits))
        assert all(b > a for a, b in itertools.pairwise(levels))
    abandons = [q.p_abandon for q in ea_runs]
    assert all(b < a for a, b in itertools.pairwise(abandons))


def _assert_sane(q: QueueTheory) -> None:
    for field in FIELDS:
        assert math.isfinite(getattr(q, field)), field
    for field in ("p_wait", "service_level", "p_abandon", "p_block", "occupancy"):
        assert 0.0 <= getattr(q, field) <= 1.0, field


def test_stability_2000_servers() -> None:
    c, load = 2000, 1950.0
    b = erlang_b(c, load)
    pc = erlang_c(c, load)
    assert 0.0 < b < pc < 1.0
    # independent log-space Erlang C: P(wait) = c B / (c - a (1 - B)), B from Poisson logs
    b_ref = math.exp(poisson.logpmf(c, load) - poisson.logcdf(c, load))
    assert pc == pytest.approx(c * b_ref / (c - load * (1 - b_ref)), rel=1e-9)
    runs = [
        mmc(load, 1.0, c, 1 / 3),
        erlang_a(load, 1.0, c, 1.0, 1 / 3),
        erlang_a(load, 1.0, c, 100.0, 1 / 3),
        erlang_a(2100.0, 1.0, c, 0.5, 1 / 3),
        mmck(load, 1.0, c, 2100, None, 1 / 3),
        mmck(load, 1.0, c, 2100, 2.0, 1 / 3),
        mmck(2500.0, 1.0, c, 2500, None, 1 / 3),
    ]
    for q in runs:
        _assert_sane(q)
    assert runs[0].p_wait == pytest.approx(pc)
    assert runs[2].mean_wait < runs[0].mean_wait
    assert erlang_a(load, 1.0, c, 1e6, 1 / 3).p_wait == pytest.approx(pc, rel=1e-3)


# --------------------------------------------------------------------------- M/G/1, M/D/1


def _md1_erlang_series(rho: float, t: float) -> float:
    """Erlang's alternating series in 60-digit decimal arithmetic (D = 1)."""
    with localcontext() as ctx:
        ctx.prec = 60
        lam, tt = Decimal(repr(rho)), Decimal(repr(t))
        total = Decimal(0)
        for k in range(math.floor(t) + 1):
            x = lam * (k - tt)
            power = Decimal(1) if k == 0 else x**k
            total += power / math.factorial(k) * (-x).exp()
        return float((1 - lam) * total)


@pytest.mark.parametrize("t", [0.0, 0.3, 1.0, 1.7, 2.5, 5.0, 7.25, 9.999, 10.0])
def test_md1_cdf_vs_high_precision_erlang_series(t: float) -> None:
    assert md1_wait_cdf(0.8, 1.0, t) == pytest.approx(_md1_erlang_series(0.8, t), rel=1e-12)
    # time scaling: D = 2 min, same rho
    assert md1_wait_cdf(0.4, 2.0, 2 * t) == pytest.approx(md1_wait_cdf(0.8, 1.0, t), rel=1e-12)


def test_md1_cdf_mean_matches_pollaczek_khinchine() -> None:
    for rho in (0.5, 0.8):
        area = sum(
            quad(lambda s, r=rho: 1.0 - md1_wait_cdf(r, 1.0, s), k, k + 1, epsabs=1e-13)[0]
            for k in range(80)
        )
        assert area == pytest.approx(mg1_mean_wait(rho, 1.0, 0.0), rel=1e-8)


def test_md1_cdf_shape() -> None:
    assert md1_wait_cdf(0.8, 1.0, 0.0) == pytest.approx(0.2)
    assert md1_wait_cdf(0.8, 1.0, -1.0) == 0.0
    values = [md1_wait_cdf(0.95, 1.0, x) for x in np.linspace(0, 300, 61)]
    assert all(b >= a for a, b in itertools.pairwise(values))
    assert values[-1] == pytest.approx(1.0, abs=1e-12)


def test_mg1_mean_wait_special_cases() -> None:
    assert mg1_mean_wait(0.8, 1.0, 1.0) == pytest.approx(mmc(0.8, 1.0, 1).mean_wait)
    assert mg1_mean_wait(0.8, 1.0, 0.0) == pytest.approx(2.0)
    # rho = 0.5, E[S^2] = 4 * (1 + 3) = 16 -> Wq = 0.25 * 16 / (2 * 0.5) = 4
    assert mg1_mean_wait(0.25, 2.0, 3.0) == pytest.approx(4.0)


# --------------------------------------------------------------------------- priority


def test_priority_conservation_and_order() -> None:
    rates, ms, c = [1.0, 2.0, 1.5], 0.5, 3
    waits = priority_mmc_waits(rates, ms, c)
    fcfs = mmc(sum(rates), ms, c).mean_wait
    assert sum(r * w for r, w in zip(rates, waits, strict=True)) / sum(rates) == pytest.approx(fcfs)
    assert waits[0] < waits[1] < waits[2]
    assert priority_mmc_waits([4.5], ms, c) == [pytest.approx(fcfs)]


# --------------------------------------------------------------------------- published check


@pytest.mark.parametrize(("agents", "asa_seconds"), [(21, 137), (24, 13), (25, 7)])
def test_klenke_swpp_erlang_c_asa(agents: int, asa_seconds: int) -> None:
    # 20 Erlang with AHT 3 min: lambda = 20/3 per minute
    asa = mmc(20 / 3, 3.0, agents).mean_wait * 60
    assert abs(asa - asa_seconds) <= 1.0


# --------------------------------------------------------------------------- staffing


def test_square_root_staffing() -> None:
    assert square_root_staffing(100.0, 1.0) == 110
    assert square_root_staffing(20.0, 0.5) == 23
    assert square_root_staffing(100.0, -0.5) == 95
    assert square_root_staffing(0.01, -5.0) == 1


@pytest.mark.parametrize("p", [1e-12, 0.01, 0.2, 0.5, 0.8, 0.999999])
def test_halfin_whitt_beta_round_trip(p: float) -> None:
    beta = halfin_whitt_beta(p)
    phi = math.exp(-beta * beta / 2) / math.sqrt(2 * math.pi)
    cdf = 0.5 * math.erfc(-beta / math.sqrt(2))
    assert 1.0 / (1.0 + beta * cdf / phi) == pytest.approx(p, rel=1e-9)


def test_halfin_whitt_beta_known_values() -> None:
    assert halfin_whitt_beta(1.0) == 0.0
    assert halfin_whitt_beta(0.5) == pytest.approx(0.506, abs=1e-3)


STAFF_CASES = [
    # lam, ms, t, target, patience, max_abandon
    (20 / 3, 3.0, 1 / 3, 0.8, None, None),
    (12.0, 4.0, 0.25, 0.9, None, None),
    (48.0, 1.0, 0.1, 0.8, 2.0, None),
    (48.0, 1.0, 0.1, 0.5, 2.0, 0.005),
    (1950.0, 1.0, 1 / 3, 0.8, None, None),
    (1950.0, 1.0, 1 / 3, 0.8, 2.0, 0.01),
]


@pytest.mark.parametrize(("lam", "ms", "t", "target", "patience", "max_ab"), STAFF_CASES)
def test_staff_for_service_level_is_minimal(lam, ms, t, target, patience, max_ab) -> None:
    c = staff_for_service_level(lam, ms, t, target, patience, max_ab)

    def meets(n: int) -> bool:
        if patience is None:
            return n > lam * ms and mmc(lam, ms, n, t).service_level >= target
        q = erlang_a(lam, ms, n, patience, t)
        return q.service_level >= target and (max_ab is None or q.p_abandon <= max_ab)

    assert meets(c)
    assert c == 1 or not meets(c - 1)


def test_staffing_small_numbers() -> None:
    assert staff_for_service_level(20 / 3, 3.0, 1 / 3, 0.8) == 24
    with pytest.raises(ValueError, match="max_servers=30"):
        staff_for_service_level(100.0, 1.0, 1 / 3, 0.8, max_servers=30)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_b(0, 1.0), r"servers must be >= 1, got 0"),
        (lambda: erlang_b(2.5, 1.0), r"servers must be an integer"),
        (lambda: erlang_b(3, -1.0), r"load must be .*>= 0, got -1.0"),
        (lambda: erlang_c(5, 5.0), r"load must be < servers"),
        (lambda: mmc(-1.0, 1.0, 2), r"arrival_rate must be .*> 0, got -1.0"),
        (lambda: mmc(1.0, 0.0, 2), r"mean_service must be .*> 0, got 0.0"),
        (lambda: mmc(1.0, 1.0, 2, -1.0), r"sl_threshold must be .*>= 0"),
        (lambda: mmck(1.0, 1.0, 3, 2), r"capacity must be >= servers \(3\), got 2"),
        (lambda: erlang_a(1.0, 1.0, 1, 0.0), r"mean_patience must be .*> 0, got 0.0"),
        (lambda: birth_death(3.0, 1.0, 2), r"must be < servers"),
        (lambda: mg1_mean_wait(1.0, 1.0, 1.0), r"got rho=1.0"),
        (lambda: mg1_mean_wait(0.5, 1.0, -1.0), r"service_scv must be"),
        (lambda: md1_wait_cdf(2.0, 1.0, 1.0), r"got rho=2.0"),
        (lambda: priority_mmc_waits([], 1.0, 1), r"arrival_rates must contain"),
        (lambda: priority_mmc_waits([0.6, 0.5], 1.0, 1), r"load must be < servers"),
        (lambda: halfin_whitt_beta(0.0), r"p_wait must be in \(0, 1\], got 0.0"),
        (lambda: square_root_staffing(0.0, 1.0), r"load must be .*> 0"),
        (lambda: staff_for_service_level(1.0, 1.0, 0.1, 1.0), r"target must be in"),
        (lambda: staff_for_service_level(1.0, 1.0, 0.1, 0.8, None, 2.0), r"max_abandon"),
    ],
)
def test_invalid_input_raises(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("n", [1, 7, 400, 3000])
@pytest.mark.parametrize("x", [1e-6, 0.4, 3.0, 33.3, 1000.0, 2500.0])
def test_erlang_cdf_equals_scipys_gammainc(n: int, x: float) -> None:
    """The M/M/c waits' Erlang CDF (kept free of scipy at start-up) against scipy's."""
    from scipy.special import gammainc

    from sim.analytic.birth_death_chain import erlang_cdf

    ref = gammainc(np.arange(n) + 1.0, x)
    got = erlang_cdf(n, x)
    keep = ref > 1e-300
    assert np.allclose(got[keep], ref[keep], rtol=1e-11, atol=0.0)
    assert np.all(got[~keep] < 1e-290)


@pytest.mark.parametrize(
    "x",
    [[0.0], [-800.0, -700.0, -750.0], [700.0, 710.0, 1.0], [-np.inf, 0.5], [-np.inf, -np.inf]],
)
def test_logsumexp_equals_scipys(x: list[float]) -> None:
    """The chains' log-sum-exp (no scipy at start-up) against scipy's, overflow ranges included."""
    from scipy.special import logsumexp as ref

    from sim.analytic.formulas import logsumexp

    assert logsumexp(np.array(x)) == pytest.approx(float(ref(np.array(x))), rel=1e-14)
