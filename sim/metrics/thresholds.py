"""The service-level threshold behind each scope's ``service_level``.

A contact's service level counts it as answered in time when its wait is at
most its own threshold: its channel's ``sl_threshold``, or its queue's for a
queue's own (textbook) arrivals. A scope that holds contacts of several
channels (``all``, ``live``, a segment, a queue fed by two channels, an agent
group) mixes thresholds: its service level is the share answered within each
contact's own threshold. :func:`sl_thresholds` says which thresholds a scope's
service level uses and :func:`sl_threshold_text` writes them for a reader
("20 s", or "voice 20 s, chat 1 min"); :func:`sl_threshold` is the one
threshold of a scope, NaN when it mixes several.

Deliberately not modelled: which contacts actually arrived. A channel whose
contacts may reach a scope counts even if none did in a given run.
"""

from __future__ import annotations

import math

from sim.config import Config, route_of
from sim.config.journey import ChannelMode

MODES = ("live", "deferred")  # the mode scopes (``live``, ``deferred``)


def textbook_queues(cfg: Config) -> list[str]:
    """Queues with their own arrival process (textbook contacts: always live)."""
    return [name for name, q in cfg.queues.items() if q.arrival is not None]


def channel_modes(cfg: Config) -> dict[str, str]:
    """Mode (``live`` or ``deferred``) of each channel."""
    return {n: ChannelMode(ch.mode).value for n, ch in cfg.channels.items()}


def queue_channels(cfg: Config) -> dict[str, set[str]]:
    """Channels whose contacts the routes send to each queue."""
    out: dict[str, set[str]] = {q: set() for q in cfg.queues}
    for c in cfg.channels:
        for s in cfg.demand.segments:
            for r in cfg.demand.reasons:
                q = route_of(cfg, c, s, r)
                if q in out:
                    out[q].add(c)
    return out


def _group_queues(cfg: Config, group: str) -> set[str]:
    """Queues an agent group answers: its skills (all when empty) and overflow rules naming it."""
    skills = cfg.agents[group].skills or list(cfg.queues)
    overflow = {o.queue for o in cfg.routing.overflow if group in o.groups}
    return set(skills) | overflow


def _sources(cfg: Config, scope: str) -> tuple[set[str], set[str]]:
    """Channels and textbook queues whose contacts a scope's service level counts."""
    dim, _, name = scope.partition(":")
    textbook = set(textbook_queues(cfg))
    modes = channel_modes(cfg)
    if scope == "all" or (dim in ("segment", "reason") and name):
        return set(cfg.channels), textbook if scope == "all" else set()
    if scope in MODES:
        return {c for c, m in modes.items() if m == scope}, textbook if scope == "live" else set()
    if dim == "channel" and name in cfg.channels:
        return {name}, set()
    if dim == "queue" and name in cfg.queues:
        return queue_channels(cfg)[name], {name} & textbook
    if dim in ("group", "vendor"):
        groups = [name] if dim == "group" else _vendor_groups(cfg, name)
        queues = set().union(*(_group_queues(cfg, g) for g in groups if g in cfg.agents))
        by_queue = queue_channels(cfg)
        return set().union(*(by_queue[q] for q in queues)), queues & textbook
    return set(), set()


def _vendor_groups(cfg: Config, vendor: str) -> list[str]:
    """Agent groups of a vendor (``inhouse``: the groups without one)."""
    return [g for g, a in cfg.agents.items() if (a.vendor or "inhouse") == vendor]


def sl_thresholds(cfg: Config, scope: str) -> dict[str, float]:
    """Threshold (minutes) of each channel or textbook queue in a scope's service level.

    Keys are channel names and, for a queue's own arrivals, ``queue:<name>``;
    an empty dict for scopes without a service level (``cost``, ``churn``).
    """
    channels, queues = _sources(cfg, scope)
    out = {c: cfg.channels[c].sl_threshold for c in cfg.channels if c in channels}
    out |= {f"queue:{q}": cfg.queues[q].sl_threshold for q in cfg.queues if q in queues}
    return out


def sl_threshold(cfg: Config, scope: str) -> float:
    """The one threshold (minutes) of a scope's service level; NaN if it mixes several or none."""
    values = set(sl_thresholds(cfg, scope).values())
    return values.pop() if len(values) == 1 else math.nan


def duration_text(minutes: float) -> str:
    """A threshold for reading: ``20 s``, ``1 min``, ``4 h``, ``1 day``."""
    if minutes < 1:
        return f"{60 * minutes:.3g} s"
    if minutes < 60:
        return f"{minutes:.3g} min"
    if minutes < 1440:
        return f"{minutes / 60:.3g} h"
    days = minutes / 1440
    return f"{days:.3g} day" + ("" if days == 1 else "s")


def sl_threshold_text(cfg: Config, scope: str) -> str:
    """The threshold(s) of a scope's service level, e.g. ``20 s`` or ``voice 20 s, chat 1 min``.

    Empty for a scope without a service level.
    """
    found = sl_thresholds(cfg, scope)
    if len(set(found.values())) == 1:
        return duration_text(next(iter(found.values())))
    return ", ".join(f"{name} {duration_text(v)}" for name, v in found.items())
