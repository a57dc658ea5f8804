"""The router: applies the routing rules to waiting contacts and idle agents.

See :mod:`sim.routing.policies` for the rules (pure functions) and what is modelled.
The router only moves contacts, starts services and tells the collector
about each finished contact; it computes no statistics.

Contacts in progress when an agent goes off (end of shift, break): the agent
finishes them, then leaves; that time is reported as overtime. A misrouted
contact (``transfer >= 0``) is served at the wrong queue for its transfer
time, then re-enters the right queue as a new leg. ``hold``/``release``
count contacts outside the queues (IVR, self-service, about to retry), so
that a run is drained only when they are gone too. Agents with several
slots (chat concurrency) take the multi-slot path (:mod:`sim.routing.slots`).
"""

from __future__ import annotations

import functools
import heapq
import math
from collections import deque
from collections.abc import Callable, Sequence

import simpy

from sim.core.clock import Alarm, Clock
from sim.core.entities import (
    ABANDONED,
    BALKED,
    BLOCKED,
    OPEN,
    OVERFLOWED,
    SERVED,
    TRANSFERRED,
    Agent,
    Contact,
)
from sim.routing.balking import Balking
from sim.routing.callback import Callbacks
from sim.routing.dialer import Dialer, DialingMixin
from sim.routing.policies import RoutingPlan, longest_idle_group, oldest_queue, pick_group
from sim.routing.slots import SlotsMixin, transfer_leg


def _no_overtime(_agent: Agent, _start: float, _end: float) -> None:
    """``Router.overtime`` until a workforce logs it (a function: lambdas do not pickle)."""


