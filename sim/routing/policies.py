"""Routing rules: which agent takes a contact, which contact a freed agent takes.

Modelled: FCFS queues; agent groups with skills (the queues they serve) and
per-queue speed; policies for choosing an agent (preferred group, longest
idle across groups, fastest group) and a contact (queue priority, the
group's skill order, oldest across queues); overflow of a queue's contacts
to more groups after a wait threshold; patience (abandonment) and finite
capacity (blocking).

Overflow uses *virtual queues*: when a contact of queue q has waited
``after`` minutes it is also listed in q's overflow queue, which the
overflow groups serve; whichever agent takes it first wins and the other
listing goes stale (skipped when met).

Vendor specialization areas use *lanes*, virtual queues too: when some groups
serving queue q may take only contacts of their vendor's areas (reasons), q's
contacts are held in one lane per set of groups allowed to take them, and each
group serves only the lanes it may take. A reason that no in-area group serves
waits for the queue's overflow rule if it has one, else falls back to every
group of the queue (the config checks refuse a route that sends a reason to a
queue with neither: only a misrouted contact gets there, and whoever answers
it transfers it). Overflow groups take any reason: an explicit overflow rule
overrides the areas.
Lanes keep the queue's priority, so a group compares the heads of all its lanes
in one tier, oldest first. Abandonment is lazy: expired
contacts are removed when an agent looks for work and recorded as
abandoned at their deadline, so abandonment costs no event.

The decisions are pure functions over plain structures (:func:`plan_routing`,
:func:`pick_group`, :func:`longest_idle_group`, :func:`oldest_queue`) that
:class:`sim.routing.router.Router` applies; idle agents are indexed by group, and
groups are listed per queue, so no event scans all agents.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from sim.config.workforce import AgentPolicy, QueuePolicy


@dataclass(frozen=True)
class RoutingPlan:
    """Static wiring between queues and agent groups (indices, not names).

    Queues ``0..n-1`` are real; then come the overflow queues, then the lanes.

    Attributes:
        groups_for_queue: per queue (real and overflow), the groups that serve
            it, in preference order.
        tiers_for_group: per group, its queues in tiers, best tier first;
            within a tier the oldest head is served first.
        capacity: per real queue, most contacts in the system (``inf`` = unlimited).
        track_deadlines: per real queue, whether blocking needs a deadline heap.
        overflow: per real queue, its ``(after, overflow queue)`` rules.
        longest_idle: choose the agent idle longest across eligible groups.
        head_start: per queue (real and overflow), minutes its contacts are
            taken as having waited longer than they have, when a freed agent
            compares the heads of the queues of a tier (None: all zero).
        lanes: per real queue, the queue (itself or a lane) that holds a contact
            of each reason (None: no vendor areas restrict any queue).
        n_virtual: number of real and overflow queues (lanes come after).
    """

    groups_for_queue: list[list[int]]
    tiers_for_group: list[list[list[int]]]
    capacity: list[float]
    track_deadlines: list[bool]
    overflow: list[list[tuple[float, int]]]
    longest_idle: bool = False
    head_start: list[float] | None = None
    lanes: list[list[int]] | None = None
    n_virtual: int = 0

    @property
    def n_real(self) -> int:
        """Number of real queues."""
        return len(self.capacity)


@dataclass(frozen=True)
class QueueSpec:
    """What routing needs to know of a real queue."""

    priority: int
    capacity: int | None
    has_patience: bool
    head_start: float = 0.0


def tiers(skills: Sequence[int], priority: Sequence[int], policy: QueuePolicy) -> list[list[int]]:
    """A group's queues in tiers, best first, by the queue policy."""
    if policy is QueuePolicy.oldest:
        return [list(skills)]
    if policy is QueuePolicy.skills_order:
        return [[q] for q in skills]
    levels = sorted({priority[q] for q in skills})
    return [[q for q in skills if priority[q] == p] for p in levels]


def group_order(groups: Sequence[int], speed: Sequence[float], policy: AgentPolicy) -> list[int]:
    """Preference order of the groups serving one queue."""
    if policy is AgentPolicy.fastest:
        return sorted(groups, key=lambda g: speed[g])  # stable: config order breaks ties
    return list(groups)


