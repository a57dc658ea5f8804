"""Theory beside the simulation: exact textbook values and Erlang staffing baselines.

``theory_for`` recognises three textbook shapes and returns exact
steady-state values in the same definitions as :mod:`sim.metrics.aggregates`:

- one queue, identical exponential agents, constant Poisson rate,
  exponential or no patience, any capacity: M/M/c/K+M (Erlang B, C, A);
- one queue, one agent, general service, no patience or capacity: M/G/1
  (Pollaczek-Khinchine; the full wait distribution for M/D/1);
- several queues of different priorities served by one group with a common
  exponential service time: non-preemptive priority M/M/c (Cobham).

Anything else (profiles, several groups with skills, non-exponential
patience, callbacks) has no exact formula here and gets only the staffing baseline.
"""

from __future__ import annotations

import math

import pandas as pd

from sim import analytic
from sim.config import Config, DistKind, DistributionConfig, QueueConfig
from sim.core.distributions import from_config
from sim.metrics.aggregates import PERCENTILES


def _constant_rate(q: QueueConfig) -> float | None:
    if q.arrival is None or q.arrival.times or q.service is None or q.arrival.busyness_cv > 0:
        return None
    if q.service_profile and len(set(q.service_profile)) > 1:
        return None
    profile = set(q.arrival.profile)
    if len(profile) > 1:
        return None
    return q.arrival.rate * (profile.pop() if profile else 1.0)


def _exponential(d: DistributionConfig | None) -> bool:
    return d.kind is DistKind.exponential and d.mean is not None


def _patience_mean(q: QueueConfig) -> float | bool | None:
    """Mean of exponential patience, None for no abandonment, False otherwise."""
    if q.patience is None or q.patience.mean is None:
        return None
    return q.patience.mean if _exponential(q.patience) else False


def _servers_of(cfg: Config, name: str) -> int:
    return sum(g.count for g in cfg.agents.values() if not g.skills or name in g.skills)


def _rows(scope: str, values: dict[str, float]) -> list[tuple[str, str, float]]:
    return [(scope, k, float(v)) for k, v in values.items() if v is not None and not math.isnan(v)]


def _from_queue_theory(t: analytic.QueueTheory, lam: float) -> dict[str, float]:
    return {
        "p_wait": t.p_wait,
        "mean_wait": t.mean_wait,
        "asa": t.mean_wait_served,
        "service_level": t.service_level,
        "p_abandon": t.p_abandon,
        "p_block": t.p_block,
        "mean_queue": t.mean_queue,
        "occupancy": t.occupancy,
        "arrival_rate": lam,
    }


def _single_queue(cfg: Config) -> dict[str, float] | None:
    name, q = next(iter(cfg.queues.items()))
    lam, c, patience = _constant_rate(q), _servers_of(cfg, name), _patience_mean(q)
    if lam is None or patience is False or lam == 0:
        return None
    if _exponential(q.service):
        try:
            t = analytic.birth_death(lam, q.service.mean, c, q.capacity, patience, q.sl_threshold)
        except ValueError:  # unstable without abandonment: no steady state
            return None
        values = _from_queue_theory(t, lam)
        if patience is None and q.capacity is None:
            values |= _erlang_c_percentiles(t.p_wait, c / q.service.mean - lam)
        return values
    if c == 1 and patience is None and q.capacity is None:
        return _mg1(q, lam)
    return None


def _erlang_c_percentiles(p_wait: float, decay: float) -> dict[str, float]:
    """Wait percentiles of M/M/c: P(W > x) = p_wait * exp(-(c mu - lambda) x)."""
    out = {}
    for p in PERCENTILES:
        tail = 1 - p / 100
        out[f"wait_p{p}"] = 0.0 if p_wait <= tail else math.log(p_wait / tail) / decay
    return out


def _mg1(q: QueueConfig, lam: float) -> dict[str, float] | None:
    dist = from_config(q.service)
    rho = lam * dist.mean
    if rho >= 1:
        return None
    wait = analytic.mg1_mean_wait(lam, dist.mean, dist.variance / dist.mean**2)
    sl = float("nan")
    if q.service.kind is DistKind.deterministic:
        sl = analytic.md1_wait_cdf(lam, dist.mean, q.sl_threshold)
    return {
        "p_wait": rho,
        "mean_wait": wait,
        "service_level": sl,
        "mean_queue": lam * wait,
        "occupancy": rho,
    }


def _priority(cfg: Config) -> list[tuple[str, str, float]] | None:
    queues = list(cfg.queues.items())
    rates = [_constant_rate(q) for _, q in queues]
    if None in rates:
        return None
    means = {q.service.mean for _, q in queues}
    simple = all(
        _exponential(q.service) and _patience_mean(q) is None and q.capacity is None
        for _, q in queues
    )
    if len(cfg.agents) != 1 or len(means) != 1 or not simple:
        return None
    order = sorted(range(len(queues)), key=lambda i: queues[i][1].priority)
    if len({queues[i][1].priority for i in order}) != len(order):
        return None
    c, mean = next(iter(cfg.agents.values())).count, means.pop()
    try:
        waits = analytic.priority_mmc_waits([rates[i] for i in order], mean, c)
        total = analytic.mmc(sum(rates), mean, c)
    except ValueError:
        return None
    rows = _rows(
        "all", {"mean_wait": total.mean_wait, "p_wait": total.p_wait, "occupancy": total.occupancy}
    )
    for i, w in zip(order, waits, strict=True):
        rows += _rows(f"queue:{queues[i][0]}", {"mean_wait": w, "p_wait": total.p_wait})
    return rows


