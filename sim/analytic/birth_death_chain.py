"""Exact M/M/c/K+M birth-death solver (Erlang A, M/M/c/K, with or without patience).

Modelled: Poisson arrivals (rate lambda), c identical exponential servers
(rate mu each), FCFS queue, optional finite capacity K (servers plus waiting
room; arrivals finding K callers are blocked and lost) and optional
exponential patience (rate theta = 1 / mean patience) of waiting callers.
Callers in service never abandon. Not modelled: retrials of blocked or
abandoned callers, non-exponential service or patience, priorities.

Stationary distribution: the chain has birth rate lambda (k < K) and death
rate min(k, c) mu + max(k - c, 0) theta. The weights are built in log space
with cumulative sums of log(lambda / death_k) and normalised in log space,
so nothing overflows for thousands of servers. With K infinite, the state
space is truncated once a geometric bound on the remaining tail mass (and on
its contribution to E[Q]) is below 1e-17 (1e-16) relative.

Waiting time of a tagged admitted caller who finds j callers waiting ahead:
each removal ahead of it (service completion or abandonment) happens at rate
c mu + i theta (i = callers still ahead), and it reaches a server after one
more completion at rate c mu. Its *offered* wait V_j (time until a server
would take it) is thus a sum of exponentials with rates a + i theta,
i = 0..j, a = c mu. Partial fractions give the density
f(s) = K_j exp(-a s) (1 - exp(-theta s))^j; substituting
u = 1 - exp(-theta s) turns it into a beta integral, hence exactly

    P(V_j <= t) = I_x(j + 1, a / theta),  x = 1 - exp(-theta t),

with I the regularised incomplete beta function. The caller's own patience
kills it at constant rate theta, so P(served and W <= t | j) =
E[exp(-theta V_j); V_j <= t] = a / (a + (j + 1) theta) * I_x(j + 1, a/theta + 1).
For theta = 0 this becomes the Erlang(j + 1, a) CDF. Differentiating the
Laplace transform prod_i (a + i theta) / (a + i theta + s) at s = theta gives
E[V_j exp(-theta V_j)] = a / (a + (j + 1) theta) * sum_{m=1}^{j+1} 1 / (a + m theta),
used for the mean wait of served callers. Arrivals see the stationary
distribution restricted to the states k < K (PASTA).
"""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np

from .formulas import (
    QueueTheory,
    check_nonnegative,
    check_positive,
    check_servers,
    check_threshold,
    logsumexp,
)

_MAX_STATES = 5_000_000
_LOG_TAIL_MASS = math.log(1e-17)
_LOG_TAIL_MEAN = math.log(1e-16)
_FIRST_CHUNK = 1024


def _check_capacity(capacity: int | None, servers: int) -> int | None:
    """Return a validated capacity K (None means infinite)."""
    if capacity is None or (isinstance(capacity, float) and math.isinf(capacity)):
        return None
    if isinstance(capacity, bool) or not isinstance(capacity, Integral):
        raise ValueError(f"capacity must be an integer or None, got {capacity!r}")
    if capacity < servers:
        raise ValueError(f"capacity must be >= servers ({servers}), got {capacity}")
    return int(capacity)


def _abandon_rate(mean_patience: float | None) -> float:
    """Return theta = 1 / mean_patience (0 for None or infinite patience)."""
    if mean_patience is None or (isinstance(mean_patience, float) and math.isinf(mean_patience)):
        return 0.0
    return 1.0 / check_positive(mean_patience, "mean_patience")


def _tail_negligible(
    lam: float, next_death: float, last: float, done: int, log_z: float, log_q: float
) -> bool:
    """Geometric bound check on the truncated tail (mass and E[Q] contribution)."""
    ratio = lam / next_death
    if ratio >= 1.0:
        return False
    log_tail = last + math.log(ratio / (1.0 - ratio))
    mass_ok = log_tail < log_z + _LOG_TAIL_MASS
    mean_ok = log_tail + math.log(done + 1.0 / (1.0 - ratio)) < log_q + _LOG_TAIL_MEAN
    return mass_ok and mean_ok


