"""Matching contacts and agents: queues, idle agents and the rules between them.

Modelled: FCFS queues with non-preemptive priorities between queues, agent
groups with skills (the queues they serve), longest-idle agent selection,
patience (abandonment) and finite capacity (blocking).

Abandonment is lazy: a contact's deadline (arrival + patience) is drawn at
arrival and nothing is scheduled for it. When an agent looks for work,
expired contacts at the head of a queue are removed and recorded as
abandoned *at their deadline*, which is exactly when they would have left.
So abandonment costs no event. Where a queue has a finite capacity, a heap of
deadlines lets an arrival find out how many waiting contacts are still there.

The decisions are pure functions (:func:`pick_group`, :func:`oldest_queue`)
that the :class:`sim.router.Router` applies (the router inlines the common
case of ``pick_group`` on its hot path).

Not modelled here: overflow thresholds, vendors, chat concurrency (later
issues add them as policies).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RoutingPlan:
    """Static wiring between queues and agent groups (indices, not names).

    Attributes:
        groups_for_queue: per queue, the groups that serve it, in preference order.
        tiers_for_group: per group, its queues grouped by priority, best first.
        capacity: per queue, most contacts in the system (``inf`` = unlimited).
        track_deadlines: per queue, whether blocking needs a deadline heap.
    """

    groups_for_queue: list[list[int]]
    tiers_for_group: list[list[list[int]]]
    capacity: list[float]
    track_deadlines: list[bool]


def plan_routing(
    priorities: Sequence[int],
    skills: Sequence[Sequence[int]],
    capacities: Sequence[int | None],
    has_patience: Sequence[bool],
) -> RoutingPlan:
    """Build the routing plan from per-queue priorities and per-group skills."""
    n_queues = len(priorities)
    groups_for_queue = [[g for g, s in enumerate(skills) if q in s] for q in range(n_queues)]
    tiers = []
    for s in skills:
        levels = sorted({priorities[q] for q in s})
        tiers.append([[q for q in s if priorities[q] == p] for p in levels])
    capacity = [math.inf if c is None else float(c) for c in capacities]
    track = [c is not None and p for c, p in zip(capacities, has_patience, strict=True)]
    return RoutingPlan(groups_for_queue, tiers, capacity, track)


def pick_group(groups: Sequence[int], idle: Sequence[deque]) -> int | None:
    """First group, in preference order, with an idle agent."""
    for g in groups:
        if idle[g]:
            return g
    return None


def oldest_queue(tier: Sequence[int], waiting: Sequence[deque]) -> int | None:
    """Queue of the tier whose head contact has waited longest (FCFS across queues)."""
    best = None
    best_t = math.inf
    for q in tier:
        dq = waiting[q]
        if dq and dq[0].t_queue < best_t:
            best, best_t = q, dq[0].t_queue
    return best