def theory_for(cfg: Config) -> pd.DataFrame:
    """Exact steady-state values for textbook models; empty when none applies."""
    rows: list[tuple[str, str, float]] = []
    textbook = (
        not cfg.channels
        and not any(g.hours for g in cfg.agents.values())
        and not any(q.callback.enabled or q.balk.enabled for q in cfg.queues.values())
        and not any(q.head_start for q in cfg.queues.values())
    )
    if not textbook:
        pass
    elif len(cfg.queues) == 1:
        values = _single_queue(cfg)
        if values is not None:
            name, q = next(iter(cfg.queues.items()))
            lam = _constant_rate(q)
            values |= {
                "offered": lam * (cfg.horizon - cfg.warmup),
                "aht": from_config(q.service).mean,
            }
            rows = _rows("all", values) + _rows(f"queue:{name}", values)
    else:
        rows = _priority(cfg) or []
    return pd.DataFrame(rows, columns=["scope", "metric", "theory"])


def staffing_baseline(cfg: Config) -> pd.DataFrame:
    """Erlang C/A agents needed per queue, alone, at its mean and peak rate."""
    rows = []
    for name, q in cfg.queues.items():
        if q.arrival is None or q.service is None or q.arrival.times:
            continue
        rates = [q.arrival.rate * m for m in (q.arrival.profile or [1.0])]
        patience = _patience_mean(q) or None
        method = "Erlang A" if patience else "Erlang C"
        mean = from_config(q.service).mean
        for label, lam in (("mean", sum(rates) / len(rates)), ("peak", max(rates))):
            need = _needed(lam, mean, q, patience)
            rows.append((name, label, lam, lam * mean, need, method))
    return pd.DataFrame(
        rows, columns=["queue", "rate", "arrival_rate", "load", "agents_needed", "method"]
    )


def _needed(lam: float, mean: float, q: QueueConfig, patience: float | None) -> int:
    if lam == 0:
        return 0
    try:
        return analytic.staff_for_service_level(lam, mean, q.sl_threshold, q.sl_target, patience)
    except ValueError:
        return -1


def _load(cfg: Config, name: str, q: QueueConfig) -> float:
    """Offered load of a queue's own arrivals in erlangs, at the fastest group serving it."""
    profile = q.arrival.profile
    lam = q.arrival.rate * (sum(profile) / len(profile) if profile else 1.0)
    if q.arrival.times:
        lam = len(q.arrival.times) / max(cfg.horizon, 1e-9)
    speeds = [
        (cfg.vendors[g.vendor].handle_factor if g.vendor in cfg.vendors else 1.0)
        * (g.proficiency[name].speed if name in g.proficiency else 1.0)
        for g in cfg.agents.values()
        if not g.skills or name in g.skills
    ]
    return lam * from_config(q.service).mean * min(speeds, default=1.0)


def _never_leaves(q: QueueConfig) -> bool:
    no_patience = q.patience is None or q.patience.mean is None
    return q.capacity is None and no_patience and not q.balk.enabled


def stability_warnings(cfg: Config) -> list[str]:
    """Warnings for queues whose offered load reaches their agents while nobody leaves.

    A queue with its own arrivals, no patience and no capacity, whose load
    (arrival rate x mean handle time, at the fastest group serving it) is at
    least the number of agents who can serve it, has no steady state: its
    line grows without bound and every wait KPI depends on the run length.
    Checked per queue and for all such queues together (the agents who serve
    any of them). Demand-model queues are not checked (their load varies by
    day and channel); nothing here stops a run.

    Overflow rules that can never fire are warned about here too
    (:func:`sim.config.checks.workforce.overflow_warnings`), so that the same
    path (``run_experiment``'s warnings, printed by the command line) shows them.
    """
    from sim.config.checks.workforce import overflow_warnings

    return _unstable(cfg) + overflow_warnings(cfg)


def _unstable(cfg: Config) -> list[str]:
    """Queues with their own arrivals whose line grows without bound (see stability_warnings)."""
    from sim.config.workforce import group_size

    open_queues = {
        n: q for n, q in cfg.queues.items() if q.arrival is not None and q.service is not None
    }
    open_queues = {n: q for n, q in open_queues.items() if _never_leaves(q)}

    def serving(names: set[str]) -> int:
        groups = cfg.agents.values()
        return sum(group_size(g) for g in groups if not g.skills or names & set(g.skills))

    out, total = [], 0.0
    for name, q in open_queues.items():
        load, agents = _load(cfg, name, q), serving({name})
        total += load
        if load > 0 and load >= agents:
            out.append(
                f"queue {name}: offered load {load:,.4g} erlangs reaches the {agents} agents who "
                f"serve it (rho = {load / max(agents, 1e-9):.3g}) and nobody abandons or is "
                "blocked: the line grows without bound, so waits depend on the run length"
            )
    agents = serving(set(open_queues))
    if len(open_queues) > 1 and not out and total >= agents > 0:
        out.append(
            f"queues {', '.join(open_queues)}: offered load {total:,.4g} erlangs reaches the "
            f"{agents} agents who serve them (rho = {total / agents:.3g}) and nobody abandons or "
            "is blocked: the lines grow without bound, so waits depend on the run length"
        )
    return out
