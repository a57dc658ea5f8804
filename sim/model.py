"""Wiring: turn a validated Config into a runnable SimPy model.

``build`` creates the environment, agents, router, collector, the arrival
processes (each textbook queue's own, and one per (segment, reason) of the
demand model), the front door (IVR, self-service, routing) and the working
hours of agent groups. It draws nothing itself: every component gets its own
named streams. No behaviour lives here.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim import outbound, plan
from sim.config import ArrivalConfig, ChannelMode, Config, DistributionConfig, SkillConfig
from sim.config.journey import demand_mix
from sim.config.workforce import group_size, vendor_areas
from sim.core.clock import Clock, Environment
from sim.core.distributions import Deterministic, Distribution, Uniform, from_config, sampler
from sim.core.entities import Agent
from sim.core.rng import Streams
from sim.core.tally import CampaignTally
from sim.demand.arrivals import (
    ArrivalStream,
    ProfiledArrivals,
    QueueArrivals,
    arrival_times,
    rate_table,
    shared_ids,
)
from sim.demand.sources import DemandSource, channel_draws, uniform_rows
from sim.demand.tables import demand_tables
from sim.express import Express, express_for
from sim.journey.duplicates import duplicates
from sim.journey.front_door import FrontDoor, Kind
from sim.metrics.aggregates import Strata, Window
from sim.metrics.records import Columns, ContactLog
from sim.outcomes.resolution import OutcomeModel
from sim.routing.balking import Balking, BalkRule
from sim.routing.callback import CallbackRule, Callbacks
from sim.routing.policies import QueueSpec, RoutingPlan, plan_routing
from sim.routing.router import Router
from sim.workforce.shifts import Workforce
from sim.workforce.stress import StressModel
from sim.workforce.stress_router import StressRouter


@dataclass
class Model:
    """A built model, ready for ``env.run``."""

    env: simpy.Environment
    router: Router
    front: FrontDoor | None
    log: ContactLog
    strata: Strata
    group_names: list[str]
    workforce: Workforce
    outcomes: OutcomeModel | None = None
    stress: StressModel | None = None
    tallies: dict[str, CampaignTally] = field(default_factory=dict)
    express: Express | None = None  # the one-queue loop that replaces env.run (engine=auto)


def window(cfg: Config) -> Window:
    """The statistics window of a configuration."""
    return Window(cfg.horizon, cfg.warmup, cfg.interval, len(cfg.agents))


def speeds(cfg: Config) -> list[list[float]]:
    """Handle-time multiplier of each group on each queue: proficiency x vendor."""
    out = []
    for group in cfg.agents.values():
        vendor = cfg.vendors.get(group.vendor)
        factor = vendor.handle_factor if vendor is not None else 1.0
        out.append([factor * group.proficiency.get(q, SkillConfig()).speed for q in cfg.queues])
    return out


def _agents(cfg: Config) -> list[list[Agent]]:
    groups, next_id = [], 0
    for g, (group, speed) in enumerate(zip(cfg.agents.values(), speeds(cfg), strict=True)):
        n = group_size(group)
        slots, slow = group.concurrency, group.concurrency_slowdown
        groups.append([Agent(next_id + i, g, speed, slots, slow) for i in range(n)])
        next_id += n
    return groups


def _patience(d: DistributionConfig | None) -> Distribution:
    return from_config(d) if d is not None else Deterministic(math.inf)


def routing_plan(cfg: Config, kinds: list[Kind]) -> RoutingPlan:
    """The routing plan of a configuration (indices instead of names) for its contact kinds."""
    names, groups = list(cfg.queues), list(cfg.agents)
    channel_patience = any(ch.patience is not None for ch in cfg.channels.values())
    specs = [
        QueueSpec(
            q.priority,
            q.capacity,
            channel_patience or (q.patience is not None and q.patience.mean is not None),
            q.head_start,
        )
        for q in cfg.queues.values()
    ]
    skills = [[names.index(s) for s in (g.skills or names)] for g in cfg.agents.values()]
    overflow = [
        (names.index(o.queue), o.after, [groups.index(g) for g in o.groups])
        for o in cfg.routing.overflow
    ]
    r = cfg.routing
    return plan_routing(
        specs,
        skills,
        speeds(cfg),
        overflow,
        r.agent_policy,
        r.queue_policy,
        group_areas(cfg),
        [k.reason for k in kinds],
    )


def group_areas(cfg: Config) -> list[frozenset[int] | None]:
    """Per agent group, the reasons its vendor's areas allow (None: any reason)."""
    reasons = list(cfg.demand.reasons)
    out: list[frozenset[int] | None] = []
    for g in cfg.agents.values():
        areas = vendor_areas(g, cfg.vendors)
        out.append(None if areas is None else frozenset(reasons.index(a) for a in areas))
    return out


