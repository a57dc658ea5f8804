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
that the :class:`Router` applies; the router only moves contacts and tells
the log about each finished contact. It computes no statistics.

Not modelled here: overflow thresholds, vendors, chat concurrency, shifts
(later issues add them as policies and agent processes).
"""

from __future__ import annotations

import functools
import heapq
import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import simpy

from sim.entities import ABANDONED, BLOCKED, OPEN, SERVED, Agent, Contact


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


class Router:
    """Holds waiting contacts and idle agents and starts services."""

    def __init__(
        self,
        env: simpy.Environment,
        plan: RoutingPlan,
        agents: Sequence[Sequence[Agent]],
        record: Callable[[Contact, int, float], None],
        n_sources: int,
    ) -> None:
        self.env = env
        self.plan = plan
        self.record = record
        self.agents = [list(group) for group in agents]
        for group in self.agents:
            for a in group:
                a.on_finish = functools.partial(self._finish, a)
        self.waiting: list[deque[Contact]] = [deque() for _ in plan.capacity]
        self.idle: list[deque[Agent]] = [deque(group) for group in agents]
        self.limited = [c < math.inf for c in plan.capacity]
        self.groups_for_queue = plan.groups_for_queue
        self.in_system = [0] * len(plan.capacity)
        self.sources_open = n_sources
        self.drained = env.event()
        self._deadlines: list[list] = [[] for _ in plan.capacity]
        # Groups serving a single queue take the short path in _finish.
        self.single = [
            self.waiting[t[0][0]] if len(t) == 1 and len(t[0]) == 1 else None
            for t in plan.tiers_for_group
        ]

    def admit(self, contact: Contact) -> None:
        """A contact arrives at its queue: block it, start it, or queue it."""
        q = contact.queue
        if self.limited[q]:
            if self.in_system[q] >= self.plan.capacity[q] and not self._make_room(q):
                self._close(contact, BLOCKED, self.env.now)
                return
            self.in_system[q] += 1
        for g in self.groups_for_queue[q]:  # preference order; first with an idle agent
            idle = self.idle[g]
            if idle:
                self._start(contact, idle.popleft(), contact.t_queue)
                return
        self.waiting[q].append(contact)
        if self.plan.track_deadlines[q]:
            heapq.heappush(self._deadlines[q], (contact.deadline, contact.id, contact))

    def source_done(self) -> None:
        """An arrival source has passed the horizon."""
        self.sources_open -= 1
        self._check_drained()

    def _start(self, contact: Contact, agent: Agent, now: float) -> None:
        contact.t_answer = now
        contact.agent = agent
        agent.contact = contact
        self.env.timeout(contact.handle).callbacks.append(agent.on_finish)

    def _finish(self, agent: Agent, _event: simpy.Event) -> None:
        contact = agent.contact
        now = self.env.now
        if self.limited[contact.queue]:
            self.in_system[contact.queue] -= 1
        self.record(contact, SERVED, now)
        agent.contact = None
        single = self.single[agent.group]
        if single is None:
            nxt = self._next_contact(agent.group, now)
        else:
            nxt = self._next_in(single, now) if single else None
        if nxt is None:
            self.idle[agent.group].append(agent)
            if self.sources_open == 0:
                self._check_drained()
        else:
            self._start(nxt, agent, now)

    def _next_in(self, dq: deque[Contact], now: float) -> Contact | None:
        """First live contact of one queue, closing the expired ones met on the way."""
        while dq:
            c = dq.popleft()
            if c.outcome is None and c.deadline > now:
                return c
            self._expire(c)
        return None

    def _next_contact(self, group: int, now: float) -> Contact | None:
        """Best waiting contact for an agent of ``group``, dropping the expired."""
        for tier in self.plan.tiers_for_group[group]:
            if len(tier) == 1:
                c = self._next_in(self.waiting[tier[0]], now)
                if c is not None:
                    return c
                continue
            for q in tier:
                self._purge_head(q, now)
            q = oldest_queue(tier, self.waiting)
            if q is not None:
                return self.waiting[q].popleft()
        return None

    def _purge_head(self, q: int, now: float) -> None:
        """Drop head contacts that have abandoned (or were already closed)."""
        dq = self.waiting[q]
        while dq and (dq[0].outcome is not None or dq[0].deadline <= now):
            self._expire(dq.popleft())

    def _expire(self, contact: Contact) -> None:
        """A contact left the queue when its patience ran out (unless already closed)."""
        if contact.outcome is None:
            self._close(contact, ABANDONED, contact.deadline)

    def _make_room(self, q: int) -> bool:
        """Close contacts of a full queue whose patience ran out; is there room now?"""
        heap = self._deadlines[q]
        now = self.env.now
        while heap and heap[0][0] <= now:
            c = heapq.heappop(heap)[2]
            if c.agent is None:
                self._expire(c)
        return self.in_system[q] < self.plan.capacity[q]

    def _close(self, contact: Contact, outcome: int, t_end: float) -> None:
        contact.outcome = outcome
        if outcome != BLOCKED and self.limited[contact.queue]:
            self.in_system[contact.queue] -= 1
        self.record(contact, outcome, t_end)

    def _check_drained(self) -> None:
        if self.sources_open or self.drained.triggered:
            return
        if all(len(idle) == len(group) for idle, group in zip(self.idle, self.agents, strict=True)):
            self.drained.succeed()

    def close_all(self) -> None:
        """End of run: close expired waiting contacts as abandoned, the rest as open."""
        now = self.env.now
        waiting = [c for dq in self.waiting for c in dq if c.outcome is None]
        busy = [a.contact for group in self.agents for a in group if a.contact is not None]
        for c in waiting:
            if c.deadline <= now:
                self._close(c, ABANDONED, c.deadline)
            else:
                self._close(c, OPEN, math.nan)
        for c in busy:
            self._close(c, OPEN, math.nan)
