"""Agent stress and fatigue, their effects, and stress-driven absence and attrition.

Each agent has a stress level S in [0, 1], updated lazily at each change of
state (busy, idle at the desk, off):

- busy for d minutes: the gap to 1 shrinks, ``1 - S <- (1 - S) exp(-(busy_rate
  + shift_rate) f d / 60)``;
- idle at the desk: recovery towards the baseline with time constant
  ``recovery_tau``, while time on shift still adds ``shift_rate``;
- off (break, end of shift, absent): recovery with ``break_tau``;
- each handled contact adds ``per_contact x w x (1 - S)``, heavier for angry
  customers (waits beyond expectation, repeats, transfers) and difficult
  reasons (conflict, sales pressure), after seed 002 ("Lo stress da lavoro":
  unpredictable, conflictual and varied requests, sales targets);
- the load factor ``f`` grows at night (22:00-06:00), after ``long_shift_hours``
  on shift, and on a day whose shift start changed (rotation): shift work
  alters sleep and performance across the 24 hours (seed 002).

Acute stress S lives within a day (breaks and nights bring it down). Its
trace across days is a chronic strain B: at the end of each worked shift B
moves towards that shift's time-averaged S, with time constant
``chronic_days`` days, and relaxes towards the baseline over days not worked.

Effects (the functional forms are ours, linear and documented; the literature
shows direction, not size: fatigue and more hours raise handle time, Collewet
and Sauermann 2017; sustained load slows service and lowers quality, KC and
Terwiesch 2009; CALIBRATION.md "Not found"): handle time x ``1 +
handle_sensitivity x S``; resolution x ``1 - quality_sensitivity x S``; the
courtesy a surveyed customer perceives x ``1 - courtesy_sensitivity x S``
(:mod:`sim.outcomes.satisfaction`). The
chronic strain B raises the chance of missing the next day and the attrition
hazard; a leaver's seat stays empty ``hiring_delay`` days, then a new hire
starts on a learning curve (Cinareo: 53 % efficiency in month 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.config.stress import StressConfig
from sim.core.calendar import DAY
from sim.core.entities import Agent, Contact, unpack_info

OFF, IDLE, BUSY = 0, 1, 2


@dataclass
class AgentStress:
    """Stress state of one seat (the agent in it may change after attrition)."""

    stress: float
    since: float = 0.0
    state: int = IDLE
    shift_start: float = 0.0
    rotated: bool = False
    hired: float = -math.inf
    on_shift: float = 0.0
    busy: float = 0.0
    last_shift_start: float = math.nan
    integral: float = 0.0  # of S over time on shift, this shift
    chronic: float = 0.0
    last_end: float = math.nan


@dataclass
class StressLog:
    """Samples ``(t, agent, group, stress, on shift)`` and the times of leavers and hires."""

    samples: list[tuple[float, int, int, float, bool]] = field(default_factory=list)
    leavers: list[float] = field(default_factory=list)
    hires: list[float] = field(default_factory=list)


class StressModel:
    """Keeps every agent's stress and applies its effects."""

    def __init__(
        self,
        cfg: StressConfig,
        agents: list[Agent],
        difficulty: list[float],
        expected_wait: list[float],
    ) -> None:
        self.cfg = cfg
        self.state = {a.id: AgentStress(cfg.baseline, chronic=cfg.baseline) for a in agents}
        self.difficulty = difficulty  # by contact kind
        self.expected_wait = expected_wait  # by contact kind
        self.log = StressLog()

    def factor(self, st: AgentStress, t: float) -> float:
        """Load factor at time t: night, long shift, rotation."""
        c = self.cfg
        f = c.night_factor if (t % DAY) >= 1320 or (t % DAY) < 360 else 1.0
        if st.state != OFF and t - st.shift_start > c.long_shift_hours * 60:
            f *= c.long_shift_factor
        return f * (c.rotation_factor if st.rotated else 1.0)

    def advance(self, st: AgentStress, now: float) -> None:
        """Bring the stress up to ``now`` according to the current state."""
        d = now - st.since
        if d <= 0:
            return
        c, f, before = self.cfg, self.factor(st, st.since), st.stress
        if st.state == BUSY:
            st.stress = 1 - (1 - st.stress) * math.exp(-(c.busy_rate + c.shift_rate) * f * d / 60)
            st.busy += d
        elif st.state == IDLE:
            st.stress = c.baseline + (st.stress - c.baseline) * math.exp(-d / c.recovery_tau)
            st.stress = 1 - (1 - st.stress) * math.exp(-c.shift_rate * f * d / 60)
        else:
            st.stress = c.baseline + (st.stress - c.baseline) * math.exp(-d / c.break_tau)
        if st.state != OFF:
            st.on_shift += d
            st.integral += 0.5 * (before + st.stress) * d
        st.since = now

    def now_value(self, aid: int, now: float) -> float:
        """Current stress of a seat (advancing its state)."""
        st = self.state[aid]
        self.advance(st, now)
        return st.stress

    def start(self, agent: Agent, now: float) -> float:
        """A service starts: stress to now, then the handle-time multiplier."""
        st = self.state[agent.id]
        self.advance(st, now)
        st.state = BUSY
        return (1 + self.cfg.handle_sensitivity * st.stress) / self.efficiency(st, now)

    def finish(self, agent: Agent, contact: Contact, now: float, busy_left: bool = False) -> float:
        """A service ends: add its load; return the pause the occupancy cap imposes (0: none).

        ``busy_left``: the agent still holds other contacts (concurrency).
        """
        st = self.state[agent.id]
        self.advance(st, now)
        st.stress += self.cfg.per_contact * self.weight(contact) * (1 - st.stress)
        st.state = BUSY if busy_left else (IDLE if agent.present else OFF)
        over = st.on_shift > 0 and st.busy / st.on_shift > self.cfg.occupancy_cap
        return self.cfg.cap_pause if over and agent.present and not busy_left else 0.0

    def weight(self, c: Contact) -> float:
        """Weight of a contact's load: difficult reasons and angry customers."""
        leg, attempt = unpack_info(c.info)[:2]
        wait = (c.t_answer - c.t_queue) if c.t_answer == c.t_answer else 0.0
        excess = min(max(0.0, wait / self.expected_wait[c.kind] - 1.0), self.cfg.angry_wait_cap)
        cfg = self.cfg
        return (
            1
            + self.difficulty[c.kind]
            + cfg.angry_wait * excess
            + cfg.angry_repeat * attempt
            + cfg.angry_transfer * (leg > 0)
        )

    def level(self, agent: Agent) -> float:
        """The agent's stress as last brought up to date (at its latest start or end of service)."""
        return self.state[agent.id].stress

    def quality(self, agent: Agent, now: float) -> float:
        """Resolution multiplier of an agent now: stress and experience."""
        st = self.state[agent.id]
        gap = 1 - self.efficiency(st, now)
        return (1 - self.cfg.quality_sensitivity * st.stress) * (
            1 - self.cfg.learning_quality * gap
        )

    def efficiency(self, st: AgentStress, now: float) -> float:
        """Learning curve of the seat's current agent (1 for experienced agents)."""
        tenure = (now - st.hired) / DAY
        c = self.cfg
        return (
            1 - (1 - c.learning_start) * math.exp(-tenure / c.learning_days)
            if tenure < math.inf
            else 1.0
        )

    def went_off(self, agent: Agent, now: float) -> None:
        """The agent left the desk (break, end of shift); a contact in hand keeps it busy."""
        st = self.state[agent.id]
        self.advance(st, now)
        if st.state != BUSY:
            st.state = OFF

    def came_on(self, agent: Agent, now: float, shift_start: float) -> None:
        """The agent is back at the desk; a new shift resets the shift clock."""
        st = self.state[agent.id]
        self.advance(st, now)
        if shift_start != st.shift_start:
            st.rotated = st.last_shift_start == st.last_shift_start and (shift_start % DAY) != (
                st.last_shift_start % DAY
            )
            st.last_shift_start, st.shift_start = shift_start, shift_start
            st.on_shift = st.busy = st.integral = 0.0
        if st.state != BUSY:
            st.state = IDLE

    def end_shift(self, agent: Agent, now: float) -> None:
        """A worked shift ended: the chronic strain moves towards its mean stress."""
        st, c = self.state[agent.id], self.cfg
        self.advance(st, now)
        if st.last_end == st.last_end:
            idle_days = max((now - st.last_end) / DAY - 1, 0.0)
            st.chronic = c.baseline + (st.chronic - c.baseline) * math.exp(
                -idle_days / c.chronic_days
            )
        if st.on_shift > 0:
            mean = st.integral / st.on_shift
            st.chronic += (mean - st.chronic) * (1 - math.exp(-1 / c.chronic_days))
        st.last_end = now

    def absence(self, agent: Agent, base: float) -> float:
        """Probability of missing the next shift, from the chronic strain."""
        return min(1.0, base + self.cfg.absence_sensitivity * self.state[agent.id].chronic)

    def leave_probability(self, agent: Agent) -> float:
        """Probability of leaving after today's shift, from the chronic strain.

        The daily hazard is set so that a seat at zero strain, drawn every
        day, loses ``attrition_annual`` of its agents per year.
        """
        hazard = -math.log(1 - self.cfg.attrition_annual) / 365
        chronic = self.state[agent.id].chronic
        return 1 - math.exp(-hazard * (1 + self.cfg.attrition_sensitivity * chronic))

    def hire(self, agent: Agent, now: float) -> None:
        """A new agent takes the seat: baseline stress, learning curve from now."""
        b = self.cfg.baseline
        self.state[agent.id] = AgentStress(b, since=now, state=OFF, hired=now, chronic=b)
        self.log.hires.append(now)

    def left(self, now: float) -> None:
        """An agent left after today's shift."""
        self.log.leavers.append(now)

    def sample(self, now: float, agents: list[Agent]) -> None:
        """Record everyone's stress at ``now``."""
        for a in agents:
            self.log.samples.append((now, a.id, a.group, self.now_value(a.id, now), a.scheduled))

    def samples_frame(self, replication: int, group_names: list[str]):
        """Stress samples ``replication, t, agent_id, group, stress, on_shift``."""
        rows = np.array(self.log.samples, dtype=float).reshape(-1, 5)
        frame = pd.DataFrame(
            {
                "t": rows[:, 0],
                "agent_id": rows[:, 1].astype(int),
                "stress": rows[:, 3],
                "on_shift": rows[:, 4].astype(bool),
            }
        )
        frame.insert(0, "replication", replication)
        frame.insert(3, "group", pd.Categorical.from_codes(rows[:, 2].astype(int), group_names))
        return frame


