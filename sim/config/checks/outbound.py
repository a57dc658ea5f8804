"""Validation rules for proactive outbound campaigns and their dialer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.config.checks.common import (
    check_distribution,
    check_hours,
    check_non_negative,
    check_probability,
    require,
    require_name,
)
from sim.config.outbound import CampaignConfig, DialerConfig, OutboundChannel, prevention_share

if TYPE_CHECKING:
    from sim.config.schema import Config


def check_campaign(k: CampaignConfig, path: str, c: Config) -> None:
    """One campaign: its numbers, and reasons that the demand model has."""
    check_non_negative(k.rate, f"{path}.rate")
    check_probability(k.reach, f"{path}.reach")
    check_non_negative(k.cost, f"{path}.cost")
    for key in ("prevents", "creates"):
        effect = getattr(k, key)
        for reason, value in effect.items():
            require_name(reason, c.demand.reasons, f"{path}.{key}.{reason}", "a demand reason")
            if key == "prevents":
                check_probability(value, f"{path}.{key}.{reason}")
            else:
                check_non_negative(value, f"{path}.{key}.{reason}")
        if k.channel is OutboundChannel.agent_call:
            require(
                not effect,
                f"{path}.{key}",
                "is not modelled for agent calls (put the effect on a message campaign)",
                effect,
            )
    if k.prevents or k.creates:
        require(
            c.demand.customers > 0,
            f"{path}",
            "acts on inbound demand, so demand.customers must be > 0",
            c.demand.customers,
        )
    check_prevention(k, path, c)


def check_prevention(k: CampaignConfig, path: str, c: Config) -> None:
    """A campaign cannot prevent more contacts of a reason than the reason has."""
    for reason in k.prevents:
        for seg in c.demand.segments:
            share = prevention_share(c.demand, k, seg, reason)
            require(
                share <= 1.0,
                f"{path}.prevents.{reason}",
                f"prevents {share:.3g} of segment {seg}'s new {reason} contacts "
                "(rate x reach x prevents must be <= the reason's rate)",
                k.prevents[reason],
            )


def check_dialer(d: DialerConfig, c: Config) -> None:
    """The dialer: blended groups that exist and have one slot, times and probabilities."""
    p = "outbound.dialer"
    require(len(d.groups) > 0, f"{p}.groups", "must name the agent groups that make the calls", [])
    for i, g in enumerate(d.groups):
        require_name(g, c.agents, f"{p}.groups[{i}]", "an agent group")
        slots = c.agents[g].concurrency
        require(slots == 1, f"{p}.groups[{i}]", "must be a single-slot group (concurrency 1)", g)
    require(
        len(d.hours) == 2, f"{p}.hours", "must be [start, end] in minutes from midnight", d.hours
    )
    check_hours(d.hours, f"{p}.hours")
    for key in ("preview_time", "ring_time", "wrong_party_time"):
        check_non_negative(getattr(d, key), f"{p}.{key}")
    check_probability(d.p_no_answer, f"{p}.p_no_answer")
    check_probability(d.p_right_party, f"{p}.p_right_party")
    check_distribution(d.talk, f"{p}.talk")
    require(d.max_attempts >= 1, f"{p}.max_attempts", "must be >= 1", d.max_attempts)


def check_outbound(c: Config) -> None:
    """Campaign names unique and plain; each campaign; the dialer if a campaign calls."""
    o = c.outbound
    if not o.enabled:
        return
    names = [k.name for k in o.campaigns]
    for i, k in enumerate(o.campaigns):
        path = f"outbound.campaigns[{i}]"
        require(
            k.name.isidentifier() and k.name not in names[:i],
            f"{path}.name",
            "must be a unique name of letters, digits and '_'",
            k.name,
        )
        check_campaign(k, path, c)
    if any(k.channel is OutboundChannel.agent_call for k in o.campaigns):
        check_dialer(o.dialer, c)
