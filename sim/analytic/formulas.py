"""Shared result type and input checks, plus M/G/1 and M/D/1 formulas.

``QueueTheory`` is the result record of every queue model in this package and
the ``check_*`` helpers implement its uniform argument validation (ValueError
naming the argument, the value and the rule).

Modelled: one FCFS server, Poisson arrivals, i.i.d. service times with a given
mean and squared coefficient of variation (M/G/1 mean wait by
Pollaczek-Khinchine) and deterministic service (full M/D/1 waiting-time
distribution). Not modelled: several servers, abandonment, finite queues.

M/D/1 waiting-time CDF. Erlang's (1909) / Crommelin's (1932) closed form
(1 - rho) sum_k [lambda (k D - t)]^k / k! exp(-lambda (k D - t)) alternates in
sign and loses about log10(exp(lambda t)) digits for long t. Instead this
module uses an equivalent representation with positive terms only, derived
as follows (service time D, t = (n + u) D with n integer, 0 <= u < 1,
s = 1 - u). Look at the system a time s D before the tagged arrival. Let M be
the number in system then and J the number of arrivals in the next s D. If
the server stays busy, the tagged caller starts at -s D + R + (M - 1 + J) D,
with R in (0, D] the residual service at -s D, so W <= t iff M + J <= n + 1.
If the server idles in between, then M <= 1, the busy period restarts with
the first of the J arrivals and W <= t iff J <= n. Both cases read
max(M, 1) + J <= n + 1. M is independent of J (Poisson arrivals) and is
distributed as the time-stationary queue length, so

    P(W <= t) = sum_{j=0}^{n} Q_{n+1-j} e^{-rho s} (rho s)^j / j!,

where Q_m = P(N <= m). The queue-length probabilities come from the
positive-term M/G/1 recursion (time spent at level i during each service)

    p_i e^{-rho} = p_0 r_{i-1} + sum_{k=1}^{i-1} p_k r_{i-k},  r_m = P(Poisson(rho) > m),

with p_0 = 1 - rho, so the whole computation is free of cancellation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

_P_NEGLIGIBLE = 1e-19
_POISSON_TERMS = 256


@dataclass(frozen=True)
class QueueTheory:
    """Steady-state performance of one queueing model.

    Attributes:
        p_wait: P(an admitted arrival has to queue), by PASTA.
        mean_wait: Mean time in queue over admitted arrivals; abandoners count
            the time they spent waiting.
        service_level: P(served and wait <= t) over admitted arrivals; nan if
            no threshold t was given.
        p_abandon: Share of admitted arrivals that abandon (0 without patience).
        p_block: Share of offered arrivals that are blocked (0 with an
            infinite waiting room).
        mean_queue: Time-average number of callers waiting.
        occupancy: Time-average number of busy servers divided by servers.
        mean_wait_served: Mean wait of the callers that are eventually served.
        throughput: Callers served per minute.
    """

    p_wait: float
    mean_wait: float
    service_level: float
    p_abandon: float
    p_block: float
    mean_queue: float
    occupancy: float
    mean_wait_served: float
    throughput: float


def logsumexp(x: np.ndarray) -> float:
    """log(sum(exp(x))) without overflow (scipy's ``logsumexp``, kept out of start-up)."""
    m = float(np.max(x))
    if not math.isfinite(m):
        return m
    return m + math.log(float(np.sum(np.exp(x - m))))


def check_servers(servers: int, name: str = "servers") -> int:
    """Validate a server count.

    Args:
        servers: Number of servers; an integer >= 1.
        name: Argument name used in the error message.

    Returns:
        The server count as a Python int.

    Raises:
        ValueError: If ``servers`` is not an integer or is < 1.
    """
    if isinstance(servers, bool) or not isinstance(servers, Integral):
        raise ValueError(f"{name} must be an integer, got {servers!r}")
    if servers < 1:
        raise ValueError(f"{name} must be >= 1, got {servers}")
    return int(servers)


def check_positive(value: float, name: str) -> float:
    """Validate a finite, strictly positive real number.

    Args:
        value: The number to check.
        name: Argument name used in the error message.

    Returns:
        The value as a float.

    Raises:
        ValueError: If ``value`` is not a finite number > 0.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return float(value)


def check_nonnegative(value: float, name: str) -> float:
    """Validate a finite real number >= 0.

    Args:
        value: The number to check.
        name: Argument name used in the error message.

    Returns:
        The value as a float.

    Raises:
        ValueError: If ``value`` is not a finite number >= 0.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return float(value)


def check_threshold(sl_threshold: float | None) -> float | None:
    """Validate an optional service-level threshold (minutes, >= 0).

    Args:
        sl_threshold: Threshold t in minutes, or None.

    Returns:
        The threshold as a float, or None.

    Raises:
        ValueError: If the threshold is given but is not a finite number >= 0.
    """
    if sl_threshold is None:
        return None
    return check_nonnegative(sl_threshold, "sl_threshold")


def mg1_mean_wait(arrival_rate: float, mean_service: float, service_scv: float) -> float:
    """Mean time in queue of the M/G/1 queue (Pollaczek-Khinchine).

    Args:
        arrival_rate: Poisson arrival rate lambda per minute (> 0).
        mean_service: Mean service time E[S] in minutes (> 0), with
            lambda E[S] < 1.
        service_scv: Squared coefficient of variation Var[S] / E[S]^2 (>= 0).

    Returns:
        E[Wq] = lambda E[S^2] / (2 (1 - rho)) in minutes.

    Raises:
        ValueError: On invalid arguments or rho >= 1.
    """
    lam = check_positive(arrival_rate, "arrival_rate")
    s = check_positive(mean_service, "mean_service")
    scv = check_nonnegative(service_scv, "service_scv")
    rho = lam * s
    if rho >= 1.0:
        raise ValueError(f"arrival_rate * mean_service must be < 1, got rho={rho}")
    second_moment = s * s * (1.0 + scv)
    return lam * second_moment / (2.0 * (1.0 - rho))


def _md1_queue_cdf(rho: float, levels: int) -> np.ndarray:
    """Q_m = P(N <= m) for m = 0..M of the M/D/1 queue, M <= levels.

    The array stops early once the probabilities are negligible; larger
    levels have Q_m = 1 to double precision.
    """
    from scipy.stats import poisson

    size = min(levels, 1024)
    r = poisson.sf(np.arange(size), rho)
    p = np.zeros(size + 1)
    p[0] = 1.0 - rho
    grow = math.exp(rho)
    i = 0
    while i < levels:
        i += 1
        if i > size:  # grow the work arrays geometrically
            size = min(2 * size, levels)
            r = poisson.sf(np.arange(size), rho)
            p = np.concatenate((p, np.zeros(size + 1 - p.size)))
        p[i] = grow * (p[0] * r[i - 1] + p[1:i] @ r[i - 1 : 0 : -1])
        if i >= 2 and p[i] <= p[i - 1] and p[i] < _P_NEGLIGIBLE:
            break
    return np.minimum(np.cumsum(p[: i + 1]), 1.0)


def md1_wait_cdf(arrival_rate: float, mean_service: float, t: float) -> float:
    """P(W <= t) for the waiting time in queue of the M/D/1 queue (FCFS).

    Args:
        arrival_rate: Poisson arrival rate lambda per minute (> 0).
        mean_service: Deterministic service time D in minutes (> 0), with
            lambda D < 1.
        t: Time in minutes; negative t gives 0.

    Returns:
        The waiting-time distribution function at t.

    Raises:
        ValueError: On invalid arguments or rho >= 1.
    """
    from scipy.stats import poisson

    lam = check_positive(arrival_rate, "arrival_rate")
    d = check_positive(mean_service, "mean_service")
    if isinstance(t, bool) or not isinstance(t, Real) or math.isnan(t):
        raise ValueError(f"t must be a real number, got {t!r}")
    rho = lam * d
    if rho >= 1.0:
        raise ValueError(f"arrival_rate * mean_service must be < 1, got rho={rho}")
    if t < 0:
        return 0.0
    if math.isinf(t):
        return 1.0
    n = math.floor(t / d)
    s = 1.0 - (t / d - n)
    q = _md1_queue_cdf(rho, n + 1)
    j = np.arange(min(n, _POISSON_TERMS) + 1)
    levels = np.minimum(n + 1 - j, q.size - 1)
    q_used = np.where(n + 1 - j > q.size - 1, 1.0, q[levels])
    return float(min(1.0, q_used @ poisson.pmf(j, rho * s)))
