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
listing goes stale (skipped when met). Abandonment is lazy: expired
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

    Queues ``0..n-1`` are real; queues from ``n`` on are overflow queues.

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
    """

    groups_for_queue: list[list[int]]
    tiers_for_group: list[list[list[int]]]
    capacity: list[float]
    track_deadlines: list[bool]
    overflow: list[list[tuple[float, int]]]
    longest_idle: bool = False
    head_start: list[float] | None = None

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
) -> RoutingPlan:
    """Build the routing plan.

    ``skills[g]``: the queues of group g; ``speed[g][q]``: its handle-time
    multiplier on queue q; ``overflow``: rules ``(queue, after, groups)``.
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
    )


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