def _router(
    env: simpy.Environment,
    cfg: Config,
    record: Callable,
    n_sources: int,
    streams: Streams,
    kinds: list[Kind],
) -> Router:
    cls = StressRouter if cfg.stress.enabled else Router
    router = cls(env, routing_plan(cfg, kinds), _agents(cfg), record, n_sources)
    rules = [CallbackRule.of(q.callback) for q in cfg.queues.values()]
    if any(rules):
        router.callbacks = Callbacks(rules, sampler(Uniform(), streams.get("callback")))
    balks = [BalkRule.of(q.balk) for q in cfg.queues.values()]
    if any(balks):
        draws = [
            sampler(Uniform(), streams.get(f"balk.{name}")) if rule else None
            for name, rule in zip(cfg.queues, balks, strict=True)
        ]
        router.balking = Balking(balks, draws)
    return router


def _stress(cfg: Config, kinds: list[Kind], router: Router) -> StressModel:
    """The stress model, its per-kind load weights and expected waits."""
    reasons, channels = list(cfg.demand.reasons), list(cfg.channels.values())
    queues = list(cfg.queues.values())
    expected = cfg.outcomes.satisfaction.expected_wait
    names = list(cfg.channels)
    difficulty, wait = [], []
    for i, k in enumerate(kinds):
        difficulty.append(
            cfg.stress.difficult.get(reasons[k.reason], 0.0) if k.reason >= 0 else 0.0
        )
        if k.channel >= 0:
            wait.append(expected.get(names[k.channel], channels[k.channel].sl_threshold))
        else:
            wait.append(queues[i].sl_threshold)
    agents = [a for group in router.agents for a in group]
    model = StressModel(cfg.stress, agents, difficulty, [max(w, 1e-9) for w in wait])
    router.stress = model
    return model


class _StressSamples:
    """Everyone's stress at every reporting interval end, up to the horizon.

    Callbacks started like a SimPy process (:meth:`Clock.start`), not a
    generator, so that a run pickles at a midnight (checkpoints).
    """

    def __init__(
        self, env: simpy.Environment, stress: StressModel, agents: list, every: float, end: float
    ) -> None:
        self.env, self.stress, self.agents = env, stress, agents
        self.every, self.horizon = every, end
        self.clock = Clock(env)
        self.clock.start(self._next)

    def _next(self, _event: object) -> None:
        if self.env.now + self.every <= self.horizon + 1e-9:
            self.clock.call(self._sample, self.every)

    def _sample(self, _event: object) -> None:
        self.stress.sample(self.env.now, self.agents)
        self._next(None)


def _times(
    arrival: ArrivalConfig, horizon: float, rng: np.random.Generator, busy: np.random.Generator
) -> Iterator[float]:
    """Arrival instants of one queue: a replayed trace, or Poisson by inversion."""
    if arrival.times:
        return iter([t for t in arrival.times if t < horizon])
    return arrival_times(rate_table(arrival, horizon, busy), rng, horizon)


def _queue_streams(
    env: simpy.Environment, cfg: Config, streams: Streams, router: Router, ids: Iterator[int]
) -> list[ArrivalStream]:
    """Start the arrival process of every queue with its own arrivals; return them."""
    sources: list[ArrivalStream] = []
    for q, (name, qc) in enumerate(cfg.queues.items()):
        if qc.arrival is None:
            continue
        draws = (
            sampler(from_config(qc.service), streams.get(f"service.{name}")),
            sampler(_patience(qc.patience), streams.get(f"patience.{name}")),
        )
        rngs = streams.get(f"arrivals.{name}"), streams.get(f"busyness.{name}")
        times = _times(qc.arrival, cfg.horizon, *rngs)
        parts = (env, times, q, ids, draws, router.admit, router.source_done)
        if qc.service_profile:
            factors = (qc.service_profile, qc.service_profile_interval)
            sources.append(ProfiledArrivals(*parts, factors))
        else:
            sources.append(QueueArrivals(*parts))
        sources[-1].start()
    return sources


