"""The front door: IVR, self-service and routing, between arrival and the agent queues.

A demand contact enters on its channel. On voice it first passes the IVR
(identification + menu levels of its segment; blocked if every port is
busy), then optionally IVR self-service. On other channels it may try
self-service (chatbot, knowledge base). Self-service resolves it
(``self_served``) or fails: the customer then goes on to an agent queue,
switches channel (the contact ends ``switched``; a new contact of the same
issue arrives after a delay on a channel drawn from ``switch_to``; the
switch may be a retry on the same channel), or gives up. Every failure adds
one frustration point (having to repeat oneself is the top complaint,
Fonolo survey in shared/seeds/002). With ``automation_only`` nobody reaches
an agent after a failure: the agent share switches instead (MasterPRO, seed 004).

Routing sends the contact to the queue of the first matching route. On
voice, with probability ``misroute`` the menu sends it to another voice
queue; the agent there spends ``transfer_time`` and transfers it once to the
right queue (a second leg, one more frustration point).

Choices are uniforms drawn at arrival (``Contact.path``); durations of
journey steps come from their own named streams in order of use.
Not modelled: callbacks, IVR menus that vary by reason, self-service that
leaves the customer partially served.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import simpy

from sim.core.calendar import DAY, in_window
from sim.core.clock import Clock, Later
from sim.core.entities import (
    BLOCKED,
    DUPLICATE,
    FRUSTRATION,
    GAVE_UP,
    OPEN,
    SELF_SERVED,
    SWITCHED,
    TRIED_SELF_SERVICE,
    Contact,
    next_contact_info,
)
from sim.demand.sources import DemandSource


class Admission(Protocol):
    """What the front door needs of the router (:class:`sim.routing.router.Router`)."""

    def admit(self, contact: Contact, now: float) -> None:
        """Take a contact into its queue."""

    def hold(self) -> None:
        """Count a contact held outside the queues (IVR, self-service, a retry)."""

    def release(self) -> None:
        """A contact held outside has moved on."""


U_TRY, U_SUCCESS, U_BRANCH, U_SWITCH, U_MISROUTE, U_WRONG = range(6)


@dataclass
class Automation:
    """A compiled self-service step (indices instead of names)."""

    share: float
    time: Iterator[float]
    success: list[float]  # by reason code
    branch: tuple[float, float]  # cumulative P(agent), P(agent or switch)
    switch_cum: list[float]  # cumulative switch_to over channel codes
    retry: Iterator[float]


@dataclass
class Ivr:
    """A compiled IVR (indices instead of names)."""

    identification: Iterator[float]
    per_level: Iterator[float]
    levels: list[int]  # by segment code
    automation: Automation | None
    misroute: float
    transfer_time: Iterator[float]
    ports: float


@dataclass
class Kind:
    """Codes of a contact kind."""

    channel: int
    segment: int
    reason: int


class FrontDoor:
    """Moves demand contacts through IVR and self-service to their queue."""

    def __init__(
        self, env: simpy.Environment, router: Admission, record: Callable, plan: dict
    ) -> None:
        self.env = env
        clock = Clock(env)
        self._call = clock.call
        self._later = Later(clock).call  # returns, often days ahead
        self.router = router
        self.record = record
        self.kinds: list[Kind] = plan["kinds"]
        # the kinds' codes as flat lists (hot path: one index instead of an attribute too)
        self._channel = [k.channel for k in self.kinds]
        self._segment = [k.segment for k in self.kinds]
        self._reason = [k.reason for k in self.kinds]
        self.sources: dict[tuple[int, int], DemandSource] = plan["sources"]
        self.route: list[int] = plan["route"]  # queue per kind
        self.wrong: list[list[int]] = plan["wrong"]  # per kind: other queues of its channel
        self.ivr: list[Ivr | None] = plan["ivr"]  # per channel
        self.automation: list[Automation | None] = plan["automation"]  # per channel
        self.automation_only: bool = plan["automation_only"]
        self.hours: list[tuple[float, float] | None] = plan["hours"]  # per channel
        self.closed_to: list[int] = plan["closed_to"]  # per channel, -1: turn away
        self.fcr_window: float = plan.get("fcr_window", math.inf)
        self.duplicates = plan.get("duplicates")  # sim.journey.duplicates.Duplicates or None
        self.ports_busy = 0
        self.inside: set[Contact] = set()

    def enter(self, c: Contact, now: float) -> None:
        """A contact arrives on its channel at ``now``."""
        channel = self._channel[c.kind]
        ivr = self.ivr[channel]
        if ivr is not None:
            self._start_ivr(c, ivr)
            return
        auto = self.automation[channel]
        if auto is not None and c.path[U_TRY] < auto.share:
            self._start_automation(c, auto)
        else:
            self.to_queue(c)

    def _hold(self, c: Contact, delay: float, done: Callable, auto: Automation | None) -> None:
        """Keep ``c`` outside the queues for ``delay``, then call ``done(c, auto, event)``."""
        self.inside.add(c)
        self.router.hold()
        self._call(functools.partial(done, c, auto), delay)

    def _start_ivr(self, c: Contact, ivr: Ivr) -> None:
        """Menu, then (if the caller tries it) IVR self-service: one hold of the port."""
        if self.ports_busy >= ivr.ports:
            self.record(c, BLOCKED, self.env._now)
            return
        self.ports_busy += 1
        levels = ivr.levels[self._segment[c.kind]]
        t = next(ivr.identification) + sum(itertools.islice(ivr.per_level, levels))
        auto = ivr.automation
        if auto is not None and c.path[U_TRY] < auto.share:
            c.info |= TRIED_SELF_SERVICE
            self._hold(c, t + next(auto.time), self._leave_ivr, auto)
        else:
            self._hold(c, t, self._leave_ivr, None)

    def _leave_ivr(self, c: Contact, auto: Automation | None, _event) -> None:
        """The caller leaves the IVR (its port is free): to a queue, or on from self-service."""
        self.inside.discard(c)
        self.router.release()
        self.ports_busy -= 1
        if auto is None:
            self.to_queue(c)
        else:
            self._after_automation(c, auto)

    def _start_automation(self, c: Contact, auto: Automation) -> None:
        c.info |= TRIED_SELF_SERVICE
        self._hold(c, next(auto.time), self._leave_automation, auto)

    def _leave_automation(self, c: Contact, auto: Automation, _event) -> None:
        """Self-service (off the IVR) is over."""
        self.inside.discard(c)
        self.router.release()
        self._after_automation(c, auto)

    def _after_automation(self, c: Contact, auto: Automation) -> None:
        now = self.env._now  # env.now without the property call (hot path; Clock checks it)
        if c.path[U_SUCCESS] < auto.success[self._reason[c.kind]]:
            self.record(c, SELF_SERVED, now)
            return
        c.info += FRUSTRATION
        u = c.path[U_BRANCH]
        agent, switch = auto.branch
        if self.automation_only:
            agent = 0.0  # no escape to a human: that share switches
        if u < agent:
            self.to_queue(c)
        elif u < switch:
            self._switch(c, auto, now)
        else:
            self.record(c, GAVE_UP, now)

    def _switch(self, c: Contact, auto: Automation, now: float) -> None:
        channel = next(i for i, cum in enumerate(auto.switch_cum) if c.path[U_SWITCH] < cum)
        self._move(c, channel, next(auto.retry), now)

    def _move(self, c: Contact, channel: int, delay: float, now: float) -> None:
        """End the contact ``switched``; its issue comes back on ``channel`` after ``delay``."""
        self.record(c, SWITCHED, now)
        self.again(c, channel, delay)

    def again(self, old: Contact, channel: int, delay: float) -> None:
        """The customer of ``old`` comes back on ``channel`` (-1: the same) after ``delay``.

        A contact within the FCR window after the case's first contact marks
        the case as repeated for the measured FCR.
        """
        case = old.case
        if case is not None and case.contacts == 1 and delay <= self.fcr_window:
            case.repeat_in_window = True
        delay = self._when_open(channel if channel >= 0 else self.kinds[old.kind].channel, delay)
        self.router.hold()
        self._later(functools.partial(self._retry, old, channel), delay)

    def _when_open(self, channel: int, delay: float) -> float:
        """Delay of a return, moved to the channel's opening hours.

        A return that would fall in closed hours moves to the next opening,
        spread over its first two hours.
        """
        hours = self.hours[channel]
        t = self.env.now + delay
        if hours is None or in_window(t, *hours):
            return delay
        opening = hours[0] + DAY * (math.floor((t - hours[0]) / DAY) + 1)  # the next one after t
        return opening - self.env.now + math.fmod(delay, 120.0)

    def _retry(self, old: Contact, channel: int, _event=None) -> None:
        self.router.release()
        k = self.kinds[old.kind]
        target = k.channel if channel < 0 else channel
        now = self.env._now
        new = self.sources[(k.segment, k.reason)].make(now, position=target)
        new.issue, new.case = old.issue, old.case
        new.info = next_contact_info(old.info)
        self.enter(new, now)

    def to_queue(self, c: Contact) -> None:
        """Route a contact to its queue (or, misrouted, to a wrong one first)."""
        now = self.env._now
        channel = self._channel[c.kind]
        hours = self.hours[channel]
        m = now % DAY  # in_window(now, *hours), inlined: hot path
        if hours is not None and not (hours[0] <= m < hours[1] or hours[0] <= m + DAY < hours[1]):
            if self.closed_to[channel] >= 0:
                self._move(c, self.closed_to[channel], 0.0, now)
            else:
                self.record(c, BLOCKED, now)
            return
        q = self.route[c.kind]
        patience = c.deadline
        ivr = self.ivr[channel]
        wrong = self.wrong[c.kind]
        if ivr is not None and wrong and c.path[U_MISROUTE] < ivr.misroute:
            pick = wrong[min(int(c.path[U_WRONG] * len(wrong)), len(wrong) - 1)]
            c.transfer = q  # the right queue; its handle time and patience follow the path
            c.path = [*c.path, c.handle, patience]
            c.handle, q = next(ivr.transfer_time), pick
        c.queue, c.t_queue, c.deadline = q, now, now + patience
        self.router.admit(c, now)
        if self.duplicates is not None and not c.info & DUPLICATE:
            copy = self.duplicates.copy_of(c, patience, now)
            if copy is not None:  # the same message written on a second channel at once
                self.to_queue(copy)

    def close_all(self) -> None:
        """End of run: contacts still in IVR or self-service are open."""
        for c in list(self.inside):
            self.record(c, OPEN, math.nan)
        self.inside.clear()
