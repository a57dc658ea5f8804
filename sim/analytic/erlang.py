"""Erlang-family entry points: Erlang B, Erlang C, Erlang A, M/M/c/K, priority M/M/c.

Modelled: the M/M/c/c loss system (Erlang B, positive-term recursion), the
M/M/c delay system with infinitely patient callers (Erlang C, FCFS, closed
forms), the non-preemptive priority M/M/c queue with a common exponential
service time (Cobham 1954), and thin wrappers around the exact birth-death
solver for Erlang A (M/M/c+M) and M/M/c/K(+M). Time is in minutes and rates
are per minute; "load" is the offered load in Erlang (arrival rate times mean
service time).

Not modelled here: non-exponential service or patience (see ``formulas`` for
M/G/1 and M/D/1), retrials, time-varying arrival rates, skills-based routing.
"""

from __future__ import annotations

import math

from .birth_death_chain import birth_death
from .formulas import (
    QueueTheory,
    check_nonnegative,
    check_positive,
    check_servers,
    check_threshold,
)


def erlang_b(servers: int, load: float) -> float:
    """Erlang B blocking probability of the M/M/c/c loss system.

    Uses the recursion B(k) = a B(k-1) / (k + a B(k-1)), B(0) = 1, which
    involves only positive terms and cannot overflow.

    Args:
        servers: Number of servers c (>= 1).
        load: Offered load a in Erlang (>= 0).

    Returns:
        The probability that an arrival finds all c servers busy.

    Raises:
        ValueError: On an invalid server count or load.
    """
    c = check_servers(servers)
    a = check_nonnegative(load, "load")
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Erlang C probability of waiting in the M/M/c queue.

    Computed from Erlang B as C = c B / (c - a (1 - B)), which is free of
    cancellation for a < c.

    Args:
        servers: Number of servers c (>= 1).
        load: Offered load a in Erlang, 0 <= a < c.

    Returns:
        P(an arrival has to wait).

    Raises:
        ValueError: If the arguments are invalid or ``load >= servers``.
    """
    c = check_servers(servers)
    a = check_nonnegative(load, "load")
    if a >= c:
        raise ValueError(
            f"load must be < servers for a stable Erlang C queue, got load={a}, servers={c}"
        )
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def mmc(
    arrival_rate: float,
    mean_service: float,
    servers: int,
    sl_threshold: float | None = None,
) -> QueueTheory:
    """Steady state of the M/M/c (Erlang C) queue with FCFS service.

    Args:
        arrival_rate: Poisson arrival rate lambda per minute (> 0).
        mean_service: Mean exponential service time 1/mu in minutes (> 0).
        servers: Number of servers c, with lambda / mu < c.
        sl_threshold: Service-level threshold t in minutes, or None.

    Returns:
        The performance measures; service_level = 1 - C exp(-(c mu - lambda) t).

    Raises:
        ValueError: On invalid arguments or an unstable queue.
    """
    lam = check_positive(arrival_rate, "arrival_rate")
    s = check_positive(mean_service, "mean_service")
    c = check_servers(servers)
    t = check_threshold(sl_threshold)
    load = lam * s
    p_wait = erlang_c(c, load)
    drain = c / s - lam
    mean_wait = p_wait / drain
    sl = math.nan if t is None else 1.0 - p_wait * math.exp(-drain * t)
    return QueueTheory(
        p_wait=p_wait,
        mean_wait=mean_wait,
        service_level=sl,
        p_abandon=0.0,
        p_block=0.0,
        mean_queue=lam * mean_wait,
        occupancy=load / c,
        mean_wait_served=mean_wait,
        throughput=lam,
    )


def priority_mmc_waits(
    arrival_rates: list[float], mean_service: float, servers: int
) -> list[float]:
    """Mean waits per class in the non-preemptive priority M/M/c queue.

    All classes share one exponential service time. Cobham's formula:
    W_k = (C(c, a) / (c mu)) / ((1 - sigma_{k-1}) (1 - sigma_k)) with
    sigma_k = sum_{i <= k} lambda_i / (c mu) and sigma_{-1} = 0.

    Args:
        arrival_rates: Arrival rate per class; index 0 is the highest priority.
            Each rate must be >= 0 and their sum > 0.
        mean_service: Mean service time 1/mu in minutes (> 0).
        servers: Number of servers c; the total load must be < c.

    Returns:
        The mean time in queue of each class, in minutes.

    Raises:
        ValueError: On invalid arguments or an unstable queue.
    """
    if len(arrival_rates) == 0:
        raise ValueError("arrival_rates must contain at least one class, got []")
    rates = [check_nonnegative(r, f"arrival_rates[{i}]") for i, r in enumerate(arrival_rates)]
    s = check_positive(mean_service, "mean_service")
    c = check_servers(servers)
    total = check_positive(math.fsum(rates), "sum(arrival_rates)")
    capacity = c / s
    base = erlang_c(c, total * s) / capacity
    waits = []
    sigma_prev = 0.0
    for r in rates:
        sigma = sigma_prev + r / capacity
        waits.append(base / ((1.0 - sigma_prev) * (1.0 - sigma)))
        sigma_prev = sigma
    return waits


def erlang_a(
    arrival_rate: float,
    mean_service: float,
    servers: int,
    mean_patience: float,
    sl_threshold: float | None = None,
) -> QueueTheory:
    """Erlang A (Palm) M/M/c+M queue: exponential patience, infinite queue.

    Valid for any load, including overload (lambda >= c mu).

    Args:
        arrival_rate: Poisson arrival rate lambda per minute (> 0).
        mean_service: Mean exponential service time in minutes (> 0).
        servers: Number of servers c (>= 1).
        mean_patience: Mean exponential patience 1/theta in minutes (> 0).
        sl_threshold: Service-level threshold t in minutes, or None.

    Returns:
        The measures; service_level = P(served and W <= t) over all arrivals,
        p_abandon = theta E[Q] / lambda.

    Raises:
        ValueError: On invalid arguments.
    """
    check_positive(mean_patience, "mean_patience")
    return birth_death(arrival_rate, mean_service, servers, None, mean_patience, sl_threshold)


def mmck(
    arrival_rate: float,
    mean_service: float,
    servers: int,
    capacity: int,
    mean_patience: float | None = None,
    sl_threshold: float | None = None,
) -> QueueTheory:
    """M/M/c/K queue (finite capacity K), optionally with exponential patience.

    Args:
        arrival_rate: Poisson arrival rate lambda per minute (> 0).
        mean_service: Mean exponential service time in minutes (> 0).
        servers: Number of servers c (>= 1).
        capacity: K = servers + waiting room, an integer >= servers.
        mean_patience: Mean exponential patience in minutes, None for none.
        sl_threshold: Service-level threshold t in minutes, or None.

    Returns:
        The measures; p_block = p_K, the others over admitted arrivals.

    Raises:
        ValueError: On invalid arguments.
    """
    if capacity is None:
        raise ValueError("capacity must be an integer >= servers, got None")
    return birth_death(arrival_rate, mean_service, servers, capacity, mean_patience, sl_threshold)
