"""Staffing rules: square-root staffing, Halfin-Whitt beta, service-level search.

Modelled: stationary single-skill queues, either Erlang C (M/M/c, no
abandonment) or Erlang A (M/M/c+M, exponential patience). Not modelled:
shrinkage, schedules and shift constraints, time-varying demand, multi-skill
routing; the numbers are "agents on the phones" for one stationary period.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real

from .erlang import erlang_a, mmc
from .formulas import check_nonnegative, check_positive, check_servers

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def square_root_staffing(load: float, beta: float) -> int:
    """Square-root staffing rule c = ceil(a + beta sqrt(a)).

    Args:
        load: Offered load a in Erlang (> 0).
        beta: Quality-of-service parameter (any finite real, may be negative).

    Returns:
        The number of servers, at least 1.

    Raises:
        ValueError: On a non-positive load or a non-finite beta.
    """
    a = check_positive(load, "load")
    if isinstance(beta, bool) or not isinstance(beta, Real) or not math.isfinite(beta):
        raise ValueError(f"beta must be a finite real number, got {beta!r}")
    return max(1, math.ceil(a + beta * math.sqrt(a)))


def halfin_whitt_beta(p_wait: float) -> float:
    """Beta of the Halfin-Whitt approximation P(wait) = [1 + beta Phi(beta)/phi(beta)]^-1.

    The equation is solved for x = log(beta) in log space (log Phi from
    ``math.erfc``, bisection), so it works for P(wait) from 1e-300 up to 1.

    Args:
        p_wait: Target probability of waiting, 0 < p_wait <= 1.

    Returns:
        The beta >= 0 solving the equation (0 for p_wait = 1).

    Raises:
        ValueError: If p_wait is outside (0, 1].
    """
    if isinstance(p_wait, bool) or not isinstance(p_wait, Real) or not 0.0 < p_wait <= 1.0:
        raise ValueError(f"p_wait must be in (0, 1], got {p_wait!r}")
    if p_wait == 1.0:
        return 0.0
    rhs = math.log1p(-p_wait) - math.log(p_wait)

    def gap(x: float) -> float:
        beta = math.exp(x)
        return x + _log_phi_cdf(beta) + 0.5 * beta * beta + _HALF_LOG_2PI - rhs

    upper = math.log(math.sqrt(2.0 * max(rhs, 0.0)) + 1.0)
    return math.exp(_bisect_increasing(gap, -700.0, upper))


def _log_phi_cdf(beta: float) -> float:
    """The log of Phi(beta), the standard normal CDF, for beta >= 0 (Phi >= 1/2: no underflow)."""
    return math.log(0.5 * math.erfc(-beta / math.sqrt(2.0)))


def _bisect_increasing(f: Callable[[float], float], lo: float, hi: float) -> float:
    """The root of an increasing ``f`` in ``[lo, hi]``, to the last bits of a float.

    Plain bisection (about 60 halvings from 700 wide): the staffing baseline needs
    one root per run, and this keeps ``scipy.optimize`` (0.2-0.3 s of import) out of
    a run's start-up.
    """
    while True:
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            return mid
        if f(mid) < 0.0:
            lo = mid
        else:
            hi = mid


def _feasibility(
    arrival_rate: float,
    mean_service: float,
    sl_threshold: float,
    target: float,
    mean_patience: float | None,
    max_abandon: float | None,
) -> Callable[[int], bool]:
    """Build the predicate 'c servers meet the service level (and abandon) targets'."""
    load = arrival_rate * mean_service

    def ok(servers: int) -> bool:
        if mean_patience is None:
            if servers <= load:
                return False
            q = mmc(arrival_rate, mean_service, servers, sl_threshold)
        else:
            q = erlang_a(arrival_rate, mean_service, servers, mean_patience, sl_threshold)
        good_sl = q.service_level >= target
        return good_sl and (max_abandon is None or q.p_abandon <= max_abandon)

    return ok


def _bracket(ok: Callable[[int], bool], guess: int, floor: int, ceiling: int) -> tuple[int, int]:
    """Gallop from ``guess`` to (lo, hi): lo infeasible (or ``floor``), hi feasible."""
    step = 1
    if ok(guess):
        hi = guess
        while hi - step > floor and ok(hi - step):
            hi -= step
            step *= 2
        return max(floor, hi - step), hi
    lo = guess
    while lo < ceiling:
        cand = min(lo + step, ceiling)
        if ok(cand):
            return lo, cand
        lo, step = cand, step * 2
    raise ValueError(f"no staffing up to max_servers={ceiling} meets the targets")


def staff_for_service_level(
    arrival_rate: float,
    mean_service: float,
    sl_threshold: float,
    target: float,
    mean_patience: float | None = None,
    max_abandon: float | None = None,
    max_servers: int = 5000,
) -> int:
    """Smallest number of servers meeting a service-level (and abandonment) target.

    The service level is Erlang C's P(W <= t), or Erlang A's
    P(served and W <= t) when ``mean_patience`` is given. The search starts at
    the square-root staffing guess, gallops to bracket the answer and then
    bisects (both criteria are monotone in the number of servers).

    Args:
        arrival_rate: Poisson arrival rate per minute (> 0).
        mean_service: Mean service time in minutes (> 0).
        sl_threshold: Service-level threshold t in minutes (>= 0).
        target: Required service level, 0 < target < 1.
        mean_patience: Mean exponential patience in minutes; None for Erlang C.
        max_abandon: Optional upper bound on P(abandon), in (0, 1].
        max_servers: Largest staffing considered (>= 1).

    Returns:
        The minimal number of servers.

    Raises:
        ValueError: On invalid arguments or if max_servers is not enough.
    """
    lam = check_positive(arrival_rate, "arrival_rate")
    s = check_positive(mean_service, "mean_service")
    t = check_nonnegative(sl_threshold, "sl_threshold")
    if isinstance(target, bool) or not isinstance(target, Real) or not 0.0 < target < 1.0:
        raise ValueError(f"target must be in (0, 1), got {target!r}")
    if max_abandon is not None and not 0.0 < check_positive(max_abandon, "max_abandon") <= 1.0:
        raise ValueError(f"max_abandon must be in (0, 1], got {max_abandon}")
    if mean_patience is not None:
        check_positive(mean_patience, "mean_patience")
    ceiling = check_servers(max_servers, "max_servers")
    ok = _feasibility(lam, s, t, float(target), mean_patience, max_abandon)
    load = lam * s
    floor = math.floor(load) if mean_patience is None else 0
    guess = square_root_staffing(load, halfin_whitt_beta(1.0 - float(target)))
    lo, hi = _bracket(ok, min(max(guess, floor + 1), ceiling), floor, ceiling)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi
