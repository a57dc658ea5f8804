"""Workforce: when each agent is present, and the staffed time that gives.

Every agent of a group with ``shifts`` (or ``hours``, one shift for the
whole group) follows its shift day after day: on the shift's weekdays it
comes at ``start`` and leaves at ``end``, minus its breaks and, with
``shrinkage``, one off-phone block of ``shrinkage x shift length`` at a
random time; with probability ``absenteeism`` it misses the day. Groups
without a schedule are always present. A contact in hand when an agent goes
off is finished first (:mod:`sim.router`); that time is logged as overtime.

Presence and overtime are logged as segments, so staffed time is exact
whatever the schedule. Not modelled: shift swaps, late arrivals, agents
called in when the queue is long.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Sequence
from dataclasses import dataclass

import numpy as np
import simpy

from sim.calendar import DAY
from sim.config import AgentGroupConfig, ShiftConfig
from sim.entities import Agent
from sim.rng import Streams
from sim.router import Router
from sim.summary import Window, time_in_intervals


@dataclass(frozen=True)
class Shift:
    """A compiled shift: daily window, weekdays, breaks, absence and shrinkage."""

    start: float
    end: float
    days: frozenset[int] | None
    breaks: tuple[tuple[float, float], ...]
    absenteeism: float
    shrinkage: float


def shifts_of(g: AgentGroupConfig) -> list[Shift | None]:
    """The shift of each agent of a group (None: always present)."""
    configs = g.shifts or ([ShiftConfig(g.hours[0], g.hours[1], g.count)] if g.hours else [])
    if not configs:
        return [None] * g.count
    out: list[Shift | None] = []
    for s in configs:
        days = frozenset(s.days) if s.days else None
        breaks = tuple((b.after, b.length) for b in s.breaks)
        out += [Shift(s.start, s.end, days, breaks, g.absenteeism, g.shrinkage)] * s.count
    return out


def group_size(g: AgentGroupConfig) -> int:
    """Number of agents of a group."""
    return sum(s.count for s in g.shifts) if g.shifts else g.count


def working_periods(
    shift: Shift, day: int, weekday: int, u_absent: float, u_block: float
) -> list[tuple[float, float]]:
    """Periods an agent works on ``day`` (absolute minutes), breaks and shrinkage removed."""
    if (shift.days is not None and weekday not in shift.days) or u_absent < shift.absenteeism:
        return []
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
    ) -> None:
        self.env = env
        self.router = router
        self.n_groups = len(groups)
        self.presence: list[tuple[int, float, float]] = []  # (group, on, off)
        self.extra: list[tuple[int, float, float]] = []  # overtime (group, from, to)
        self._open: dict[int, float] = {}  # agent id -> on since
        self._weekday = start_weekday
        router.overtime = lambda a, t0, t1: self.extra.append((a.group, t0, t1))
        for (name, group), agents in zip(groups.items(), router.agents, strict=True):
            rng = streams.get(f"workforce.{name}")
            for agent, shift in zip(agents, shifts_of(group), strict=True):
                if shift is None:
                    self._open[agent.id] = 0.0
                else:
                    env.process(self._work(agent, shift, rng))

    def _work(
        self, agent: Agent, shift: Shift, rng: np.random.Generator
    ) -> Generator[simpy.Event, None, None]:
        """SimPy process: the agent's days, from the day before the run (night shifts)."""
        self.router.agent_off(agent)
        for day in itertools.count(-1):
            u = rng.random(2)
            for on, off in working_periods(shift, day, (self._weekday + day) % 7, u[0], u[1]):
                if off <= self.env.now:
                    continue
                if on > self.env.now:
                    yield self.env.timeout(on - self.env.now)
                self._open[agent.id] = self.env.now
                self.router.agent_on(agent)
                yield self.env.timeout(off - self.env.now)
                self.presence.append((agent.group, self._open.pop(agent.id), self.env.now))
                self.router.agent_off(agent)

    def close(self, agents: Sequence[Sequence[Agent]]) -> None:
        """End of run: close presence still open."""
        now = self.env.now
        for a in (a for group in agents for a in group):
            if a.id in self._open:
                self.presence.append((a.group, self._open.pop(a.id), now))
            if not a.present and (a.contact is not None or a.busy):
                self.extra.append((a.group, a.off_since, now))

    def time(self, win: Window, which: str) -> np.ndarray:
        """Presence (``"staffed"``) or ``"overtime"`` agent-minutes per group, interval, window."""
        log = self.presence if which == "staffed" else self.extra
        out = np.zeros((self.n_groups, win.n_intervals + 1))
        for g in range(self.n_groups):
            seg = np.array([(a, b) for gg, a, b in log if gg == g], dtype=float).reshape(-1, 2)
            out[g] = time_in_intervals(seg[:, 0], seg[:, 1], win)
        return out