def _log_weights(lam: float, mu: float, c: int, theta: float, cap: int | None) -> np.ndarray:
    """Unnormalised log stationary weights of states 0..N (N <= cap)."""
    top = c if cap is None else min(c, cap)
    k = np.arange(1, top + 1, dtype=float)
    parts = [np.concatenate(([0.0], np.cumsum(math.log(lam) - np.log(k * mu))))]
    if cap is not None and cap <= c:
        return parts[0]
    log_z, log_q, done, chunk = float(logsumexp(parts[0])), -math.inf, 0, _FIRST_CHUNK
    while True:
        n = chunk if cap is None else min(chunk, cap - c - done)
        j = np.arange(done + 1, done + n + 1, dtype=float)
        seg = parts[-1][-1] + np.cumsum(math.log(lam) - np.log(c * mu + j * theta))
        parts.append(seg)
        done += n
        log_z = float(np.logaddexp(log_z, logsumexp(seg)))
        log_q = float(np.logaddexp(log_q, logsumexp(seg + np.log(j))))
        if cap is not None and c + done >= cap:
            break
        if _tail_negligible(lam, c * mu + (done + 1) * theta, seg[-1], done, log_z, log_q):
            break
        if c + done >= _MAX_STATES:
            raise ValueError(
                f"queue does not settle within {_MAX_STATES} states (lambda={lam}, "
                f"c*mu={c * mu}, theta={theta}); the system is unstable or nearly so"
            )
        chunk *= 2
    return np.concatenate(parts)


def stationary_distribution(
    arrival_rate: float,
    mean_service: float,
    servers: int,
    capacity: int | None = None,
    mean_patience: float | None = None,
) -> np.ndarray:
    """Stationary distribution of the number of callers in an M/M/c/K+M system.

    Args:
        arrival_rate: Poisson arrival rate lambda per minute (> 0).
        mean_service: Mean exponential service time in minutes (> 0).
        servers: Number of servers c (>= 1).
        capacity: K = servers + waiting room (>= servers), None for infinite.
        mean_patience: Mean exponential patience in minutes, None for none.

    Returns:
        Array p with p[k] = P(k callers in system), k = 0..N. N equals K when
        K is finite and reached; otherwise the negligible tail is cut off.

    Raises:
        ValueError: On invalid arguments or an unstable system (infinite K,
            no patience and lambda >= c mu).
    """
    lam = check_positive(arrival_rate, "arrival_rate")
    mu = 1.0 / check_positive(mean_service, "mean_service")
    c = check_servers(servers)
    cap = _check_capacity(capacity, c)
    theta = _abandon_rate(mean_patience)
    if cap is None and theta == 0.0 and lam >= c * mu:
        raise ValueError(
            "arrival_rate * mean_service must be < servers without patience or capacity, "
            f"got load={lam / mu}, servers={c}"
        )
    log_w = _log_weights(lam, mu, c, theta, cap)
    return np.exp(log_w - logsumexp(log_w))


def erlang_cdf(n: int, x: float) -> np.ndarray:
    """P(Erlang(j + 1, 1) <= x) for j = 0..n-1: scipy's ``gammainc(j + 1, x)``.

    The Erlang(j + 1) CDF is the Poisson(x) tail P(N >= j + 1). Each value is
    summed from the Poisson weights on the side where it is small (the upper
    tail for j + 1 > x, else 1 minus the lower sum), in log space, so that tiny
    probabilities keep their relative precision (equal to scipy's within 1e-11
    relative: tests/test_analytic.py). Integer shapes only: that is
    all the M/M/c waits need (``scipy.special``, about 0.15 s of import, is
    left for the Erlang A betas).
    """
    if n <= 0:
        return np.zeros(0)
    if x <= 0.0:
        return np.zeros(n)
    # 80 weights past max(n, x + 40 sqrt(x) + 60): what lies beyond is negligible next to
    # every tail kept (checked against scipy, tests/test_analytic.py)
    top = int(max(n, x + 40.0 * math.sqrt(x) + 60.0)) + 80
    k = np.arange(top + 1, dtype=float)
    log_fact = np.fromiter((math.lgamma(v + 1.0) for v in k), float, k.size)
    lp = -x + k * math.log(x) - log_fact
    lower = np.logaddexp.accumulate(lp)[:n]  # log P(N <= j)
    upper = np.logaddexp.accumulate(lp[::-1])[::-1][1 : n + 1]  # log P(N >= j + 1)
    j = np.arange(n, dtype=float)
    return np.where(j + 1.0 > x, np.exp(upper), -np.expm1(lower))


def _served_within(j: np.ndarray, a: float, theta: float, t: float) -> np.ndarray:
    """P(served and W <= t | j waiting ahead), a = c mu; ``j`` = 0, 1, ..., n-1."""
    if theta == 0.0:
        return erlang_cdf(j.size, a * t)
    from scipy.special import betainc

    x = -math.expm1(-theta * t)
    return a / (a + (j + 1.0) * theta) * betainc(j + 1.0, a / theta + 1.0, x)


def _offered_within(j: np.ndarray, a: float, theta: float, t: float) -> np.ndarray:
    """P(V <= t | j waiting ahead) for the offered wait V, a = c mu; ``j`` = 0, 1, ..., n-1."""
    if theta == 0.0:
        return erlang_cdf(j.size, a * t)
    from scipy.special import betainc

    return betainc(j + 1.0, a / theta, -math.expm1(-theta * t))


