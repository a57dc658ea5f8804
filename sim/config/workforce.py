"""Schemas of the workforce: agent groups, skills, shifts, vendors and routing policies.

Minutes throughout (shift times in minutes from midnight); prices in EUR.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum


class AgentPolicy(Enum):
    """Which idle agent takes an arriving contact.

    ``preferred_group``: the longest-idle agent of the first group, in the
    queue's preference order, that has one. ``longest_idle``: the agent idle
    longest across all groups that serve the queue. ``fastest``: like
    ``preferred_group`` with groups ordered by their handle-time multiplier
    on the queue (fastest first).
    """

    preferred_group = "preferred_group"
    longest_idle = "longest_idle"
    fastest = "fastest"


class QueuePolicy(Enum):
    """Which waiting contact a freed agent takes.

    ``priority``: the queues of lowest ``priority`` first, oldest contact
    among them. ``skills_order``: the group's skills in the listed order,
    oldest within one queue. ``oldest``: the contact waiting longest among
    all the group's queues (FCFS across queues).
    """

    priority = "priority"
    skills_order = "skills_order"
    oldest = "oldest"


class VendorLocation(Enum):
    """Where a vendor's agents work."""

    inhouse = "inhouse"
    onshore = "onshore"
    offshore = "offshore"


class Pricing(Enum):
    """How a vendor is paid: per staffed hour (time and material) or per contact (turnkey)."""

    hourly = "hourly"
    per_contact = "per_contact"


@dataclass
class SkillConfig:
    """Proficiency of a group on one queue.

    Attributes:
        speed: handle-time multiplier (1.2 = 20 % slower than standard).
        resolution: multiplier of the probability of resolving the contact.
    """

    speed: float = 1.0
    resolution: float = 1.0


@dataclass
class BreakConfig:
    """A break ``length`` minutes long, ``after`` minutes into the shift.

    A contact in hand at the break's start is finished first (the break is
    then shorter); the break ends at its scheduled time.
    """

    after: float = 120.0
    length: float = 15.0


@dataclass
class ShiftConfig:
    """``count`` agents working ``[start, end]`` (minutes from midnight; end may pass midnight).

    Attributes:
        days: weekdays worked (0 = Monday, as ``demand.start_weekday``); empty = every day.
        breaks: breaks of every agent of the shift.
    """

    start: float = 480.0
    end: float = 960.0
    count: int = 1
    days: list[int] = field(default_factory=list)
    breaks: list[BreakConfig] = field(default_factory=list)


@dataclass
class AgentGroupConfig:
    """A group of agents with the same skills, vendor and schedule.

    Attributes:
        count: number of agents (when no ``shifts`` are given).
        skills: names of the queues the group serves (empty = every queue);
            with the ``skills_order`` policy, their order is the group's preference.
        proficiency: per queue, handle-time and resolution multipliers.
        hours: daily working window ``[start, end]`` for all ``count`` agents
            (empty and no shifts = always present).
        shifts: individual shifts (they replace ``count`` and ``hours``).
        rotate: agents move to the group's next shift every week (rotating shifts).
        vendor: the vendor employing the group (empty = in-house).
        concurrency: contacts an agent holds at once (chat); each extra one
            makes every contact started then ``concurrency_slowdown`` slower.
        absenteeism: probability that an agent misses a scheduled day.
        shrinkage: share of each shift lost to off-phone work (training,
            meetings, coaching), taken as one block at a random time.
        staffing: agents on the phones per ``staffing_interval``, fractional
            allowed (10.6 = ten agents and one present 60 % of the interval),
            repeating over the run: the staffing of a real centre, interval by
            interval (it replaces ``count``, ``hours`` and ``shifts``).
        availability: share of the staffed agents (``staffing``, else
            ``count``) actually available per interval, in [0, 1]: agents
            logged in who step away for short spells.
        staffing_interval: length of a ``staffing`` / ``availability`` interval.
        step_away: the length of a spell: an agent present a share p of an
            interval is there for the first p of every spell of this length.
    """

    count: int = 1
    skills: list[str] = field(default_factory=list)
    proficiency: dict[str, SkillConfig] = field(default_factory=dict)
    hours: list[float] = field(default_factory=list)
    shifts: list[ShiftConfig] = field(default_factory=list)
    rotate: bool = False
    vendor: str = ""
    concurrency: int = 1
    concurrency_slowdown: float = 0.0
    absenteeism: float = 0.0
    shrinkage: float = 0.0
    staffing: list[float] = field(default_factory=list)
    availability: list[float] = field(default_factory=list)
    staffing_interval: float = 30.0
    step_away: float = 5.0


@dataclass
class VendorConfig:
    """An employer of agents: in-house or an outsourcer.

    Attributes:
        location: in-house, onshore or offshore; what it changes (price, resolution,
            language) is set per location in ``outcomes.locations``.
        pricing: per staffed hour or per handled contact.
        price: EUR per hour or per contact.
        handle_factor: multiplies the handle time of all its agents.
        resolution_factor: multiplies their probability of resolving.
        areas: specialization areas (reasons) it is contracted for; empty = any.
    """

    location: VendorLocation = VendorLocation.onshore
    pricing: Pricing = Pricing.hourly
    price: float = 22.0
    handle_factor: float = 1.0
    resolution_factor: float = 1.0
    areas: list[str] = field(default_factory=list)


@dataclass
class OverflowConfig:
    """Contacts of ``queue`` waiting ``after`` minutes become available to ``groups`` too."""

    queue: str = ""
    after: float = 1.0
    groups: list[str] = field(default_factory=list)


@dataclass
class RoutingConfig:
    """Routing policies (see :class:`AgentPolicy`, :class:`QueuePolicy`) and overflow rules."""

    agent_policy: AgentPolicy = AgentPolicy.preferred_group
    queue_policy: QueuePolicy = QueuePolicy.priority
    overflow: list[OverflowConfig] = field(default_factory=list)


def agent_levels(g: AgentGroupConfig) -> list[float] | None:
    """Agents available per ``staffing_interval`` (None: no staffing profile)."""
    if not g.staffing and not g.availability:
        return None
    base = g.staffing or [float(g.count)] * len(g.availability)
    share = g.availability or [1.0] * len(base)
    return [s * a for s, a in zip(base, share, strict=True)]


def vendor_areas(g: AgentGroupConfig, vendors: dict[str, VendorConfig]) -> list[str] | None:
    """The reasons a group may take under its vendor's areas (None: any reason)."""
    v = vendors.get(g.vendor) if g.vendor else None
    return list(v.areas) if v is not None and v.areas else None


def group_size(g: AgentGroupConfig) -> int:
    """Number of agents of a group (the most ever present, for a staffing profile)."""
    levels = agent_levels(g)
    if levels is not None:
        return math.ceil(max(levels) - 1e-9) if levels else 0
    return sum(s.count for s in g.shifts) if g.shifts else g.count
