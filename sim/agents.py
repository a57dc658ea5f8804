"""Workforce: when agent groups are present, and the staffed time they give.

A group with ``hours = [start, end]`` is present every day from ``start`` to
``end`` minutes after midnight (``end`` may exceed 1440 for a night shift
ending the next morning). At the end of the window idle agents leave at once
and busy agents leave when they finish the contact in hand (the contact is
never cut). Staffed time counts the scheduled window, not the overrun.

Not modelled yet: breaks, individual shifts, shrinkage and absenteeism.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING

import numpy as np
import simpy

from sim.calendar import DAY, in_window
from sim.config import AgentGroupConfig
from sim.summary import Window, time_in_intervals

if TYPE_CHECKING:
    from sim.router import Router


def windows(hours: Sequence[float], horizon: float) -> np.ndarray:
    """Presence windows ``(start, end)`` over [0, horizon); always present if no hours."""
    if not hours:
        return np.array([[0.0, horizon]])
    start, end = hours
    days = np.arange(-1, math.ceil(horizon / DAY) + 1)
    w = np.column_stack((days * DAY + start, days * DAY + end))
    w = np.clip(w, 0.0, horizon)
    return w[w[:, 1] > w[:, 0]]


def staffed_time(groups: Sequence[AgentGroupConfig], win: Window) -> np.ndarray:
    """Scheduled agent-minutes per group, per interval and (last slot) in the window."""
    rows = []
    for g in groups:
        w = windows(g.hours, win.horizon)
        rows.append(g.count * time_in_intervals(w[:, 0], w[:, 1], win))
    return np.array(rows).reshape(len(groups), win.n_intervals + 1)


def working_hours(
    env: simpy.Environment, router: Router, group: int, hours: Sequence[float]
) -> Generator[simpy.Event, None, None]:
    """SimPy process: the group arrives at ``hours[0]`` and leaves at ``hours[1]`` each day."""
    start, end = hours
    if not in_window(0.0, start, end):
        router.agents_leave(group)
    day = -1  # a night window of the day before may end today
    while True:
        for t, action in (
            (day * DAY + start, router.agents_arrive),
            (day * DAY + end, router.agents_leave),
        ):
            if t > env.now or (t == env.now and t > 0):
                yield env.timeout(t - env.now)
                action(group)
        day += 1