def plan_routing(
    queues: Sequence[QueueSpec],
    skills: Sequence[Sequence[int]],
    speed: Sequence[Sequence[float]],
    overflow: Sequence[tuple[int, float, Sequence[int]]] = (),
    agent_policy: AgentPolicy = AgentPolicy.preferred_group,
    queue_policy: QueuePolicy = QueuePolicy.priority,
    areas: Sequence[frozenset[int] | None] = (),
    kind_reasons: Sequence[int] = (),
) -> RoutingPlan:
    """Build the routing plan.

    ``skills[g]``: the queues of group g; ``speed[g][q]``: its handle-time
    multiplier on queue q; ``overflow``: rules ``(queue, after, groups)``;
    ``areas[g]``: the reasons group g may take (None: any); ``kind_reasons[k]``:
    the reason of contact kind k (-1: a textbook kind, which has none).
    """
    n = len(queues)
    priority = [q.priority for q in queues] + [queues[q].priority for q, _, _ in overflow]
    skills = [list(s) for s in skills]
    rules: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    for k, (q, after, groups) in enumerate(overflow):
        rules[q].append((after, n + k))
        for g in groups:
            skills[g].append(n + k)
    real = list(range(n)) + [q for q, _, _ in overflow]
    served = [[g for g, s in enumerate(skills) if q in s] for q in range(n + len(overflow))]
    n_virtual = len(real)
    lanes = _add_lanes(served, skills, real, priority, areas, kind_reasons, rules)
    order = [
        group_order(gs, [speed[g][real[q]] for g in range(len(skills))], agent_policy)
        for q, gs in enumerate(served)
    ]
    capacity = [math.inf if q.capacity is None else float(q.capacity) for q in queues]
    track = [q.capacity is not None and q.has_patience for q in queues]
    head = [queues[real[q]].head_start for q in range(len(real))]
    return RoutingPlan(
        order,
        [tiers(s, priority, queue_policy) for s in skills],
        capacity,
        track,
        rules,
        agent_policy is AgentPolicy.longest_idle,
        head if any(head) else None,
        lanes,
        n_virtual,
    )


def _add_lanes(
    served: list[list[int]],
    skills: list[list[int]],
    real: list[int],
    priority: list[int],
    areas: Sequence[frozenset[int] | None],
    kind_reasons: Sequence[int],
    rules: list[list[tuple[float, int]]],
) -> list[list[int]] | None:
    """Split the real queues that area-restricted groups serve into lanes (in place).

    Returns, per real queue, the queue holding each contact kind; None when no
    group is restricted (the router then skips the lookup).
    """
    if not any(a is not None for a in areas):
        return None
    lanes = []
    n = len(rules)
    for q in range(n):
        by_groups: dict[tuple[int, ...], int] = {tuple(served[q]): q}
        row = []
        for r in kind_reasons:
            ok = _admitting(served[q], areas, r, bool(rules[q]))
            if ok not in by_groups:
                by_groups[ok] = len(served)
                served.append(list(ok))
                real.append(q)
                priority.append(priority[q])
                for g in ok:  # right after q: the skills_order policy keeps its order
                    skills[g].insert(skills[g].index(q) + 1, by_groups[ok])
            row.append(by_groups[ok])
        lanes.append(row)
    for q in range(n):  # every kind of q sits in a lane: nobody serves q itself
        if q not in lanes[q]:
            for g in served[q]:
                skills[g].remove(q)
            served[q].clear()
    return lanes


def _admitting(
    groups: list[int], areas: Sequence[frozenset[int] | None], reason: int, overflow: bool
) -> tuple:
    """The groups of a queue that may take a contact of ``reason``.

    If none may: nobody when the queue has an overflow rule (the contact waits
    for it), else all of them (only a misrouted contact gets there).
    """
    ok = tuple(g for g in groups if reason < 0 or areas[g] is None or reason in areas[g])
    return ok or (() if overflow else tuple(groups))


def pick_group(groups: Sequence[int], idle: Sequence[deque]) -> int | None:
    """First group, in preference order, with an idle agent."""
    for g in groups:
        if idle[g]:
            return g
    return None


def longest_idle_group(groups: Sequence[int], idle: Sequence[deque]) -> int | None:
    """Group whose first idle agent has been idle longest (ties: preference order)."""
    best, since = None, math.inf
    for g in groups:
        dq = idle[g]
        if dq and dq[0].idle_since < since:
            best, since = g, dq[0].idle_since
    return best


def oldest_queue(
    tier: Sequence[int], waiting: Sequence[deque], head_start: Sequence[float] | None = None
) -> int | None:
    """Queue of the tier whose head contact has waited longest (FCFS across queues).

    With ``head_start``, a queue's head counts as having waited that many
    minutes longer (served as if it had arrived earlier).
    """
    best = None
    best_t = math.inf
    for q in tier:
        dq = waiting[q]
        if dq:
            t = dq[0].t_queue if head_start is None else dq[0].t_queue - head_start[q]
            if t < best_t:
                best, best_t = q, t
    return best
