"""Validation rules for agent groups, shifts, vendors and routing policies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.config.checks.common import (
    check_cycle,
    check_hours,
    check_non_negative,
    check_positive,
    check_probability,
    require,
    require_name,
)
from sim.config.workforce import AgentGroupConfig, ShiftConfig, VendorConfig

if TYPE_CHECKING:
    from sim.config.schema import Config


def check_shift(s: ShiftConfig, path: str) -> None:
    """A shift: a daily window, weekdays, breaks inside it and not overlapping."""
    check_hours([s.start, s.end], f"{path}.(start, end)")
    require(s.count >= 0, f"{path}.count", "must be >= 0", s.count)
    for i, d in enumerate(s.days):
        require(0 <= d <= 6, f"{path}.days[{i}]", "must be a weekday 0..6 (0 = Monday)", d)
    length, last_end = s.end - s.start, 0.0
    for i, b in enumerate(sorted(s.breaks, key=lambda b: b.after)):
        p = f"{path}.breaks[{i}]"
        check_positive(b.length, f"{p}.length")
        require(
            b.after >= last_end,
            f"{p}.after",
            f"must not overlap the previous break (ends at {last_end:g})",
            b.after,
        )
        require(
            b.after + b.length <= length,
            f"{p}.after",
            f"must end inside the shift ({length:g} min)",
            b.after,
        )
        last_end = b.after + b.length


def check_agent_group(g: AgentGroupConfig, path: str, c: Config) -> None:
    """Skills, proficiency, schedule, vendor and concurrency of a group."""
    skills = g.skills or list(c.queues)
    for q, p in g.proficiency.items():
        require(
            q in skills,
            f"{path}.proficiency.{q}",
            f"must name one of the group's skills ({skills})",
            q,
        )
        check_positive(p.speed, f"{path}.proficiency.{q}.speed")
        check_positive(p.resolution, f"{path}.proficiency.{q}.resolution")
    require(not (g.hours and g.shifts), f"{path}.shifts", "cannot be combined with hours", g.hours)
    for i, s in enumerate(g.shifts):
        check_shift(s, f"{path}.shifts[{i}]")
    if g.vendor:
        require_name(g.vendor, c.vendors, f"{path}.vendor", "a vendor")
    require(g.concurrency >= 1, f"{path}.concurrency", "must be >= 1", g.concurrency)
    check_non_negative(g.concurrency_slowdown, f"{path}.concurrency_slowdown")
    check_probability(g.absenteeism, f"{path}.absenteeism")
    require(0 <= g.shrinkage < 1, f"{path}.shrinkage", "must be in [0, 1)", g.shrinkage)
    if g.staffing or g.availability:
        check_staffing(g, path, c.horizon)


def check_staffing(g: AgentGroupConfig, path: str, horizon: float) -> None:
    """A staffing profile: levels >= 0, shares in [0, 1], whole cycles, no other schedule."""
    for key in ("hours", "shifts"):
        require(not getattr(g, key), f"{path}.{key}", "cannot be combined with staffing", key)
    for key in ("absenteeism", "shrinkage"):
        v = getattr(g, key)
        require(v == 0, f"{path}.{key}", "cannot be combined with staffing (use availability)", v)
    check_positive(g.staffing_interval, f"{path}.staffing_interval")
    require(
        0 < g.step_away <= g.staffing_interval,
        f"{path}.step_away",
        f"must be in (0, staffing_interval={g.staffing_interval:g}]",
        g.step_away,
    )
    for i, s in enumerate(g.staffing):
        check_non_negative(s, f"{path}.staffing[{i}]")
    for i, a in enumerate(g.availability):
        check_probability(a, f"{path}.availability[{i}]")
    if g.staffing and g.availability:
        require(
            len(g.availability) == len(g.staffing),
            f"{path}.availability",
            f"must have one share per staffing interval ({len(g.staffing)})",
            len(g.availability),
        )
    levels = g.staffing or g.availability
    check_cycle(
        levels,
        g.staffing_interval,
        horizon,
        f"{path}.{'staffing' if g.staffing else 'availability'}",
    )


def check_vendor(v: VendorConfig, path: str, c: Config) -> None:
    """Price and quality factors of a vendor."""
    check_non_negative(v.price, f"{path}.price")
    check_positive(v.handle_factor, f"{path}.handle_factor")
    check_positive(v.resolution_factor, f"{path}.resolution_factor")
    for i, a in enumerate(v.areas):
        require(a in c.demand.reasons, f"{path}.areas[{i}]", "must name a reason", a)


def check_routing(c: Config) -> None:
    """Overflow rules name real queues and groups."""
    for i, o in enumerate(c.routing.overflow):
        p = f"routing.overflow[{i}]"
        require_name(o.queue, c.queues, f"{p}.queue", "a queue")
        check_non_negative(o.after, f"{p}.after")
        require(len(o.groups) > 0, f"{p}.groups", "must list at least one group", o.groups)
        for j, g in enumerate(o.groups):
            require_name(g, c.agents, f"{p}.groups[{j}]", "an agent group")


def areas_of(c: Config, group: str) -> list[str] | None:
    """The reasons a group may take under its vendor's areas (None: any reason)."""
    v = c.vendors.get(c.agents[group].vendor)
    return list(v.areas) if v is not None and v.areas else None


