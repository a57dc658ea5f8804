"""Wiring: turn a validated Config into a runnable SimPy model.

``build`` creates the environment, agents, router, collector and one arrival
process per queue, and draws nothing itself: each source gets its own named
streams (``arrivals.<queue>``, ``service.<queue>``, ``patience.<queue>``).
No behaviour lives here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import simpy

from sim.arrivals import ArrivalStream, arrival_times, rate_table, shared_ids
from sim.config import ArrivalConfig, Config
from sim.distributions import Deterministic, from_config, sampler
from sim.entities import Agent
from sim.metrics import Columns, ContactLog
from sim.rng import Streams
from sim.routing import Router, plan_routing
from sim.summary import Window


@dataclass
class Model:
    """A built model, ready for ``env.run``."""

    env: simpy.Environment
    router: Router
    log: ContactLog
    queue_names: list[str]
    group_names: list[str]
    group_sizes: list[int]


def window(cfg: Config) -> Window:
    """The statistics window of a configuration."""
    thresholds = tuple(q.sl_threshold for q in cfg.queues.values())
    return Window(cfg.horizon, cfg.warmup, cfg.interval, thresholds, len(cfg.agents))


def staffed_time(sizes: list[int], win: Window) -> np.ndarray:
    """Staffed agent-minutes per group, per interval and (last slot) in the window."""
    lengths = np.append(np.diff(win.edges), win.length)
    return np.outer(np.asarray(sizes, dtype=float), lengths)


def _agents(cfg: Config) -> list[list[Agent]]:
    groups, next_id = [], 0
    for g, group in enumerate(cfg.agents.values()):
        groups.append([Agent(next_id + i, g) for i in range(group.count)])
        next_id += group.count
    return groups


def _router(env: simpy.Environment, cfg: Config, record: Callable) -> Router:
    names = list(cfg.queues)
    queues = list(cfg.queues.values())
    skills = [[names.index(s) for s in (g.skills or names)] for g in cfg.agents.values()]
    plan = plan_routing(
        [q.priority for q in queues],
        skills,
        [q.capacity for q in queues],
        [q.patience is not None and q.patience.mean is not None for q in queues],
    )
    return Router(env, plan, _agents(cfg), record, n_sources=len(queues))


def _draws(name: str, cfg: Config, streams: Streams) -> tuple[Iterator[float], Iterator[float]]:
    """Handle-time and patience draws of one queue, each from its own stream."""
    qc = cfg.queues[name]
    patience = from_config(qc.patience) if qc.patience is not None else Deterministic(math.inf)
    return (
        sampler(from_config(qc.service), streams.get(f"service.{name}")),
        sampler(patience, streams.get(f"patience.{name}")),
    )


def _times(arrival: ArrivalConfig, horizon: float, rng: np.random.Generator) -> Iterator[float]:
    """Arrival instants of one queue: a replayed trace, or Poisson by inversion."""
    if arrival.times:
        return iter([t for t in arrival.times if t < horizon])
    return arrival_times(rate_table(arrival, horizon), rng, horizon)


def build(cfg: Config, streams: Streams, sink: Callable[[Columns], None]) -> Model:
    """Build the model of one replication; ``sink`` receives record chunks."""
    env = simpy.Environment()
    log = ContactLog(
        sink, [g for g, group in enumerate(cfg.agents.values()) for _ in range(group.count)]
    )
    router = _router(env, cfg, log.record)
    ids = shared_ids()
    for q, (name, qc) in enumerate(cfg.queues.items()):
        times = _times(qc.arrival, cfg.horizon, streams.get(f"arrivals.{name}"))
        draws = _draws(name, cfg, streams)
        ArrivalStream(env, q, ids, times, draws, router.admit, router.source_done).start()
    sizes = [g.count for g in cfg.agents.values()]
    return Model(env, router, log, list(cfg.queues), list(cfg.agents), sizes)