def _served_wait_mass(ahead: np.ndarray, a: float, theta: float) -> float:
    """E[W; served] given the distribution of the number waiting ahead."""
    j = np.arange(ahead.size, dtype=float)
    if theta == 0.0:
        return float(ahead @ ((j + 1.0) / a))
    harmonic = np.cumsum(1.0 / (a + (j + 1.0) * theta))
    return float(ahead @ (a / (a + (j + 1.0) * theta) * harmonic))


def _unit(x: float) -> float:
    """Clip a probability computed in floating point to [0, 1]."""
    return min(1.0, max(0.0, float(x)))


def _admitted(p: np.ndarray, cap: int | None) -> tuple[np.ndarray, float]:
    """Arrival-epoch distribution of admitted callers and the blocking probability."""
    if cap is not None and p.size - 1 == cap:
        adm = p[:-1]
        return adm / adm.sum(), float(p[-1])
    return p, 0.0


def _measures(
    p: np.ndarray, lam: float, mu: float, c: int, theta: float, cap: int | None, t: float | None
) -> QueueTheory:
    """Turn a stationary distribution into the QueueTheory measures."""
    k = np.arange(p.size)
    busy = float(np.minimum(k, c) @ p)
    mean_queue = float(np.maximum(k - c, 0) @ p)
    arrival_view, p_block = _admitted(p, cap)
    ahead = arrival_view[c:]
    lam_adm = lam * (1.0 - p_block)
    p_abandon = _unit(theta * mean_queue / lam_adm)
    sl = math.nan
    if t is not None:
        j = np.arange(ahead.size, dtype=float)
        sl = _unit(arrival_view[:c].sum() + ahead @ _served_within(j, c * mu, theta, t))
    return QueueTheory(
        p_wait=_unit(ahead.sum()),
        mean_wait=mean_queue / lam_adm,
        service_level=sl,
        p_abandon=p_abandon,
        p_block=p_block,
        mean_queue=mean_queue,
        occupancy=_unit(busy / c),
        mean_wait_served=_served_wait_mass(ahead, c * mu, theta) / (1.0 - p_abandon),
        throughput=mu * busy,
    )


def birth_death(
    arrival_rate: float,
    mean_service: float,
    servers: int,
    capacity: int | None = None,
    mean_patience: float | None = None,
    sl_threshold: float | None = None,
) -> QueueTheory:
    """General exact solver for the M/M/c/K+M queue (K and patience optional).

    Args:
        arrival_rate: Poisson arrival rate lambda per minute (> 0).
        mean_service: Mean exponential service time in minutes (> 0).
        servers: Number of servers c (>= 1).
        capacity: K = servers + waiting room (>= servers), None for infinite.
        mean_patience: Mean exponential patience in minutes, None for none.
        sl_threshold: Service-level threshold t in minutes, or None.

    Returns:
        The performance measures; all except p_block refer to admitted callers.

    Raises:
        ValueError: On invalid arguments or an unstable system.
    """
    t = check_threshold(sl_threshold)
    p = stationary_distribution(arrival_rate, mean_service, servers, capacity, mean_patience)
    cap = _check_capacity(capacity, servers)
    theta = _abandon_rate(mean_patience)
    return _measures(p, float(arrival_rate), 1.0 / mean_service, servers, theta, cap, t)


def offered_wait_cdf(
    arrival_rate: float,
    mean_service: float,
    servers: int,
    t: float,
    mean_patience: float | None = None,
    capacity: int | None = None,
) -> float:
    """P(V <= t) for the offered wait V of an admitted caller.

    V is the time until a server would take the caller if it never abandoned
    (the "virtual" wait); the actual wait is min(V, patience).

    Args:
        arrival_rate: Poisson arrival rate lambda per minute (> 0).
        mean_service: Mean exponential service time in minutes (> 0).
        servers: Number of servers c (>= 1).
        t: Time in minutes (>= 0).
        mean_patience: Mean exponential patience in minutes, None for none.
        capacity: K = servers + waiting room (>= servers), None for infinite.

    Returns:
        The probability that the offered wait is at most t.

    Raises:
        ValueError: On invalid arguments or an unstable system.
    """
    t = check_nonnegative(t, "t")
    p = stationary_distribution(arrival_rate, mean_service, servers, capacity, mean_patience)
    arrival_view, _ = _admitted(p, _check_capacity(capacity, servers))
    ahead = arrival_view[servers:]
    j = np.arange(ahead.size, dtype=float)
    a = servers / mean_service
    theta = _abandon_rate(mean_patience)
    return _unit(arrival_view[:servers].sum() + ahead @ _offered_within(j, a, theta, t))