def _demand_sources(
    cfg: Config,
    streams: Streams,
    index: dict,
    ids: Iterator[int],
    outcomes: OutcomeModel | None,
    prefix: str = "",
) -> dict:
    """A DemandSource per (segment, reason); ``prefix`` names a campaign's own streams."""
    d = cfg.demand
    channels = list(cfg.channels)
    draws = [
        channel_draws(
            from_config(ch.handle),
            _patience(ch.patience),
            tuple(streams.get(f"{prefix}{p}.{n}") for p in ("handle", "patience", "journey")),
        )
        for n, ch in cfg.channels.items()
    ]
    sources = {}
    for s, seg in enumerate(d.segments):
        for r, (reason, rc) in enumerate(d.reasons.items()):
            mix = demand_mix(d, seg, reason)  # after demand.scale
            weights = np.array([mix.get(c, 0.0) for c in channels])
            kinds = [index[(c, s, r)] for c in range(len(channels))]
            choice = sampler(Uniform(), streams.get(f"{prefix}choice.{seg}.{reason}"))
            alive = None
            if outcomes is not None and d.customers and not prefix:
                share = outcomes.base_share(d.customers, cfg.outcomes.churn.annual_base)
                alive = (share, sampler(Uniform(), streams.get(f"alive.{seg}.{reason}")))
            sources[(s, r)] = DemandSource(
                ids,
                kinds,
                weights,
                choice,
                draws,
                rc.handle_factor,
                (s, r),
                None if outcomes is None else uniform_rows(streams.get(f"cases.{seg}.{reason}"), 3),
                alive,
            )
    return sources


class _Drawer:
    """``draw(name, dist)``: endless draws of ``dist`` from the stream ``name`` (it pickles)."""

    def __init__(self, streams: Streams) -> None:
        self.streams = streams

    def __call__(self, name: str, dist: DistributionConfig) -> Iterator[float]:
        return sampler(from_config(dist), self.streams.get(name))


def _drawer(streams: Streams) -> Callable[[str, DistributionConfig], Iterator[float]]:
    """``draw(name, dist)``: endless draws of ``dist`` from the stream ``name``."""
    return _Drawer(streams)


def _front_door(
    env: simpy.Environment,
    cfg: Config,
    streams: Streams,
    router: Router,
    record: Callable,
    kinds: list[Kind],
    index: dict,
    ids: Iterator[int],
    outcomes: OutcomeModel | None = None,
) -> FrontDoor:
    route, wrong = plan.routes(cfg, kinds)
    sources = _demand_sources(cfg, streams, index, ids, outcomes)
    parts = {
        "kinds": kinds,
        "sources": sources,
        "route": route,
        "wrong": wrong,
        "ivr": plan.ivrs(cfg, _drawer(streams)),
        "automation": plan.automations(cfg, _drawer(streams)),
        "automation_only": cfg.demand.automation_only,
        "hours": [
            tuple(ch.hours) if ch.hours and ch.mode is ChannelMode.live else None
            for ch in cfg.channels.values()
        ],
        "closed_to": [
            list(cfg.channels).index(ch.closed_to) if ch.closed_to else -1
            for ch in cfg.channels.values()
        ],
        "fcr_window": cfg.outcomes.fcr_window,
    }
    parts["duplicates"] = duplicates(cfg, kinds, index, route, streams, ids)
    return FrontDoor(env, router, record, parts)


def _demand_streams(
    env: simpy.Environment, cfg: Config, streams: Streams, router: Router, front: FrontDoor
) -> None:
    tables = demand_tables(cfg, streams.get("demand.busyness"))
    segments, reasons = list(cfg.demand.segments), list(cfg.demand.reasons)
    for (seg, reason), table in tables.items():
        source = front.sources[(segments.index(seg), reasons.index(reason))]
        times = arrival_times(table, streams.get(f"arrivals.{seg}.{reason}"), cfg.horizon)
        ArrivalStream(env, times, source.make, front.enter, router.source_done).start()


