"""Workforce: when each agent is present, and the staffed time that gives.

Every agent of a group with ``shifts`` (or ``hours``, one shift for the
whole group) follows its shift day after day: on the shift's weekdays it
comes at ``start`` and leaves at ``end``, minus its breaks and, with
``shrinkage``, one off-phone block of ``shrinkage x shift length`` at a
random time; with probability ``absenteeism`` it misses the day. A group
with a ``staffing`` (or ``availability``) profile has, in each interval,
as many agents present as the profile says, fractions included: with 10.6,
agents 0-9 are present and agent 10 is there for the first 60 % of every
``step_away`` spell (:func:`presence_periods`). Groups without a schedule
are always present. A contact in hand when an agent goes
off is finished first (:mod:`sim.routing.router`); that time is logged as overtime.

Presence and overtime are logged as segments, so staffed time is exact
whatever the schedule. Not modelled: shift swaps, late arrivals, agents
called in when the queue is long.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import simpy

from sim.config import AgentGroupConfig, ShiftConfig
from sim.config.workforce import agent_levels
from sim.core.calendar import DAY
from sim.core.clock import Clock
from sim.core.entities import Agent
from sim.core.rng import Streams
from sim.routing.router import Router
from sim.workforce.stress import StressModel

SHIFT, ABSENT, PRESENT = 0, 1, 2  # states of Workforce.states
_NEXT, _COMING, _AT_DESK = 0, 1, 2  # steps of _Spells through a day's periods
STATE_NAMES = ("shift", "absent", "present")


@dataclass(frozen=True)
class Shift:
    """A compiled shift: daily window, weekdays, breaks, absence and shrinkage."""

    start: float
    end: float
    days: frozenset[int] | None
    breaks: tuple[tuple[float, float], ...]
    absenteeism: float
    shrinkage: float


def shifts_of(g: AgentGroupConfig) -> list[list[Shift] | None]:
    """The weekly rotation of shifts of each agent of a group (None: always present).

    Without ``rotate`` every agent keeps its shift; with it, an agent moves to
    the group's next shift every week.
    """
    configs = g.shifts or ([ShiftConfig(g.hours[0], g.hours[1], g.count)] if g.hours else [])
    if not configs:
        return [None] * g.count
    compiled = [
        Shift(
            s.start,
            s.end,
            frozenset(s.days) if s.days else None,
            tuple((b.after, b.length) for b in s.breaks),
            g.absenteeism,
            g.shrinkage,
        )
        for s in configs
    ]
    out: list[list[Shift] | None] = []
    for k, s in enumerate(configs):
        cycle = compiled[k:] + compiled[:k] if g.rotate else [compiled[k]]
        out += [cycle] * s.count
    return out


def presence_periods(
    levels: Sequence[float], interval: float, step: float, k: int
) -> list[tuple[float, float]]:
    """When agent ``k`` (0-based) of a staffing profile is present, over one cycle of it.

    In interval i it is present a share ``clip(levels[i] - k, 0, 1)``: all of
    the interval, none of it, or the first part of every spell of ``step``
    minutes. Adjacent periods are merged.
    """
    out: list[tuple[float, float]] = []
    for i, level in enumerate(levels):
        share = min(max(level - k, 0.0), 1.0)
        start, end = i * interval, (i + 1) * interval
        if share >= 1.0 - 1e-12:
            spans = [(start, end)]
        elif share <= 1e-12:
            spans = []
        else:
            spells = np.arange(start, end - 1e-9, step)
            spans = [(float(s), float(min(s + share * step, end))) for s in spells]
        for a, b in spans:
            if out and abs(out[-1][1] - a) < 1e-9:
                out[-1] = (out[-1][0], b)
            else:
                out.append((a, b))
    return out


def works(shift: Shift, weekday: int) -> bool:
    """Does the shift run on this weekday?"""
    return shift.days is None or weekday in shift.days


def working_periods(shift: Shift, day: int, u_block: float) -> list[tuple[float, float]]:
    """Periods an agent works on ``day`` (absolute minutes), breaks and shrinkage removed."""
    start, end = day * DAY + shift.start, day * DAY + shift.end
    off = [(start + a, start + a + length) for a, length in shift.breaks]
    if shift.shrinkage > 0:
        length = shift.shrinkage * (end - start)
        block = start + u_block * (end - start - length)
        off.append((block, block + length))
    return subtract((start, end), sorted(off))


def subtract(
    span: tuple[float, float], holes: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    """``span`` minus sorted ``holes``, as sorted non-empty periods."""
    out, cursor = [], span[0]
    for a, b in holes:
        a, b = max(a, span[0]), min(b, span[1])
        if a > cursor:
            out.append((cursor, a))
        cursor = max(cursor, b)
    if cursor < span[1]:
        out.append((cursor, span[1]))
    return out


class Workforce:
    """Runs every scheduled agent's presence and logs presence and overtime."""

    def __init__(
        self,
        env: simpy.Environment,
        router: Router,
        groups: dict[str, AgentGroupConfig],
        streams: Streams,
        start_weekday: int,
        stress: StressModel | None = None,
    ) -> None:
        self.env = env
        self.router = router
        self.n_groups = len(groups)
        self.presence: list[tuple[int, float, float]] = []  # (group, on, off)
        self.absences: list[float] = []  # start of each day missed
        self.leavers = 0
        self.extra: list[tuple[int, float, float]] = []  # overtime (group, from, to)
        self._open: dict[int, float] = {}  # agent id -> on since
        self._weekday = start_weekday
        self.states: list[tuple[int, int, int, float, float]] | None = None  # see keep_states
        self.stress: StressModel | None = stress
        self.clock = Clock(env)
        router.overtime = self._log_overtime
        for (name, group), agents in zip(groups.items(), router.agents, strict=True):
            levels = agent_levels(group)
            if levels is not None:
                self._follow_profile(agents, levels, group)
                continue
            rng = streams.get(f"workforce.{name}")
            for agent, cycle in zip(agents, shifts_of(group), strict=True):
                if cycle is None:
                    self._open[agent.id] = 0.0
                else:
                    self.clock.start(_Rota(self, agent, cycle, rng).start)

    def keep_states(self) -> None:
        """Log every agent's shifts, absences and presence (the agent-day table).

        Off by default (only with ``keep_records``): rows
        ``(agent id, group, state, from, to)`` with state ``SHIFT`` (the
        scheduled window, breaks included), ``ABSENT`` (a day missed) or
        ``PRESENT`` (at the desk, ready for contacts). One row per presence
        spell, not per contact: the contact hot path is untouched.
        """
        self.states = []

    def _follow_profile(
        self, agents: list[Agent], levels: list[float], g: AgentGroupConfig
    ) -> None:
        cycle = len(levels) * g.staffing_interval
        for k, agent in enumerate(agents):
            periods = presence_periods(levels, g.staffing_interval, g.step_away, k)
            if periods == [(0.0, cycle)]:
                self._open[agent.id] = 0.0
            else:
                self.clock.start(_Profile(self, agent, periods, cycle).start)

    def _log_overtime(self, agent: Agent, start: float, end: float) -> None:
        """``router.overtime``: a contact finished after the agent went off."""
        self.extra.append((agent.group, start, end))

    def _absent(self, agent: Agent, shift: Shift, u: float, day: int) -> bool:
        p = (
            shift.absenteeism
            if self.stress is None
            else self.stress.absence(agent, shift.absenteeism)
        )
        if u < p:
            self.absences.append(day * DAY)
            self._log(agent, ABSENT, day * DAY + shift.start, day * DAY + shift.end)
            return True
        return False

    def _on(self, agent: Agent, shift_start: float) -> None:
        self._open[agent.id] = self.env.now
        agent.scheduled = True
        if self.stress is not None:
            self.stress.came_on(agent, self.env.now, shift_start)
        self.router.agent_on(agent)

    def _log(self, agent: Agent, state: int, start: float, end: float) -> None:
        if self.states is not None:
            self.states.append((agent.id, agent.group, state, start, end))

    def _off(self, agent: Agent) -> None:
        if agent.id in self._open:
            on = self._open.pop(agent.id)
            self.presence.append((agent.group, on, self.env.now))
            self._log(agent, PRESENT, on, self.env.now)
        agent.scheduled = False
        self.router.agent_off(agent)
        if self.stress is not None:
            self.stress.went_off(agent, self.env.now)

    def close(self, agents: Sequence[Sequence[Agent]]) -> None:
        """End of run: close presence still open."""
        now = self.env.now
        for a in (a for group in agents for a in group):
            if a.id in self._open:
                on = self._open.pop(a.id)
                self.presence.append((a.group, on, now))
                self._log(a, PRESENT, on, now)
            if not a.present and (a.contact is not None or a.busy):
                self.extra.append((a.group, a.off_since, now))