class Router(SlotsMixin, DialingMixin):
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
        self._set = Clock(env).set
        self.callbacks: Callbacks | None = None  # set by the model when a queue offers them
        self.balking: Balking | None = None  # set by the model when a queue balks
        self.dialer: Dialer | None = None  # set by attach_dialer: outbound blending
        self.plan = plan
        self.record = record
        self.overtime: Callable[[Agent, float, float], None] = _no_overtime  # see Workforce
        self.agents = [list(group) for group in agents]
        for a in (a for group in self.agents for a in group):
            if a.slots == 1:
                a.on_finish = functools.partial(self._finish, a)
                a.wake = Alarm(a.on_finish)
            else:  # completions carry their contact: env.timeout(value=contact)
                a.on_finish = functools.partial(self._finish_slot, a)
        n_all = len(plan.groups_for_queue)
        self.waiting: list[deque[Contact]] = [deque() for _ in range(n_all)]
        self.idle: list[deque[Agent]] = [deque(group) for group in agents]
        self.limited = [c < math.inf for c in plan.capacity]
        self.groups_for_queue = plan.groups_for_queue
        self.lanes = plan.lanes
        n_virtual = plan.n_virtual or n_all
        self.is_overflow = [plan.n_real <= q < n_virtual for q in range(n_all)]
        self.in_system = [0] * plan.n_real
        self.sources_open = n_sources
        self.outside = 0
        self.drained = env.event()
        self._deadlines: list[list] = [[] for _ in plan.capacity]
        # Groups serving a single real queue (no overflow) take the short path in _finish.
        self.single = [
            self.waiting[t[0][0]] if len(t) == 1 and len(t[0]) == 1 else None
            for t in plan.tiers_for_group
        ]

    def admit(self, contact: Contact, now: float) -> None:
        """A contact arrives at its queue at ``now``: block it, start it, or queue it."""
        q = contact.queue
        lane = q if self.lanes is None else self.lanes[q][contact.kind]
        if self.limited[q]:
            if self.in_system[q] >= self.plan.capacity[q] and not self._make_room(q):
                self._close(contact, BLOCKED, now)
                return
            self.in_system[q] += 1
        u_balk = None
        if self.balking is not None and self.balking.draws[q] is not None:
            u_balk = next(self.balking.draws[q])  # drawn by every contact: common random numbers
        if self.plan.longest_idle:
            g = longest_idle_group(self.groups_for_queue[lane], self.idle)
            if g is not None:
                self._start_by(contact, self.idle[g].popleft(), now)
                return
        else:
            for g in self.groups_for_queue[lane]:  # pick_group, inlined: hot path
                idle = self.idle[g]
                if idle:
                    agent = idle.popleft()
                    if agent.slots == 1:  # _start_by, inlined: hot path
                        self._start(contact, agent, now)
                    else:
                        self._start_slot(contact, agent, now)
                    return
        if u_balk is not None and self._balks(q, lane, u_balk, now):
            self._close(contact, BALKED, now)
            return
        if self.callbacks is not None:
            self.callbacks.offer(contact, self._head_wait(lane, now))
        self.waiting[lane].append(contact)
        if self.plan.track_deadlines[q]:
            heapq.heappush(self._deadlines[q], (contact.deadline, contact.id, contact))
        for after, vq in self.plan.overflow[q]:
            self.env.timeout(after).callbacks.append(functools.partial(self._overflow, contact, vq))

    def _balks(self, q: int, lane: int, u: float, now: float) -> bool:
        """Whether a contact that must wait in queue ``q`` (its ``lane``) hangs up at once.

        With vendor areas the customer hears the wait of its own lane.
        """
        live = sum(
            1
            for c in self.waiting[lane]
            if c.outcome is None and c.agent is None and c.deadline > now
        )
        return u < self.balking.rules[q].probability(live, self._head_wait(lane, now))

    def _head_wait(self, q: int, now: float) -> float:
        """How long the first live contact of queue ``q`` has waited (0 if none waits)."""
        self._purge_head(q, now)
        dq = self.waiting[q]
        return now - dq[0].t_queue if dq else 0.0

    def _overflow(self, contact: Contact, vq: int, _event: object = None) -> None:
        """The contact has waited long enough: overflow groups may take it too."""
        now = self.env.now
        if contact.agent is not None or contact.outcome is not None or contact.deadline <= now:
            return
        g = (longest_idle_group if self.plan.longest_idle else pick_group)(
            self.groups_for_queue[vq], self.idle
        )
        if g is None:
            self.waiting[vq].append(contact)
        else:
            contact.info |= OVERFLOWED
            self._start_by(contact, self.idle[g].popleft(), now)

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

    def _start_by(self, contact: Contact, agent: Agent, now: float) -> None:
        if agent.slots == 1:
            self._start(contact, agent, now)
        else:
            self._start_slot(contact, agent, now)

    def _start(self, contact: Contact, agent: Agent, now: float) -> None:
        contact.t_answer = now
        contact.agent = agent
        agent.contact = contact
        self._set(agent.wake, contact.handle * agent.speed[contact.queue])

    def _finish(self, agent: Agent, _event: simpy.Event) -> None:
        contact = agent.contact
        now = self.env._now  # env.now without the property call (hot path; Clock checks it)
        agent.contact = None
        if contact.transfer < 0 and not self.limited[contact.queue]:  # _done, inlined: hot path
            self.record(contact, SERVED, now)
        else:
            self._done(contact, now)
        if not agent.present:
            self.overtime(agent, agent.off_since, now)
            self._check_drained()
            return
        self._take_next(agent, now)

    def _done(self, contact: Contact, now: float) -> None:
        """Record a finished service (or its first leg, for a misrouted contact)."""
        if self.limited[contact.queue]:
            self.in_system[contact.queue] -= 1
        if contact.transfer >= 0:
            self.record(contact, TRANSFERRED, now)
            self.admit(transfer_leg(contact, now), now)
        else:
            self.record(contact, SERVED, now)

    def _take_next(self, agent: Agent, now: float) -> None:
        """A free agent takes the best waiting contact, or becomes idle."""
        single = self.single[agent.group]
        if single is None:
            nxt = self._next_contact(agent.group, now)
        else:
            nxt = self._next_in(single, now) if single else None
        if nxt is None:
            if self.dialer is not None and self.dialer.take(agent, now):
                return  # an outbound call instead of idling (sim.routing.dialer)
            agent.idle_since = now
            self.idle[agent.group].append(agent)
            if self.sources_open == 0:
                self._check_drained()
        elif agent.slots == 1:  # _start_by, inlined: hot path
            self._start(nxt, agent, now)
        else:
            self._start_slot(nxt, agent, now)

    def _next_in(self, dq: deque[Contact], now: float) -> Contact | None:
        """First live contact of one queue, closing the expired ones met on the way."""
        while dq:
            c = dq.popleft()
            if c.outcome is None and c.agent is None and c.deadline > now:
                return c
            self._expire(c)
        return None

    def _next_contact(self, group: int, now: float) -> Contact | None:
        """Best waiting contact for an agent of ``group``, dropping expired and stale ones."""
        waiting = self.waiting
        for tier in self.plan.tiers_for_group[group]:
            for q in tier:  # _purge_head only where the head is stale (hot path)
                dq = waiting[q]
                if dq and (
                    dq[0].outcome is not None or dq[0].agent is not None or dq[0].deadline <= now
                ):
                    self._purge_head(q, now)
            if len(tier) == 1:  # oldest_queue of one queue, inlined
                q = tier[0] if waiting[tier[0]] else None
            else:
                q = oldest_queue(tier, waiting, self.plan.head_start)
            if q is not None:
                c = self.waiting[q].popleft()
                if self.is_overflow[q]:
                    c.info |= OVERFLOWED
                return c
        return None

    def _purge_head(self, q: int, now: float) -> None:
        """Drop head contacts that abandoned, were closed, or are taken elsewhere."""
        dq = self.waiting[q]
        while dq and (
            dq[0].outcome is not None or dq[0].agent is not None or dq[0].deadline <= now
        ):
            self._expire(dq.popleft())

    def _expire(self, contact: Contact) -> None:
        """A contact left the queue when its patience ran out (unless closed or taken)."""
        if contact.outcome is None and contact.agent is None:
            self._close(contact, ABANDONED, contact.deadline)

    def _make_room(self, q: int) -> bool:
        """Close contacts of a full queue whose patience ran out; is there room now?"""
        heap = self._deadlines[q]
        now = self.env.now
        while heap and heap[0][0] <= now:
            self._expire(heapq.heappop(heap)[2])
        return self.in_system[q] < self.plan.capacity[q]

    def _close(self, contact: Contact, outcome: int, t_end: float) -> None:
        contact.outcome = outcome
        if outcome != BLOCKED and self.limited[contact.queue]:
            self.in_system[contact.queue] -= 1
        self.record(contact, outcome, t_end)

    def agent_off(self, agent: Agent) -> None:
        """The agent stops taking contacts (end of shift, break); one in hand is finished."""
        if not agent.present:
            return
        agent.present = False
        agent.off_since = self.env.now
        idle = self.idle[agent.group]
        if agent in idle:
            idle.remove(agent)

    def agent_on(self, agent: Agent) -> None:
        """The agent is back and looks for work."""
        if agent.present:
            return
        agent.present = True
        if agent.slots > 1:
            self._fill(agent, self.env.now)
        elif agent.contact is None and not agent.busy:  # busy: still on an outbound call
            self._take_next(agent, self.env.now)

    def _check_drained(self) -> None:
        if self.sources_open or self.outside or self.drained.triggered:
            return
        now = self.env.now
        if any(a.contact is not None or a.busy for group in self.agents for a in group):
            return
        if any(
            c.outcome is None and c.agent is None and c.deadline > now
            for dq in self.waiting
            for c in dq
        ):
            return
        self.drained.succeed()

    def close_all(self) -> None:
        """End of run: close expired waiting contacts as abandoned, the rest as open."""
        now = self.env.now
        waiting = {c for dq in self.waiting for c in dq if c.outcome is None and c.agent is None}
        busy = [
            c
            for group in self.agents
            for a in group
            for c in ([a.contact] if a.contact else a.chats)
        ]
        for c in sorted(waiting, key=lambda c: c.id):
            if c.deadline <= now:
                self._close(c, ABANDONED, c.deadline)
            else:
                self._close(c, OPEN, math.nan)
        for c in busy:
            self._close(c, OPEN, math.nan)
