"""Wiring of proactive outbound campaigns (build stage; ``sim.model.build`` calls it).

Three parts act for the campaigns of ``cfg.outbound``:

- prevention: each (segment, reason)'s new inbound contacts are thinned by
  the campaigns that prevent that reason (each with its
  :func:`sim.config.outbound.prevention_share`, independently), on their own
  uniforms (:class:`sim.demand.sources.Prevention`);
- creation: a campaign that creates contacts of a reason gets its own arrival
  stream per (segment, reason), ``customers x share x rate / 30 x reach x
  creates`` a day, shaped by the segment's intraday profile, whose contacts
  draw from streams named after the campaign (so the other contacts keep
  their draws);
- the dialer of agent-call campaigns (:mod:`sim.routing.dialer`).

Nothing is drawn here: every part gets its own named streams.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy

from sim.config.base import DAY
from sim.config.outbound import CampaignConfig, OutboundChannel, prevention_share
from sim.config.schema import Config
from sim.core.distributions import Uniform, from_config, sampler
from sim.core.rng import Streams
from sim.core.tally import CampaignTally
from sim.demand.arrivals import ArrivalStream, RateTable, arrival_times
from sim.demand.sources import DemandSource, Prevention, prevention_edges
from sim.demand.tables import shape
from sim.journey.front_door import FrontDoor
from sim.routing.dialer import Attempt, CallList, Dialer
from sim.routing.router import Router


def campaigns(cfg: Config) -> list[CampaignConfig]:
    """The campaigns that run (none when ``outbound.enabled`` is off)."""
    return list(cfg.outbound.campaigns) if cfg.outbound.enabled else []


def tallies(cfg: Config) -> dict[str, CampaignTally]:
    """An empty counter per running campaign, counting from the warm-up on."""
    return {k.name: CampaignTally(since=cfg.warmup) for k in campaigns(cfg)}


def attach_prevention(
    cfg: Config, streams: Streams, sources: dict, counts: dict[str, CampaignTally]
) -> None:
    """Give each (segment, reason) source the campaigns that prevent its reason."""
    for (s, r), source in sources.items():
        seg, reason = list(cfg.demand.segments)[s], list(cfg.demand.reasons)[r]
        acting = [k for k in campaigns(cfg) if k.prevents.get(reason, 0.0) > 0]
        if not acting:
            continue
        edges = prevention_edges([prevention_share(cfg.demand, k, seg, reason) for k in acting])
        uniforms = sampler(Uniform(), streams.get(f"outbound.prevent.{seg}.{reason}"))
        source.prevent = Prevention(edges, uniforms, [counts[k.name] for k in acting])


def created_pairs(cfg: Config) -> list[tuple[CampaignConfig, str, str]]:
    """(campaign, segment, reason) of every created-contact stream."""
    return [
        (k, seg, reason)
        for k in campaigns(cfg)
        for reason, per_message in k.creates.items()
        if per_message > 0
        for seg in cfg.demand.segments
    ]


def created_table(cfg: Config, k: CampaignConfig, seg: str, reason: str) -> RateTable:
    """Arrival rates of the contacts ``k`` creates in (segment, reason)."""
    d = cfg.demand
    per_day = round(DAY / d.profile_interval)
    n = max(1, math.ceil(cfg.horizon / d.profile_interval - 1e-9))
    daily = d.customers * d.segments[seg].share * k.rate / 30.0 * k.reach * k.creates[reason]
    intraday = np.resize(shape(d.segments[seg].profile or d.profile, per_day), n)
    return RateTable(d.profile_interval, daily * intraday / d.profile_interval)


def start_created(
    env: simpy.Environment,
    cfg: Config,
    streams: Streams,
    make_sources: Callable[[str], dict],
    enter: Callable,
    router: Router,
    counts: dict[str, CampaignTally],
) -> None:
    """Start the arrival streams of created contacts (one per campaign, segment, reason)."""
    segments, reasons = list(cfg.demand.segments), list(cfg.demand.reasons)
    made: dict[str, dict] = {}
    for k, seg, reason in created_pairs(cfg):
        if k.name not in made:
            made[k.name] = make_sources(f"outbound.{k.name}.")
        source: DemandSource = made[k.name][(segments.index(seg), reasons.index(reason))]
        source.created = counts[k.name]
        name = f"outbound.{k.name}.arrivals.{seg}.{reason}"
        times = arrival_times(created_table(cfg, k, seg, reason), streams.get(name), cfg.horizon)
        ArrivalStream(env, times, source.make, enter, router.source_done).start()


def start_inbound(
    env: simpy.Environment,
    cfg: Config,
    streams: Streams,
    router: Router,
    front: FrontDoor,
    make_sources: Callable[[str], dict],
    counts: dict[str, CampaignTally],
) -> None:
    """The campaigns' effect on inbound demand: prevented and created contacts."""
    if not counts:
        return
    attach_prevention(cfg, streams, front.sources, counts)
    start_created(env, cfg, streams, make_sources, front.enter, router, counts)


def n_created(cfg: Config) -> int:
    """How many arrival sources the created contacts add (the router waits for them all)."""
    return len(created_pairs(cfg)) if cfg.demand.customers else 0


def start_dialer(
    env: simpy.Environment,
    cfg: Config,
    streams: Streams,
    router: Router,
    counts: dict[str, CampaignTally],
) -> Dialer | None:
    """The dialer of the agent-call campaigns, attached to the router (None if there are none)."""
    calls = [k for k in campaigns(cfg) if k.channel is OutboundChannel.agent_call]
    if not calls:
        return None
    d = cfg.outbound.dialer
    lists = [CallList(cfg.demand.customers * k.rate / 30.0, counts[k.name]) for k in calls]
    groups = {list(cfg.agents).index(g) for g in d.groups}
    draws = Attempt(
        sampler(Uniform(), streams.get("outbound.dialer.answer")),
        sampler(from_config(d.talk), streams.get("outbound.dialer.talk")),
    )
    dialer = Dialer(env, d, lists, groups, cfg.horizon, draws)
    router.attach_dialer(dialer)
    dialer.daily_lists(router.wake_for_dialer)
    return dialer