class _Spells:
    """An agent going through one day's presence periods, as alarm callbacks.

    What SimPy processes (generators) did before, written as a state machine:
    the period it is in and whether it waits to come on or to go off. Its
    waits are :meth:`Clock.call` events with the keys the processes'
    timeouts had, so runs are unchanged; unlike a generator it pickles, so a
    run can be checkpointed at a midnight. Subclasses say what comes after a
    day (:meth:`_day_done`).
    """

    def __init__(self, wf: Workforce, agent: Agent) -> None:
        self.wf = wf
        self.agent = agent
        self.periods: list[tuple[float, float]] = []
        self.shift_start = 0.0
        self.i = 0
        self.step = _NEXT

    def _begin_day(self, periods: list[tuple[float, float]], shift_start: float) -> None:
        self.periods, self.shift_start, self.i, self.step = periods, shift_start, 0, _NEXT

    def _run_day(self) -> bool:
        """Go on through the day's periods; True while waiting, False when the day is over."""
        wf, now = self.wf, self.wf.env.now
        while True:
            if self.step == _AT_DESK:
                wf._off(self.agent)
                self.i += 1
                self.step = _NEXT
            if self.step == _NEXT:
                if self.i >= len(self.periods):
                    return False
                on, off = self.periods[self.i]
                if off <= now:
                    self.i += 1
                    continue
                self.step = _COMING
                if on > now:
                    wf.clock.call(self._wake, on - now)
                    return True
            wf._on(self.agent, self.shift_start)
            self.step = _AT_DESK
            wf.clock.call(self._wake, self.periods[self.i][1] - now)
            return True

    def _wake(self, _event: object) -> None:
        if not self._run_day():
            self._day_done()

    def _day_done(self) -> None:
        raise NotImplementedError