def _backlog(cfg: Config, streams: Streams, router: Router, front: FrontDoor) -> None:
    """Contacts already waiting at time 0: they arrived ``age`` minutes before the run."""
    channels, segments = list(cfg.channels), list(cfg.demand.segments)
    reasons, queues = list(cfg.demand.reasons), list(cfg.queues)
    for i, b in enumerate(cfg.demand.backlog):
        c, s, r = channels.index(b.channel), segments.index(b.segment), reasons.index(b.reason)
        ages = from_config(b.age).sample(streams.get(f"backlog.{i}.age"), b.count)
        patience = _patience(b.patience).sample(streams.get(f"backlog.{i}.patience"), b.count)
        for age, wait in zip(ages.tolist(), patience.tolist(), strict=True):
            contact = front.sources[(s, r)].make(-age, position=c)
            contact.queue = queues.index(b.queue) if b.queue else front.route[contact.kind]
            contact.deadline = wait  # patience left from time 0
            router.admit(contact, 0.0)


def _n_sources(cfg: Config) -> int:
    own = sum(q.arrival is not None for q in cfg.queues.values())
    demand = len(cfg.demand.segments) * len(cfg.demand.reasons) if cfg.demand.customers else 0
    return own + demand + outbound.n_created(cfg)


def _outcomes(
    cfg: Config, streams: Streams, log: ContactLog, kinds: list[Kind], case_sink: Callable
) -> OutcomeModel:
    model = OutcomeModel(
        plan.outcome_plan(cfg, _drawer(streams), streams.get("cases")),
        log.record,
        case_sink,
    )
    model.channel_of_kind = [k.channel for k in kinds]
    return model


def build(
    cfg: Config,
    streams: Streams,
    sink: Callable[[Columns], None],
    case_sink: Callable | None = None,
) -> Model:
    """Build the model of one replication.

    ``sink`` receives contact-record chunks, ``case_sink`` case rows.
    """
    env = Environment()  # simpy.Environment that pickles (checkpoints)
    kinds, index, strata = plan.kinds_and_strata(cfg)
    log = ContactLog(
        sink, [g for g, group in enumerate(cfg.agents.values()) for _ in range(group_size(group))]
    )
    outcomes = _outcomes(cfg, streams, log, kinds, case_sink) if cfg.outcomes.enabled else None
    record = outcomes.record if outcomes is not None else log.record
    router = _router(env, cfg, record, _n_sources(cfg), streams, kinds)
    ids = shared_ids()
    tallies = outbound.tallies(cfg)
    sources = _queue_streams(env, cfg, streams, router, ids)
    front = None
    if cfg.channels and cfg.demand.segments:
        front = _front_door(env, cfg, streams, router, record, kinds, index, ids, outcomes)
        if outcomes is not None:
            outcomes.again = front.again
        _backlog(cfg, streams, router, front)
        if cfg.demand.customers:
            _demand_streams(env, cfg, streams, router, front)
            sources = functools.partial(_demand_sources, cfg, streams, index, ids, outcomes)
            outbound.start_inbound(env, cfg, streams, router, front, sources, tallies)
    outbound.start_dialer(env, cfg, streams, router, tallies)
    stress = _stress(cfg, kinds, router) if cfg.stress.enabled else None
    if stress is not None:
        agents = [a for group in router.agents for a in group]
        _StressSamples(env, stress, agents, cfg.interval, cfg.horizon)
        if outcomes is not None:
            outcomes.quality_hook = stress.quality
            outcomes.stress_hook = stress.level
    workforce = Workforce(env, router, cfg.agents, streams, cfg.demand.start_weekday, stress)
    express = None
    if cfg.engine == "auto" and front is None:  # express_for checks the rest
        express = express_for(env, router, log, sources)  # None: the general engine
    parts = (env, router, front, log, strata, list(cfg.agents), workforce, outcomes, stress)
    return Model(*parts, tallies, express)
