"""The outbound queue: agent calls of proactive campaigns, blended with inbound work.

Each agent-call campaign has a call list (accounts, loaded at the start of
each day's dialing hours). An agent of a blended group that would become
idle (none of its inbound queues has a contact waiting) takes the next
account instead, if the dialing hours are open and the run is before its
horizon: inbound contacts always come first, but an outbound call in
progress is not interrupted (an inbound contact arriving meanwhile waits
for another agent, or for the end of the call). Lists are served in the
order of the campaigns.

An attempt takes ``preview_time`` (preview mode only), then rings: with
probability ``p_no_answer`` nobody answers (``ring_time`` of the agent's
time); otherwise the account holder answers with ``p_right_party`` (a
right-party contact, talk and wrap-up drawn from ``talk``), or a wrong
party (``wrong_party_time``). An account not reached goes back to the end
of its list until it has had ``max_attempts`` attempts. Every attempt draws
its two uniforms and its talk time from the dialer's own streams, so the
k-th attempt is the same in every scenario (preview and progressive see the
same answers).

Deliberately not modelled: predictive dialing (more lines than agents,
abandoned outbound calls), call-back appointments, time-of-day answer
rates, outbound records in the contact table (outbound calls are counted in
:class:`sim.core.tally.CampaignTally`, not in the inbound KPIs; their agent
time is not in ``occupancy``).
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import simpy

from sim.config.base import DAY
from sim.config.outbound import DialerConfig, DialMode
from sim.core.clock import Clock
from sim.core.entities import Agent
from sim.core.tally import CampaignTally

if TYPE_CHECKING:
    from sim.routing.router import Router


def _nothing(_agent: Agent) -> None:
    """The dialer's ``after`` until a router is attached (a function: lambdas do not pickle)."""


@dataclass
class CallList:
    """One campaign's accounts to call: attempts made so far, per account in line."""

    per_day: float
    tally: CampaignTally
    accounts: deque[int] = field(default_factory=deque)
    loaded: float = 0.0  # accounts loaded so far, with the fraction carried between days

    def load(self, now: float) -> None:
        """Add one day's accounts (a fractional rate carries over to the next days)."""
        before = int(self.loaded)
        self.loaded += self.per_day
        n = int(self.loaded) - before
        self.accounts.extend([0] * n)
        if self.tally.counts(now):
            self.tally.accounts += n


@dataclass
class Attempt:
    """The draws of one dial attempt: answered, right party, talk time."""

    uniforms: Iterator[float]
    talk: Iterator[float]


class Dialer:
    """Paces agent calls: which agent may dial, when, and how long each attempt takes."""

    def __init__(
        self,
        env: simpy.Environment,
        cfg: DialerConfig,
        lists: list[CallList],
        groups: set[int],
        horizon: float,
        draws: Attempt,
    ) -> None:
        self.env = env
        self.cfg = cfg
        self.lists = lists
        self.groups = groups
        self.horizon = horizon
        self.draws = draws
        self.preview = cfg.preview_time if cfg.mode is DialMode.preview else 0.0
        self.after: Callable[[Agent], None] = _nothing  # set by the router

    def is_open(self, now: float) -> bool:
        """Dialing hours are open and the run has not reached its horizon."""
        start, end = self.cfg.hours
        return now < self.horizon and start <= now % DAY < end

    def has_work(self, now: float) -> bool:
        """An account is waiting and dialing is allowed now."""
        return self.is_open(now) and any(c.accounts for c in self.lists)

    def take(self, agent: Agent, now: float) -> bool:
        """Give ``agent`` (about to be idle) the next attempt, if any; True if it dials."""
        if agent.group not in self.groups or not self.has_work(now):
            return False
        call_list = next(c for c in self.lists if c.accounts)
        made = call_list.accounts.popleft() + 1
        minutes, reached = self._attempt(call_list.tally, now)
        if not reached and made < self.cfg.max_attempts:
            call_list.accounts.append(made)
        agent.busy = 1  # keeps the run from counting as drained while the agent dials
        self.env.timeout(minutes).callbacks.append(functools.partial(self._hang_up, agent))
        return True

    def _attempt(self, tally: CampaignTally, now: float) -> tuple[float, bool]:
        """Agent minutes of one attempt and whether it reached the account holder."""
        d = self.cfg
        u_answer, u_party = next(self.draws.uniforms), next(self.draws.uniforms)
        talk = next(self.draws.talk)
        if u_answer < d.p_no_answer:
            minutes, reached, outcome = d.ring_time, False, "no_answer"
        elif u_party < d.p_right_party:
            minutes, reached, outcome = d.ring_time + talk, True, "right_party"
        else:
            minutes, reached, outcome = d.ring_time + d.wrong_party_time, False, "wrong_party"
        minutes += self.preview
        if tally.counts(now):
            tally.attempts += 1
            tally.agent_minutes += minutes
            setattr(tally, outcome, getattr(tally, outcome) + 1)
        return minutes, reached

    def _hang_up(self, agent: Agent, _event: object = None) -> None:
        agent.busy = 0
        self.after(agent)

    def daily_lists(self, wake: Callable[[], None]) -> None:
        """Load every list at each day's dialing start, then wake idle agents (``wake()``).

        Callbacks started like a SimPy process (:meth:`Clock.start`), not a
        generator, so that a run at a midnight pickles.
        """
        self._wake = wake
        self._day = 0
        self._clock = Clock(self.env)
        self._clock.start(self._next_load)

    def _next_load(self, _event: object) -> None:
        at = self._day * DAY + self.cfg.hours[0]
        if at < self.horizon:
            self._clock.call(self._load, at - self.env.now)

    def _load(self, _event: object) -> None:
        for c in self.lists:
            c.load(self.env.now)
        self._wake()
        self._day += 1
        self._next_load(None)


class DialingMixin:
    """The blending half of :class:`sim.routing.router.Router` (used when a dialer is set)."""

    def attach_dialer(self: Router, dialer: Dialer) -> None:
        """Let agents of the dialer's groups dial when they have no inbound work."""
        self.dialer = dialer
        dialer.after = self._after_dial

    def wake_for_dialer(self: Router) -> None:
        """Idle agents of blended groups start dialing (a list was just loaded)."""
        now = self.env.now
        for g in sorted(self.dialer.groups):
            idle = self.idle[g]
            while idle and self.dialer.has_work(now):
                self.dialer.take(idle.popleft(), now)

    def _after_dial(self: Router, agent: Agent) -> None:
        """An outbound call ended: the agent leaves if off shift, else looks for work."""
        now = self.env.now
        if not agent.present:
            self.overtime(agent, agent.off_since, now)
            self._check_drained()
            return
        self._take_next(agent, now)
