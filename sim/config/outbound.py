"""Schemas of proactive automated outbound: campaigns that reach customers before they call.

A campaign sends messages (SMS, e-mail, app push, an automated outbound IVR
call) or puts accounts on an agent's call list (``agent_call``). Reached
customers no longer make a share of the inbound contacts of given reasons
(``prevents``), or make new ones (``creates``: a credit reminder makes
customers call). Agent calls go through a dialer (:class:`DialerConfig`) and
are made by blended agents when no inbound contact waits for them.

Sources (shared/seeds/001, Wind 2010, "Come la multicanalità automatizzata..."):
provisioning notifications at each step of an ULL activation and a welcome
message; fault-resolution messages with an interactive closing check; ADSL
"unbilled" traffic alerts at a 70 EUR threshold, a 5-day outbound campaign,
~13,000 alerts a year; a credit-recovery chain (broadcast reminder, notice of
suspension, phone collection before and after suspension), 1.8 M customers
contacted in 2009. Rates, reach, prevention shares and prices are ours unless
a scenario file cites otherwise.

Deliberately not modelled: "advances" (contacts pulled earlier in time with
the same total), campaign-level timing of messages within the day, customers
reached twice by several campaigns (campaigns act independently), predictive
dialing, the collections themselves (money recovered).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from sim.config.base import DistKind, DistributionConfig
from sim.config.journey import DemandConfig, lookup, volume_factor


class OutboundChannel(Enum):
    """How a campaign reaches a customer."""

    sms = "sms"
    email = "email"
    push = "push"
    ivr_call = "ivr_call"
    agent_call = "agent_call"


class DialMode(Enum):
    """How the dialer paces agent calls.

    ``preview``: the agent reads the account for ``preview_time`` before each
    dial; ``progressive``: the dialer dials as soon as an agent frees, with no
    preview. In both the agent hears the ringing (one line per agent).
    """

    preview = "preview"
    progressive = "progressive"


@dataclass
class DialerConfig:
    """The outbound queue of agent-call campaigns: how attempts go and how long they take.

    Attributes:
        mode: ``preview`` or ``progressive``.
        groups: agent groups that blend outbound calls into their inbound
            work (they dial only when none of their inbound queues has a
            contact waiting); single-slot groups only.
        hours: dialing hours ``[start, end]``, minutes from midnight.
        preview_time: agent time before each dial (preview mode only).
        ring_time: agent time of an attempt nobody answers.
        p_no_answer: probability that an attempt is not answered.
        p_right_party: probability that an answered attempt reaches the
            account holder (right-party contact, RPC); otherwise a wrong
            party, ended after ``wrong_party_time``.
        wrong_party_time: agent time of a wrong-party answer.
        talk: agent time of a right-party contact (talk and wrap-up).
        max_attempts: attempts per account before it is dropped; an account
            not answered goes back to the end of the list.
    """

    mode: DialMode = DialMode.progressive
    groups: list[str] = field(default_factory=list)
    hours: list[float] = field(default_factory=lambda: [540.0, 1200.0])
    preview_time: float = 0.5
    ring_time: float = 0.4
    p_no_answer: float = 0.45
    p_right_party: float = 0.7
    wrong_party_time: float = 0.5
    talk: DistributionConfig = field(
        default_factory=lambda: DistributionConfig(kind=DistKind.lognormal, mean=4.0, cv=0.6)
    )
    max_attempts: int = 3


@dataclass
class CampaignConfig:
    """One proactive campaign.

    Attributes:
        name: label of the campaign's KPI scope (``outbound:<name>``).
        trigger: what starts it (a label for reports: ``provisioning_step``,
            ``fault_closed``, ``spending_threshold``, ``payment_overdue``).
        channel: how it reaches customers.
        rate: messages (or accounts put on the call list) per customer per
            30-day month; sent spread evenly over the days.
        reach: share of messages that reach the customer (delivered and read,
            or answered). Agent calls reach by their own dialer draws.
        cost: EUR per message sent, or per dial attempt for ``agent_call``
            (telephony; the agents' time is in their labour cost).
        prevents: by reason, the inbound new contacts of that reason that one
            message avoids when it reaches its customer (a probability: the
            reached customer would have called and, informed, does not). The
            simulation removes each new contact of the reason with the chance
            :func:`prevention_share` (reached messages x this / the reason's
            new contacts), so the contacts prevented grow with ``rate`` and
            ``reach`` and never pass the messages reached.
        creates: by reason, new inbound contacts per message reached (a
            credit reminder makes customers call), spread over the day as
            the demand is.
    """

    name: str = "campaign"
    trigger: str = ""
    channel: OutboundChannel = OutboundChannel.sms
    rate: float = 0.0
    reach: float = 1.0
    cost: float = 0.0
    prevents: dict[str, float] = field(default_factory=dict)
    creates: dict[str, float] = field(default_factory=dict)


@dataclass
class OutboundConfig:
    """Proactive outbound: campaigns and the dialer of their agent calls (off by default)."""

    enabled: bool = False
    campaigns: list[CampaignConfig] = field(default_factory=list)
    dialer: DialerConfig = field(default_factory=DialerConfig)


def prevention_share(d: DemandConfig, k: CampaignConfig, segment: str, reason: str) -> float:
    """Share of (segment, reason)'s new inbound contacts that campaign ``k`` prevents.

    Messages go to the segments in proportion to their share of the base, so
    the base cancels out: ``rate x reach x prevents[reason]`` over the
    reason's contacts per customer-month (after ``demand.scale``). Zero when
    the reason has no demand. Above 1 is a configuration error (the rules
    refuse it): the campaign would prevent more contacts than there are.
    """
    per_message = k.prevents.get(reason, 0.0)
    demand = lookup(d.reasons[reason].rate, segment) * volume_factor(d, segment, reason)
    if per_message <= 0 or demand <= 0:
        return 0.0
    return k.rate * k.reach * per_message / demand
