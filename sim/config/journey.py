"""Schemas of the front half of the customer journey.

Customer base and segments, contact reasons, channels, self-service, IVR,
and the routes from (channel, segment, reason) to agent queues. Minutes
throughout; contact rates are per customer per 30-day month.

Mixes are ``dict[str, float]`` that must sum to 1. Per-reason or per-segment
values are dicts with an optional ``default`` key used for the names not listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from sim.config.base import DistKind, DistributionConfig

if TYPE_CHECKING:
    from sim.config.schema import Config


class ChannelMode(Enum):
    """Live channels queue with abandonment; deferred ones wait in a backlog."""

    live = "live"
    deferred = "deferred"


def _minutes(mean: float, kind: DistKind = DistKind.exponential) -> DistributionConfig:
    return DistributionConfig(kind=kind, mean=mean)


@dataclass
class SelfServiceConfig:
    """Automated handling tried before an agent (chatbot, knowledge base, IVR self-service).

    Attributes:
        name: label for reports (``chatbot``, ``knowledge_base``, ``ivr``).
        share: share of the channel's contacts that try it (1 = all).
        time: time spent in it.
        success: probability that it resolves the contact, by reason;
            ``default`` is the value of every reason not listed (setting it
            leaves the listed reasons alone; scale them all with
            ``success_scale``). A scenario's mapping is merged into this
            default one, so a ``default`` not written is 0.3.
        success_scale: multiplies the success of every reason of this step
            (a what-if: 0.5 halves them all); the product is capped at 1.
        on_failure: what a failed customer does next: ``agent`` (goes on to an
            agent queue of the same channel), ``switch`` (comes back later on a
            channel drawn from ``switch_to``), ``give_up``. Must sum to 1.
        switch_to: channel mix of those who switch (may include this channel:
            a retry).
        retry_delay: time before the switching customer's new contact.
    """

    name: str = "self_service"
    share: float = 1.0
    time: DistributionConfig = field(default_factory=lambda: _minutes(2.0))
    success: dict[str, float] = field(default_factory=lambda: {"default": 0.3})
    success_scale: float = 1.0
    on_failure: dict[str, float] = field(
        default_factory=lambda: {"agent": 1.0, "switch": 0.0, "give_up": 0.0}
    )
    switch_to: dict[str, float] = field(default_factory=dict)
    retry_delay: DistributionConfig = field(default_factory=lambda: _minutes(60.0))


@dataclass
class IvrConfig:
    """Interactive voice response in front of voice queues.

    Attributes:
        identification: time to identify the caller.
        menu_levels: menu depth by segment (``default`` for the others).
        time_per_level: time per menu level.
        self_service: IVR self-service (containment) tried after the menu.
        misroute: probability that the menu sends the call to a wrong queue
            of the same channel; the agent there transfers it (once).
        transfer_time: time the wrong agent spends before transferring.
        ports: simultaneous IVR sessions; a call finding all busy is blocked.
    """

    identification: DistributionConfig = field(
        default_factory=lambda: _minutes(0.25, DistKind.deterministic)
    )
    menu_levels: dict[str, int] = field(default_factory=lambda: {"default": 2})
    time_per_level: DistributionConfig = field(
        default_factory=lambda: _minutes(0.25, DistKind.deterministic)
    )
    self_service: SelfServiceConfig | None = None
    misroute: float = 0.0
    transfer_time: DistributionConfig = field(default_factory=lambda: _minutes(1.0))
    ports: int | None = None


@dataclass
class ChannelConfig:
    """One contact channel (voice, chat, email, social, app, whatsapp, form, fax).

    Attributes:
        mode: ``live`` (queue, patience) or ``deferred`` (backlog, response target).
        handle: agent handle time of one contact, before the reason's factor.
        patience: how long a customer waits before leaving (``null`` = forever).
        sl_threshold: answered (live) or responded (deferred) within, minutes.
        sl_target: the service-level goal.
        self_service: automation tried first on this channel, if any.
        ivr: the voice menu, if any.
        hours: agent opening hours ``[start, end]`` in minutes from midnight
            (empty = always open). IVR and self-service work around the clock;
            a contact of a live channel that needs an agent while the channel
            is closed is turned away (``blocked``) or, with ``closed_to``, left
            as a message on that channel (it ``switched`` there at once; a chat
            that becomes a ticket). Deferred channels always accept.
        closed_to: channel that takes a closed live channel's contacts.
    """

    mode: ChannelMode = ChannelMode.live
    handle: DistributionConfig = field(default_factory=lambda: _minutes(6.0))
    patience: DistributionConfig | None = None
    sl_threshold: float = 20.0 / 60.0
    sl_target: float = 0.8
    self_service: SelfServiceConfig | None = None
    ivr: IvrConfig | None = None
    hours: list[float] = field(default_factory=list)
    closed_to: str = ""


@dataclass
class SegmentConfig:
    """A customer segment (consumer, business, or a need-based sub-segment).

    Attributes:
        share: share of the customer base.
        profile: intraday arrival shape of this segment (empty = the demand's).
    """

    share: float = 1.0
    profile: list[float] = field(default_factory=list)


@dataclass
class ReasonConfig:
    """A contact reason (billing, technical, provisioning, sales, credit, information).

    Attributes:
        rate: contacts per customer per 30-day month, by segment (``default``).
        handle_factor: multiplies the channel's handle time.
    """

    rate: dict[str, float] = field(default_factory=lambda: {"default": 0.1})
    handle_factor: float = 1.0


@dataclass
class SurgeConfig:
    """A scheduled surge: rates multiplied by ``factor`` in [start, end).

    Empty ``reasons`` or ``segments`` mean all of them.
    """

    start: float = 0.0
    end: float = 60.0
    factor: float = 2.0
    reasons: list[str] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)


@dataclass
class BacklogConfig:
    """Contacts already waiting when the run starts (a backlog inherited).

    Attributes:
        count: how many.
        channel, segment, reason: their attributes.
        queue: where they wait (empty = where routes send such a contact).
        age: how long each has already waited at time 0.
        patience: how much longer each is willing to wait (``null`` = forever).
    """

    count: int = 0
    channel: str = "email"
    segment: str = ""
    reason: str = ""
    queue: str = ""
    age: DistributionConfig = field(default_factory=lambda: _minutes(1440.0))
    patience: DistributionConfig | None = None


@dataclass
class DemandConfig:
    """The customer base and the contacts it generates.

    Demand of (segment, reason) per day = customers x segment share x
    reason rate / 30, spread over the day by ``profile`` (a shape: weights
    per interval covering exactly 24 h, normalised), scaled by ``weekly``
    (day-of-week weights, normalised to mean 1; day 0 is ``start_weekday``,
    0 = Monday), by a random day factor (gamma, mean 1, ``busyness_cv``),
    by growth (``(1 + growth_per_day) ** day``) and by surges.

    Attributes:
        customers: active customers (a count; 0 = no demand model).
        channel_mix: channel choice, keyed ``default``, ``<segment>``,
            ``*.<reason>`` or ``<segment>.<reason>`` (most specific wins).
        automation_only: failed self-service never reaches an agent: the
            ``agent`` share of ``on_failure`` switches channel instead.
        scale: volume factors keyed by channel or by reason name (what-ifs:
            ``chat: 2`` doubles the chat contacts, ``billing: 0.5`` halves the
            billing ones). The expected contacts of (segment, reason, channel)
            are the base ones x the reason's factor x the channel's factor
            (1 for names not listed), so scaling one channel leaves the other
            channels' volumes as they were and changes the channel mix (chat's
            share grows). It scales new issues' first contacts; the backlog,
            and contacts that follow from them (switches, repeats), follow.
        self_service_scale: multiplies the success of every self-service step
            (each IVR's and channel's, every reason), on top of each step's
            ``success_scale``; the product is capped at 1.
    """

    customers: int = 0
    segments: dict[str, SegmentConfig] = field(default_factory=dict)
    reasons: dict[str, ReasonConfig] = field(default_factory=dict)
    channel_mix: dict[str, dict[str, float]] = field(default_factory=dict)
    profile: list[float] = field(default_factory=list)
    profile_interval: float = 30.0
    weekly: list[float] = field(default_factory=list)
    start_weekday: int = 0
    busyness_cv: float = 0.0
    growth_per_day: float = 0.0
    surges: list[SurgeConfig] = field(default_factory=list)
    automation_only: bool = False
    backlog: list[BacklogConfig] = field(default_factory=list)
    scale: dict[str, float] = field(default_factory=dict)
    self_service_scale: float = 1.0


@dataclass
class RouteConfig:
    """A routing rule: contacts matching the filters go to ``queue`` (first match wins).

    Empty filters match everything.
    """

    queue: str = ""
    channels: list[str] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


# ---- lookups on these schemas (pure functions, used by the checks and the model) ----


def lookup(values: dict[str, float], key: str, fallback: float | None = None) -> float:
    """``values[key]``, else ``values['default']``, else ``fallback``."""
    if key in values:
        return values[key]
    if "default" in values:
        return values["default"]
    if fallback is None:
        raise KeyError(key)
    return fallback


def channel_mix(d: DemandConfig, segment: str, reason: str) -> dict[str, float]:
    """The channel mix of (segment, reason): the most specific key wins."""
    for key in (f"{segment}.{reason}", f"*.{reason}", segment, "default"):
        if key in d.channel_mix:
            return d.channel_mix[key]
    raise KeyError(f"{segment}.{reason}")


def demand_mix(d: DemandConfig, segment: str, reason: str) -> dict[str, float]:
    """The channel mix of (segment, reason)'s contacts after ``demand.scale`` (sums to 1).

    Each channel's share is weighted by its factor and the mix renormalised;
    when every channel of the mix is scaled to 0 the written mix is kept
    (the volume is then 0: :func:`volume_factor`).
    """
    mix = channel_mix(d, segment, reason)
    weighted = {c: w * d.scale.get(c, 1.0) for c, w in mix.items()}
    total = sum(weighted.values())
    return {c: w / total for c, w in weighted.items()} if total > 0 else dict(mix)


def volume_factor(d: DemandConfig, segment: str, reason: str) -> float:
    """Factor of (segment, reason)'s demand from ``demand.scale``.

    The reason's factor times the channels' factors weighted by the written mix.
    """
    if not d.scale:
        return 1.0
    mix = channel_mix(d, segment, reason)
    return d.scale.get(reason, 1.0) * sum(w * d.scale.get(c, 1.0) for c, w in mix.items())


def success_of(ss: SelfServiceConfig, reason: str, d: DemandConfig) -> float:
    """Success probability of a self-service step for ``reason``, scaled and capped at 1."""
    base = lookup(ss.success, reason, 0.0)
    return min(1.0, base * ss.success_scale * d.self_service_scale)


def route_of(cfg: Config, channel: str, segment: str, reason: str) -> str | None:
    """Queue of the first route matching (channel, segment, reason)."""
    for r in cfg.routes:
        if (
            (not r.channels or channel in r.channels)
            and (not r.segments or segment in r.segments)
            and (not r.reasons or reason in r.reasons)
        ):
            return r.queue
    return None