def stress_rows(
    stress: StressModel,
    samples: pd.DataFrame,
    group_names: list[str],
    win: tuple[float, float],
    absences: list[float],
) -> list[tuple[str, str, float]]:
    """Stress KPI rows ``(scope, metric, value)`` over the window ``(start, end]``.

    Stress statistics use the samples of agents on shift at the end of each
    reporting interval; leavers and hires are counted in the window, and
    attrition is annualised over the seats. ``absences``: start times of the
    agent-days missed (the workforce logs them); those starting in the
    window count.
    """
    start, end = win
    on = samples[(samples["t"] > start) & (samples["t"] <= end) & samples["on_shift"]]
    rows: list[tuple[str, str, float]] = []
    scopes = [("all", on)] + [(f"group:{g}", on[on["group"] == g]) for g in group_names]
    for scope, part in scopes:
        s = part["stress"].to_numpy()
        stats = {
            "stress_mean": s.mean() if s.size else math.nan,
            "stress_p90": float(np.quantile(s, 0.9)) if s.size else math.nan,
            "high_stress_share": (s > stress.cfg.threshold).mean() if s.size else math.nan,
        }
        rows += [(scope, m, float(v)) for m, v in stats.items()]
    leavers = sum(start < t <= end for t in stress.log.leavers)
    hires = sum(start < t <= end for t in stress.log.hires)
    years = (end - start) / DAY / 365
    rows += [
        ("all", "absent_days", float(sum(start <= t < end for t in absences))),
        ("all", "leavers", float(leavers)),
        ("all", "hires", float(hires)),
        ("all", "attrition_annual", leavers / max(len(stress.state), 1) / years),
    ]
    return rows