def _first_route(c: Config, channel: str, segment: str, reason: str) -> int | None:
    """Index of the route that sends (channel, segment, reason) somewhere (None: none)."""
    for i, r in enumerate(c.routes):
        if (
            (not r.channels or channel in r.channels)
            and (not r.segments or segment in r.segments)
            and (not r.reasons or reason in r.reasons)
        ):
            return i
    return None


def check_areas(c: Config) -> None:
    """Every routed reason reaches a group whose vendor's areas cover it, or an overflow.

    PosteMobile's two outsourcers split the work by specialization areas (seed 000):
    a vendor's agents take only contacts of its areas unless an explicit overflow
    rule (``routing.overflow``) on the queue lets other groups take them.
    """
    from sim.config.workforce import group_size

    if not any(areas_of(c, g) is not None for g in c.agents):
        return
    overflowed = {o.queue for o in c.routing.overflow}
    for ch in c.channels:
        for seg in c.demand.segments:
            for reason in c.demand.reasons:
                i = _first_route(c, ch, seg, reason)
                if i is None or c.routes[i].queue in overflowed:
                    continue
                q = c.routes[i].queue
                groups = [
                    g
                    for g, a in c.agents.items()
                    if group_size(a) > 0 and (not a.skills or q in a.skills)
                ]
                ok = [g for g in groups if (areas_of(c, g) is None or reason in areas_of(c, g))]
                require(
                    bool(ok),
                    f"routes[{i}]",
                    f"sends {ch}/{seg}/{reason} contacts to queue {q}, whose groups all work "
                    f"for vendors whose areas (vendors.<name>.areas) exclude {reason}: give a "
                    f"group whose vendor covers {reason} the skill {q}, route {reason} elsewhere, "
                    f"or add an overflow rule (routing.overflow) on {q}; groups of {q}",
                    groups,
                )


def check_workforce(c: Config) -> None:
    """Check groups, vendors and routing."""
    for name, g in c.agents.items():
        check_agent_group(g, f"agents.{name}", c)
    for name, v in c.vendors.items():
        check_vendor(v, f"vendors.{name}", c)
    check_routing(c)
    check_areas(c)


def _why_idle(c: Config, group: str, queue: str) -> str | None:
    """Why an overflow group can never take a queue's contact by overflow (None: it can)."""
    from sim.config.workforce import group_size

    g = c.agents[group]
    if group_size(g) == 0:
        return f"agents.{group} has no agents"
    if (not g.skills or queue in g.skills) and areas_of(c, group) is None:
        return (
            f"agents.{group} serves {queue} already (its skills include it), so it takes "
            f"{queue}'s contacts at once, not after a wait: drop {queue} from its skills "
            "to make it a backup"
        )
    return None


def _patience_sources(c: Config, queue: str) -> list:
    """Patience of the contacts that wait in ``queue``: its own arrivals', its channels'."""
    from sim.config.base import DistributionConfig

    q = c.queues[queue]
    found: list[DistributionConfig | None] = [q.patience] if q.arrival is not None else []
    if c.demand.customers or c.demand.backlog:
        for r in c.routes:
            if r.queue == queue:
                found += [c.channels[ch].patience for ch in (r.channels or c.channels)]
    return found


def _all_leave_before(c: Config, queue: str, after: float) -> bool:
    """Every contact of ``queue`` abandons within ``after`` minutes (fixed patiences only)."""
    from sim.config.base import DistKind

    found = _patience_sources(c, queue)
    return (
        bool(found)
        and all(
            p is not None and p.kind is DistKind.deterministic and p.mean is not None for p in found
        )
        and max(p.mean for p in found) <= after
    )


def overflow_warnings(c: Config) -> list[str]:
    """Overflow rules (``routing.overflow``) that can never fire, or never for some groups.

    A rule lets ``groups`` take a contact of ``queue`` once it has waited
    ``after`` minutes. It never fires for a group with no agents, nor for one
    that serves the queue already (that group takes the contact at once, as
    any of its skills); and never at all when every contact of the queue has
    abandoned by then (fixed patiences no longer than ``after``). Not checked:
    working hours that never meet, and load so low that nobody ever waits.
    """
    out = []
    for i, o in enumerate(c.routing.overflow):
        p = f"routing.overflow[{i}] ({o.queue} after {o.after:g} min)"
        if _all_leave_before(c, o.queue, o.after):
            out.append(
                f"{p} can never fire: every contact of {o.queue} abandons within {o.after:g} "
                "min (a fixed patience no longer than after)"
            )
            continue
        why = [w for g in o.groups if (w := _why_idle(c, g, o.queue)) is not None]
        if why:
            scope = "can never fire" if len(why) == len(o.groups) else "never fires for a group"
            out.append(f"{p} {scope}: {'; '.join(why)}")
    return out
