"""The router with agent stress: services slowed by stress, loads added, pauses.

A subclass, so that runs without the stress model pay nothing on the hot
path. ``_start`` and ``_finish`` repeat the base class's few lines with the
stress hooks in between (stress must see the contact before a transfer
rewrites it).
"""

from __future__ import annotations

import functools

import simpy

from sim.core.entities import Agent, Contact
from sim.routing.router import Router
from sim.workforce.stress import StressModel


class StressRouter(Router):
    """A :class:`Router` whose agents carry stress (see :mod:`sim.workforce.stress`)."""

    stress: StressModel

    def _start(self, contact: Contact, agent: Agent, now: float) -> None:
        contact.handle *= self.stress.start(agent, now)
        super()._start(contact, agent, now)

    def _finish(self, agent: Agent, _event: simpy.Event) -> None:
        contact = agent.contact
        now = self.env.now
        pause = self.stress.finish(agent, contact, now)
        agent.contact = None
        self._done(contact, now)
        if not agent.present:
            self.overtime(agent, agent.off_since, now)
            self._check_drained()
        elif pause:
            self._pause(agent, pause)
        else:
            self._take_next(agent, now)

    def _start_slot(self, contact: Contact, agent: Agent, now: float) -> None:
        contact.handle *= self.stress.start(agent, now)
        super()._start_slot(contact, agent, now)

    def _finish_slot(self, agent: Agent, event: simpy.Event) -> None:
        self.stress.finish(agent, event.value, self.env.now, busy_left=agent.busy > 1)
        super()._finish_slot(agent, event)

    def _pause(self, agent: Agent, minutes: float) -> None:
        """The occupancy cap sends the agent away from the desk for a short pause."""
        self.agent_off(agent)
        self.stress.went_off(agent, self.env.now)
        self.env.timeout(minutes).callbacks.append(functools.partial(self._resume, agent))

    def _resume(self, agent: Agent, _event: simpy.Event | None = None) -> None:
        if agent.scheduled:
            self.stress.came_on(agent, self.env.now, self.stress.state[agent.id].shift_start)
            self.agent_on(agent)
