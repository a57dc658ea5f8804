"""Agents holding several contacts at once (chat concurrency), and transfer legs.

An agent with ``slots = k > 1`` takes contacts while it has a free slot;
each contact it starts takes ``handle x speed x (1 + slowdown x (n - 1))``
where n is the number of contacts it holds once this one starts (the more
chats at once, the slower each; FM Outsource saw output peak at 5). It stays
in its group's idle list while a slot is free, so the invariant "an idle
agent means no eligible contact waits" holds as for single-slot agents.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import simpy

from sim.core.entities import CALLBACK, CALLBACK_OFFERED, FRUSTRATION, LEG, Agent, Contact

if TYPE_CHECKING:
    from sim.routing.router import Router


class SlotsMixin:
    """The multi-slot half of :class:`sim.routing.router.Router`."""

    def _start_slot(self: Router, contact: Contact, agent: Agent, now: float) -> None:
        agent.busy += 1
        agent.chats.add(contact)
        contact.t_answer = now
        contact.agent = agent
        factor = agent.speed[contact.queue] * (1.0 + agent.slowdown * (agent.busy - 1))
        self.env.timeout(contact.handle * factor, value=contact).callbacks.append(agent.on_finish)
        if agent.busy < agent.slots:
            self._fill(agent, now)

    def _fill(self: Router, agent: Agent, now: float) -> None:
        """Take waiting contacts while a slot is free; then wait in the idle list."""
        if not agent.present or agent.busy >= agent.slots:
            return
        nxt = self._next_contact(agent.group, now)
        if nxt is not None:
            self._start_slot(nxt, agent, now)  # recurses into _fill while slots are free
            return
        idle = self.idle[agent.group]
        if agent not in idle:
            agent.idle_since = now
            idle.append(agent)
        if self.sources_open == 0:
            self._check_drained()

    def _finish_slot(self: Router, agent: Agent, event: simpy.Event) -> None:
        contact = event.value
        now = self.env.now
        agent.busy -= 1
        agent.chats.discard(contact)
        self._done(contact, now)
        if not agent.present:
            if agent.busy == 0:
                self.overtime(agent, agent.off_since, now)
                self._check_drained()
            return
        self._fill(agent, now)


def transfer_leg(contact: Contact, now: float) -> Contact:
    """Turn a misrouted contact into its second leg at the right queue."""
    handle, patience = contact.path[-2:]
    contact.queue, contact.transfer = contact.transfer, -1
    contact.handle, contact.deadline = handle, now + patience
    contact.t_queue, contact.t_answer, contact.agent = now, math.nan, None
    # the second leg is live (put through by the agent): no callback on it
    contact.info = (contact.info & ~(CALLBACK | CALLBACK_OFFERED)) + LEG + FRUSTRATION
    return contact