class _Profile(_Spells):
    """An agent of a staffing profile: present in its periods, every cycle."""

    def __init__(
        self, wf: Workforce, agent: Agent, periods: list[tuple[float, float]], cycle: float
    ) -> None:
        super().__init__(wf, agent)
        self.cycle_periods = periods
        self.cycle = cycle
        self.begin = 0.0

    def start(self, _event: object) -> None:
        """The run starts: the agent is off until its first period."""
        self.wf._off(self.agent)
        if self.cycle_periods:
            self._cycles()

    def _cycles(self) -> None:
        while True:
            b = self.begin
            self._begin_day([(b + p, b + q) for p, q in self.cycle_periods], b)
            if self._run_day():
                return
            self.begin += self.cycle

    def _day_done(self) -> None:
        self.begin += self.cycle
        self._cycles()


class _Rota(_Spells):
    """An agent's days on its shift rotation, from the day before the run (night shifts).

    Each day draws three uniforms, used or not, so that runs with and
    without the stress model share their draws: absence, shrinkage block,
    and leaving (stress model only); a leaver's seat stays empty
    ``hiring_delay`` days.
    """

    def __init__(
        self, wf: Workforce, agent: Agent, cycle: list[Shift], rng: np.random.Generator
    ) -> None:
        super().__init__(wf, agent)
        self.cycle = cycle
        self.rng = rng
        self.day = -1
        self.u_leave = 0.0

    def start(self, _event: object) -> None:
        """The run starts: the agent is off until its first shift."""
        self.wf._off(self.agent)
        self._days()

    def _days(self) -> None:
        """Day after day until one has a period ahead (or the agent leaves)."""
        wf, agent = self.wf, self.agent
        while True:
            day = self.day
            shift = self.cycle[((day + wf._weekday) // 7) % len(self.cycle)]
            u = self.rng.random(3)
            if works(shift, (wf._weekday + day) % 7) and not wf._absent(agent, shift, u[0], day):
                wf._log(agent, SHIFT, day * DAY + shift.start, day * DAY + shift.end)
                self.u_leave = u[2]
                self._begin_day(working_periods(shift, day, u[1]), day * DAY + shift.start)
                if self._run_day() or self._leaves():
                    return
            self.day += 1

    def _day_done(self) -> None:
        if not self._leaves():
            self.day += 1
            self._days()

    def _leaves(self) -> bool:
        """After a shift, with the stress model: True if the agent leaves (a hire comes later)."""
        stress = self.wf.stress
        if stress is None:
            return False
        now = self.wf.env.now
        stress.end_shift(self.agent, now)
        if self.u_leave >= stress.leave_probability(self.agent):
            return False
        self.wf.leavers += 1
        stress.left(now)
        self.wf.clock.call(self._hired, stress.cfg.hiring_delay * DAY)
        return True

    def _hired(self, _event: object) -> None:
        self.wf.stress.hire(self.agent, self.wf.env.now)
        self.day = int(self.wf.env.now // DAY) + 1
        self._days()
