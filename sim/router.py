"""The router: applies the routing rules to waiting contacts and idle agents.

See :mod:`sim.routing` for the rules themselves (pure functions) and for
what is modelled. The router only moves contacts, starts services and tells
the collector about each finished contact; it computes no statistics.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections import deque
from collections.abc import Callable, Sequence

import simpy

from sim.entities import (
    ABANDONED,
    BLOCKED,
    FRUSTRATION,
    LEG,
    OPEN,
    SERVED,
    TRANSFERRED,
    Agent,
    Contact,
)
from sim.routing import RoutingPlan, oldest_queue


class Router:
    """Holds waiting contacts and idle agents and starts services.

    A misrouted contact (``transfer >= 0``) is served at the wrong queue for
    its transfer time, then re-enters the right queue as a new leg with its
    real handle time and patience. An agent whose working hours end finishes
    the contact in hand, then leaves; ``agents_leave``/``agents_arrive`` move
    a group off and on. ``hold``/``release`` count contacts that are outside
    the queues (in IVR or self-service, or about to retry), so that the run
    is drained only when they are gone too.
    """

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
        self.outside = 0
        self.drained = env.event()
        self._deadlines: list[list] = [[] for _ in plan.capacity]
        # Groups serving a single queue take the short path in _finish.
        self.single = [
            self.waiting[t[0][0]] if len(t) == 1 and len(t[0]) == 1 else None
            for t in plan.tiers_for_group
        ]

    def admit(self, contact: Contact, now: float) -> None:
        """A contact arrives at its queue at ``now``: block it, start it, or queue it."""
        q = contact.queue
        if self.limited[q]:
            if self.in_system[q] >= self.plan.capacity[q] and not self._make_room(q):
                self._close(contact, BLOCKED, now)
                return
            self.in_system[q] += 1
        for g in self.groups_for_queue[q]:  # preference order; first with an idle agent
            idle = self.idle[g]
            if idle:
                self._start(contact, idle.popleft(), now)
                return
        self.waiting[q].append(contact)
        if self.plan.track_deadlines[q]:
            heapq.heappush(self._deadlines[q], (contact.deadline, contact.id, contact))

    def source_done(self) -> None:
        """An arrival source has passed the horizon."""
        self.sources_open -= 1
        self._check_drained()

    def hold(self) -> None:
        """A contact is outside the queues for a while (IVR, self-service, retry)."""
        self.outside += 1

    def release(self) -> None:
        """A contact held outside has moved on."""
        self.outside -= 1

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
        agent.contact = None
        if contact.transfer >= 0:
            self.record(contact, TRANSFERRED, now)
            self.admit(transfer_leg(contact, now), now)
        else:
            self.record(contact, SERVED, now)
        if not agent.present:
            self._check_drained()
            return
        self._take_next(agent, now)

    def _take_next(self, agent: Agent, now: float) -> None:
        """A free agent takes the best waiting contact, or becomes idle."""
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

    def agents_leave(self, group: int) -> None:
        """Working hours end: idle agents leave now, busy ones after their contact."""
        for a in self.agents[group]:
            a.present = False
        self.idle[group].clear()

    def agents_arrive(self, group: int) -> None:
        """Working hours start: every agent of the group is present and looks for work."""
        now = self.env.now
        for a in self.agents[group]:
            if not a.present:
                a.present = True
                if a.contact is None:
                    self._take_next(a, now)

    def _check_drained(self) -> None:
        if self.sources_open or self.outside or self.drained.triggered:
            return
        now = self.env.now
        if any(a.contact is not None for group in self.agents for a in group):
            return
        if any(c.outcome is None and c.deadline > now for dq in self.waiting for c in dq):
            return
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


def transfer_leg(contact: Contact, now: float) -> Contact:
    """Turn a misrouted contact into its second leg at the right queue."""
    handle, patience = contact.path
    contact.queue, contact.transfer = contact.transfer, -1
    contact.handle, contact.deadline = handle, now + patience
    contact.t_queue, contact.t_answer, contact.agent = now, math.nan, None
    contact.info += LEG + FRUSTRATION
    return contact
