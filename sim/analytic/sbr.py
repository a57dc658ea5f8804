"""Exact CTMC solver for small skill-based-routing (SBR) systems.

Modelled: K customer types (Poisson arrivals lam[k]; exponential service rate
mu[k] by type, not by pool; exponential patience theta[k] while waiting, 0 =
none), P pools of n[p] identical servers and static priority routing: an
arrival of type k takes an idle server of the first pool in ``type_pref[k]``
that has one, else joins FCFS queue k (``caps[k]`` places, else it is lost); a
freed server of pool p takes the head of the first non-empty queue in
``pool_pref[p]``, else idles. States (busy servers per pool and type, queue
lengths) come from BFS of the empty system; pi Q = 0 is solved with one balance
equation replaced by sum(pi) = 1 and the residual ||pi Q|| is checked.

Not modelled: pool-dependent service rates, dynamic routing, preemption,
retrials, abandonment from service, non-exponential times, time-varying rates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import LinearOperator, bicgstab, lgmres, splu
from scipy.stats import poisson

from .formulas import check_nonnegative, check_positive, check_servers

MAX_STATES = 300_000
_CAP_TAIL = 1e-12
_RESIDUAL_TOL = 1e-10
_ITER_RTOL = 1e-13
_MAX_ITER = 5_000
_DIRECT_MAX = 10_000


@dataclass(frozen=True)
class SbrTheory:
    """Steady-state performance of a static-priority SBR system.

    Attributes:
        p_wait: Per type, P(an admitted arrival finds no idle eligible server).
        p_abandon: Per type, share of admitted arrivals that abandon.
        p_block: Per type, P(an arrival finds its queue full), i.e. P(full).
        mean_wait: Per type, mean time in queue over admitted arrivals
            (abandoners count their time in queue), by Little's law.
        mean_queue: Per type, time-average number waiting.
        occupancy: Per pool, mean number of busy servers divided by n[p].
        served_by_pool: [k][p] share of type-k service completions by pool p.
        throughput: Per type, service completions per minute.
        caps: Queue caps used.
        n_states: Number of reachable states.
        residual: Max-norm of pi Q for the computed pi.
    """

    p_wait: tuple[float, ...]
    p_abandon: tuple[float, ...]
    p_block: tuple[float, ...]
    mean_wait: tuple[float, ...]
    mean_queue: tuple[float, ...]
    occupancy: tuple[float, ...]
    served_by_pool: tuple[tuple[float, ...], ...]
    throughput: tuple[float, ...]
    caps: tuple[int, ...]
    n_states: int
    residual: float


@dataclass(frozen=True)
class _Net:
    """Validated model; edge e = (pool, type) is a pool-type service pair."""

    lam: tuple[float, ...]
    mu: tuple[float, ...]
    theta: tuple[float, ...]
    n: tuple[int, ...]
    cap: tuple[int, ...]
    edges: tuple[tuple[int, int], ...]
    type_edges: tuple[tuple[tuple[int, int], ...], ...]  # per type: (pool, edge)
    pool_edges: tuple[tuple[tuple[int, int], ...], ...]  # per pool: (type, edge)


def _check_prefs(prefs: Sequence[Sequence[int]], rows: int, size: int, name: str) -> list:
    """Validate ``rows`` preference lists of distinct integers in [0, size)."""
    if len(prefs) != rows:
        raise ValueError(f"{name} must have {rows} entries, got {len(prefs)}")
    for i, pref in enumerate(prefs):
        for j, v in enumerate(pref):
            if isinstance(v, bool) or not isinstance(v, Integral) or not 0 <= v < size:
                raise ValueError(f"{name}[{i}][{j}] must be an integer in [0, {size}), got {v!r}")
        if len(set(pref)) != len(pref):
            raise ValueError(f"{name}[{i}] must not repeat an entry, got {list(pref)}")
    return [[int(v) for v in pref] for pref in prefs]


def _check_caps(caps: Sequence[int] | None, lam: list[float], theta: list[float]) -> list[int]:
    """Validate caps; default P(Poisson(lam/theta) >= cap) < 1e-12 bounds P(full)."""
    if caps is None and 0.0 in theta:
        raise ValueError(f"caps must be given when thetas[{theta.index(0.0)}] == 0")
    if caps is None:
        return [int(poisson.isf(_CAP_TAIL, a / t)) + 1 for a, t in zip(lam, theta, strict=True)]
    if len(caps) != len(lam):
        raise ValueError(f"caps must have one entry per type ({len(lam)}), got {len(caps)}")
    for k, c in enumerate(caps):
        if isinstance(c, bool) or not isinstance(c, Integral) or c < 0:
            raise ValueError(f"caps[{k}] must be an integer >= 0, got {c!r}")
    return [int(c) for c in caps]


def _check_agree(tp: list[list[int]], pp: list[list[int]]) -> set[tuple[int, int]]:
    """Check k in pool_pref[p] iff p in type_pref[k]; return the (pool, type) pairs."""
    if not all(tp):
        raise ValueError(f"type_pref[{[len(x) for x in tp].index(0)}] must name at least one pool")
    a = {(p, k) for k, pref in enumerate(tp) for p in pref}
    b = {(p, k) for p, pref in enumerate(pp) for k in pref}
    if a != b:
        p, k = min(a ^ b)
        raise ValueError(
            f"type_pref and pool_pref must agree (k in pool_pref[p] iff p in type_pref[k]), "
            f"got pool {p} in type_pref[{k}]={p in tp[k]}, type {k} in pool_pref[{p}]={k in pp[p]}"
        )
    return a


def _build_net(
    lams: Sequence[float],
    mus: Sequence[float],
    thetas: Sequence[float],
    pools: Sequence[int],
    type_pref: Sequence[Sequence[int]],
    pool_pref: Sequence[Sequence[int]],
    caps: Sequence[int] | None,
) -> _Net:
    """Validate all inputs (see ``sbr_ctmc``) and assemble the routing graph."""
    k_types, n_pools, sizes = len(lams), len(pools), (len(lams), len(mus), len(thetas))
    if min(sizes) < 1 or len(set(sizes)) > 1:
        raise ValueError(f"lams, mus, thetas must have the same length >= 1, got {sizes}")
    lam = [check_positive(v, f"lams[{k}]") for k, v in enumerate(lams)]
    mu = [check_positive(v, f"mus[{k}]") for k, v in enumerate(mus)]
    theta = [check_nonnegative(v, f"thetas[{k}]") for k, v in enumerate(thetas)]
    if n_pools < 1:
        raise ValueError("pools must list at least one pool, got []")
    n = [check_servers(v, f"pools[{p}]") for p, v in enumerate(pools)]
    tp = _check_prefs(type_pref, k_types, n_pools, "type_pref")
    pp = _check_prefs(pool_pref, n_pools, k_types, "pool_pref")
    eid = {pk: e for e, pk in enumerate(sorted(_check_agree(tp, pp)))}
    return _Net(
        tuple(lam), tuple(mu), tuple(theta), tuple(n), tuple(_check_caps(caps, lam, theta)),
        tuple(eid),
        tuple(tuple((p, eid[p, k]) for p in pref) for k, pref in enumerate(tp)),
        tuple(tuple((k, eid[p, k]) for k in pref) for p, pref in enumerate(pp)),
    )  # fmt: skip


def _moved(s: tuple[int, ...], changes: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    """Return a copy of ``s`` with (position, delta) changes applied."""
    t = list(s)
    for i, d in changes:
        t[i] += d
    return tuple(t)


def _successors(s: tuple[int, ...], net: _Net) -> list[tuple[tuple[int, ...], float]]:
    """All transitions out of state ``s`` as (target, rate); blocked arrivals omitted."""
    n_e = len(net.edges)
    busy = [sum(s[e] for _, e in pe) for pe in net.pool_edges]
    out = []
    for k, lam in enumerate(net.lam):
        free = [e for p, e in net.type_edges[k] if busy[p] < net.n[p]]
        if free:
            out.append((_moved(s, [(free[0], 1)]), lam))
        elif s[n_e + k] < net.cap[k]:
            out.append((_moved(s, [(n_e + k, 1)]), lam))
        if s[n_e + k] and net.theta[k]:
            out.append((_moved(s, [(n_e + k, -1)]), s[n_e + k] * net.theta[k]))
    for e, (p, k) in enumerate(net.edges):
        if s[e]:
            waiting = [(j, f) for j, f in net.pool_edges[p] if s[n_e + j]]
            change = [(e, -1)]
            if waiting:
                change += [(waiting[0][1], 1), (n_e + waiting[0][0], -1)]
            out.append((_moved(s, change), s[e] * net.mu[k]))
    return out


def _explore(net: _Net) -> tuple[list[tuple[int, ...]], sparse.csr_matrix]:
    """Breadth-first search of the reachable states; returns them and the generator."""
    start = (0,) * (len(net.edges) + len(net.lam))
    index, states = {start: 0}, [start]
    trans: list[tuple[int, int, float]] = []
    for i, state in enumerate(states):  # grows while iterating: breadth-first
        for t, r in _successors(state, net):
            j = index.setdefault(t, len(states))
            if j == len(states):
                states.append(t)
                if len(states) > MAX_STATES:
                    raise ValueError(f"state space exceeds MAX_STATES={MAX_STATES}; lower caps")
            trans.append((i, j, r))
    rows, cols, rates = zip(*trans, strict=True)
    q = sparse.csr_matrix((rates, (rows, cols)), shape=(len(states),) * 2)
    return states, (q - sparse.diags(np.asarray(q.sum(axis=1)).ravel())).tocsr()


def _iterate(a: sparse.csr_matrix, rhs: np.ndarray) -> np.ndarray | None:
    """Jacobi-preconditioned BiCGSTAB, then LGMRES; None if neither converges."""
    diag = a.diagonal()
    jacobi = LinearOperator(a.shape, matvec=lambda v: v / diag, dtype=float)
    for method in (bicgstab, lgmres):
        x, info = method(a, rhs, M=jacobi, rtol=_ITER_RTOL, atol=0.0, maxiter=_MAX_ITER)
        if info == 0:
            return x
    return None


def _solve(q: sparse.csr_matrix, dims: int) -> tuple[np.ndarray, float]:
    """Solve pi Q = 0, sum(pi) = 1 (replacing the empty state's equation); return pi, ||pi Q||.

    Sparse LU with diagonal pivots (Q^T is column diagonally dominant) if at most two
    queues can be non-empty or m is small, else Krylov (LU fill explodes in 3+ dims).
    """
    m = q.shape[0]
    a = sparse.vstack([sparse.csr_matrix(np.ones((1, m))), q.T.tocsr()[1:]], format="csr")
    rhs = np.eye(1, m).ravel()
    x = _iterate(a, rhs) if dims > 2 else None
    if x is None and (dims <= 2 or m <= _DIRECT_MAX):
        x = splu(a.tocsc(), permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0).solve(rhs)
    if x is None:
        raise RuntimeError(f"iterative CTMC solve did not converge ({m} states); lower caps")
    pi = np.clip(x, 0.0, None)
    pi /= pi.sum()
    residual = float(np.abs(q.T @ pi).max())
    if not residual <= _RESIDUAL_TOL * np.abs(q.diagonal()).max():  # also catches nan
        raise RuntimeError(f"CTMC solve inaccurate: ||pi Q||_inf = {residual:.3g}")
    return pi, residual


def _measures(net: _Net, s: np.ndarray, pi: np.ndarray, residual: float) -> SbrTheory:
    """Turn the stationary law pi over the states ``s`` (one per row) into measures."""
    n_e, lam = len(net.edges), np.asarray(net.lam)
    busy, queue = pi @ s[:, :n_e], pi @ s[:, n_e:]
    by_pool = np.zeros((len(net.lam), len(net.n)))  # [k, p]: E[pool-p servers busy with k]
    by_pool[tuple(np.array(net.edges)[:, ::-1].T)] = busy
    pool_busy = np.stack([s[:, [e for _, e in pe]].sum(axis=1) for pe in net.pool_edges], axis=1)
    full = pool_busy == np.asarray(net.n)
    all_full = np.stack([full[:, [p for p, _ in te]].all(axis=1) for te in net.type_edges], 1)
    p_block = pi @ (all_full & (s[:, n_e:] == np.asarray(net.cap)))
    admitted = lam * (1.0 - p_block)
    return SbrTheory(
        p_wait=tuple(((pi @ all_full - p_block) / (1.0 - p_block)).tolist()),
        p_abandon=tuple((np.asarray(net.theta) * queue / admitted).tolist()),
        p_block=tuple(p_block.tolist()),
        mean_wait=tuple((queue / admitted).tolist()),
        mean_queue=tuple(queue.tolist()),
        occupancy=tuple((by_pool.sum(axis=0) / np.asarray(net.n)).tolist()),
        served_by_pool=tuple(tuple((row / row.sum()).tolist()) for row in by_pool),
        throughput=tuple((np.asarray(net.mu) * by_pool.sum(axis=1)).tolist()),
        caps=net.cap,
        n_states=len(s),
        residual=residual,
    )


def sbr_ctmc(
    lams: Sequence[float],
    mus: Sequence[float],
    thetas: Sequence[float],
    pools: Sequence[int],
    type_pref: Sequence[Sequence[int]],
    pool_pref: Sequence[Sequence[int]],
    caps: Sequence[int] | None = None,
) -> SbrTheory:
    """Exact steady state of a static-priority skill-based-routing system.

    Args:
        lams: Arrival rate per type, per minute (> 0).
        mus: Service rate per type, per minute (> 0), the same in every pool.
        thetas: Abandonment rate per type, per minute (>= 0; 0 = infinitely patient).
        pools: Number of servers per pool (integers >= 1).
        type_pref: Per type, the ordered pools that may serve it (non-empty).
        pool_pref: Per pool, the ordered types it serves (strict priority).
        caps: Per type, the maximal queue length (integers >= 0). None picks
            caps with P(full) < 1e-12, which requires every theta > 0.

    Returns:
        The per-type, per-pool measures; check ``p_block`` (= P(queue full))
        when the caps are meant to approximate an unbounded queue.

    Raises:
        ValueError: On inconsistent input or more than ``MAX_STATES`` states.
        RuntimeError: If the linear solve leaves a large residual.
    """
    net = _build_net(lams, mus, thetas, pools, type_pref, pool_pref, caps)
    lower = math.prod(c + 1 for c in net.cap)  # all pools full, any queue vector
    if lower > MAX_STATES:
        raise ValueError(f"caps={list(net.cap)} give >= {lower} states > MAX_STATES={MAX_STATES}")
    states, q = _explore(net)
    pi, residual = _solve(q, sum(c > 0 for c in net.cap))
    return _measures(net, np.asarray(states, dtype=np.int64), pi, residual)
