"""Exact M/M/c+M with balking: a birth-death chain whose arrivals thin as the line grows.

Modelled: Poisson arrivals (rate lambda); c identical exponential servers
(rate mu); FCFS; exponential patience of waiting callers (rate theta, 0 for
none); a caller who finds all c servers busy and n callers waiting balks
(leaves at once) with probability ``b(n) = min(1, base + per_waiting n)``.
The chain on the number in system k has birth rate lambda for k < c and
lambda (1 - b(k - c)) above, death rate min(k, c) mu + max(k - c, 0) theta.
Its weights are built in log space; the state space ends where b reaches 1,
or where the remaining tail is negligible. By PASTA an arrival sees the
stationary distribution, so P(balk) = sum_{k >= c} pi_k b(k - c); the other
measures follow from Little's law over the callers who join. Not modelled:
balking on the announced wait (the simulator's ``per_minute``), which makes
the arrival rate depend on the head of line's age, not only on the state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.analytic.formulas import check_nonnegative, check_positive, check_servers, logsumexp

MAX_STATES = 1_000_000


@dataclass(frozen=True)
class BalkingTheory:
    """Steady-state measures of M/M/c+M with balking (per arriving or joining caller)."""

    p_balk: float  # balked / arrived
    p_wait: float  # joined callers who found every server busy / joined
    p_abandon: float  # abandoned / joined
    mean_wait: float  # time in queue of a joined caller (abandoned ones until they left)
    mean_queue: float
    occupancy: float


def _balk(n: np.ndarray, base: float, per_waiting: float) -> np.ndarray:
    return np.minimum(1.0, base + per_waiting * n)


def _states(c: int, base: float, per_waiting: float, theta: float, lam: float, mu: float) -> int:
    """How many states carry the distribution (beyond, the tail is below 1e-300)."""
    if per_waiting > 0:
        return c + math.ceil(max(0.0, 1.0 - base) / per_waiting) + 1
    if base >= 1:
        return c + 1
    if theta == 0 and lam * (1 - base) >= c * mu:
        raise ValueError("no steady state: the joining rate reaches c * mu and nobody abandons")
    return MAX_STATES


def mmc_balking(
    arrival_rate: float,
    mean_service: float,
    servers: int,
    base: float = 0.0,
    per_waiting: float = 0.0,
    mean_patience: float | None = None,
) -> BalkingTheory:
    """Exact steady state of M/M/c+M with queue-length-dependent balking."""
    lam = check_positive(arrival_rate, "arrival_rate")
    mu = 1.0 / check_positive(mean_service, "mean_service")
    c = check_servers(servers)
    check_nonnegative(base, "base")
    check_nonnegative(per_waiting, "per_waiting")
    theta = 0.0 if mean_patience is None else 1.0 / check_positive(mean_patience, "mean_patience")
    n = _states(c, base, per_waiting, theta, lam, mu)
    k = np.arange(1, n)
    births = np.where(
        k - 1 < c, lam, lam * (1 - _balk(np.maximum(k - 1 - c, 0), base, per_waiting))
    )
    deaths = np.minimum(k, c) * mu + np.maximum(k - c, 0) * theta
    with np.errstate(divide="ignore"):
        logw = np.concatenate(([0.0], np.cumsum(np.log(births) - np.log(deaths))))
    keep = logw > logw.max() - 700
    last = int(np.flatnonzero(keep)[-1]) + 1
    pi = np.exp(logw[:last] - logsumexp(logw[:last]))
    states = np.arange(last)
    waiting = np.maximum(states - c, 0)
    busy = states >= c
    p_balk = float(np.sum(pi[busy] * _balk(waiting[busy], base, per_waiting)))
    joined = 1.0 - p_balk
    mean_queue = float(np.sum(pi * waiting))
    return BalkingTheory(
        p_balk=p_balk,
        p_wait=float(np.sum(pi[busy] * (1 - _balk(waiting[busy], base, per_waiting))) / joined),
        p_abandon=theta * mean_queue / (lam * joined),
        mean_wait=mean_queue / (lam * joined),
        mean_queue=mean_queue,
        occupancy=float(np.sum(pi * np.minimum(states, c))) / c,
    )
