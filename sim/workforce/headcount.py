"""Headcount, paid hours and FTE per agent group, per vendor and overall.

These rows let every comparison say what it costs in people, not only in
euros: two scenarios that differ in headcount are not a like-for-like
comparison of, say, outsourcing shares.

- ``headcount``: agents on the group's roster (``count``, the agents of its
  shifts, or the most ever present for a ``staffing`` profile; the same
  number as the model builds). Absent agents (absenteeism) still count.
- ``paid_hours``: scheduled plus overtime hours inside the measurement window
  (``mean_staffed`` and ``overtime`` of the group, times the window length).
  Shrinkage is paid time and stays in; absences are not paid.
- ``fte``: paid hours over the hours of one full-time agent in the window,
  ``fte_hours`` per working day; a window shorter than a day counts as one
  working day (a day's roster is what a planner compares), a longer one as
  its length in days.

Deliberately not modelled: contracts (part-time percentages), holidays, and
the paid hours of supervisors (the cost model's governance share covers them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from sim.config import Config
from sim.config.workforce import group_size

DAY = 1440.0


def window_days(cfg: Config) -> float:
    """Working days in the measurement window (at least one)."""
    return max(1.0, (cfg.horizon - cfg.warmup) / DAY)


def _value(k: dict, scope: str, metric: str) -> float:
    v = k.get((scope, metric), 0.0)
    return 0.0 if v != v else float(v)


def headcount_rows(cfg: Config, kpis: Iterable[tuple[str, str, float]]) -> list:
    """Rows ``(scope, metric, value)`` of headcount, paid hours and FTE.

    ``kpis`` are the replication's ``(scope, metric, value)`` rows, which hold
    each group's ``mean_staffed`` and ``overtime``.
    """
    k = {(s, m): v for s, m, v in kpis}
    length = cfg.horizon - cfg.warmup
    per_fte = cfg.fte_hours * window_days(cfg)
    totals: dict[str, list[float]] = {}
    rows = []
    for name, g in cfg.agents.items():
        scope = f"group:{name}"
        hours = (_value(k, scope, "mean_staffed") + _value(k, scope, "overtime")) * length / 60
        size = float(group_size(g))
        rows += _three(scope, size, hours, per_fte)
        for key in (f"vendor:{g.vendor or 'inhouse'}", "all"):
            acc = totals.setdefault(key, [0.0, 0.0])
            acc[0] += size
            acc[1] += hours
    for scope, (size, hours) in totals.items():
        rows += _three(scope, size, hours, per_fte)
    return rows


def _three(scope: str, size: float, hours: float, per_fte: float) -> list:
    fte = hours / per_fte if per_fte > 0 else math.nan
    return [(scope, "headcount", size), (scope, "paid_hours", hours), (scope, "fte", fte)]
