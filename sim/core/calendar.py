"""Days, daily windows and the run's calendar. Time 0 of a run is a midnight.

A run has no dates unless ``start_date`` is set: then time 0 is that date's
midnight, day ``k`` (1, 2, ...) of the day table is ``start_date + k - 1``
and the months of :func:`month_starts` are calendar months. A day is always
1,440 minutes: no daylight-saving change, no holidays (the demand's weekly
profile and the shifts' weekdays are what tell days apart).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.config.base import DAY, WEEKDAYS, parse_date, run_days

__all__ = ["DAY", "WEEKDAYS", "in_window", "month_starts", "parse_date", "period_dates"]


def in_window(t: float, start: float, end: float) -> bool:
    """Is the daily window [start, end) open at time t? ``end`` may pass midnight."""
    m = t % DAY
    return start <= m < end or start <= m + DAY < end


def month_starts(start: dt.date, horizon: float) -> tuple[np.ndarray, list[str]]:
    """Minutes from time 0 at which each calendar month met by [0, horizon) starts, and its name.

    The first month starts at 0 (the run may begin mid-month); names are
    ``YYYY-MM``. ``start`` is the date of time 0.
    """
    days = run_days(horizon)
    first = dt.date(start.year, start.month, 1)
    bounds, names = [0.0], [f"{first:%Y-%m}"]
    month = _next_month(first)
    while (offset := (month - start).days) < days:
        bounds.append(offset * DAY)
        names.append(f"{month:%Y-%m}")
        month = _next_month(month)
    return np.asarray(bounds), names


def _next_month(first: dt.date) -> dt.date:
    """The first day of the month after the one that starts on ``first``."""
    return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)


def period_dates(start: dt.date, t_start: np.ndarray) -> list[str]:
    """The date (``YYYY-MM-DD``) of the day each period starts in, from its start in minutes."""
    return [f"{start + dt.timedelta(days=int(d)):%Y-%m-%d}" for d in np.asarray(t_start) // DAY]


def overlaps_days(start: np.ndarray, end: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Which spells ``[start, end]`` (minutes; ``end`` NaN: still open) reach into one of ``days``.

    ``days`` are days of the run, 1 = the first (as in ``days.csv``), ascending. A
    spell reaches into day ``d`` when it starts before the day ends and ends at or
    after the day starts: the contacts that arrived on the day and those still in
    the centre (waiting or being served) from earlier days.
    """
    ends = np.asarray(days, dtype=float) * DAY
    first = np.searchsorted(ends, start, side="right")  # the first sampled day ending after start
    inside = first < len(ends)
    reached = np.where(np.isnan(end), np.inf, end) >= ends[np.minimum(first, len(ends) - 1)] - DAY
    return inside & reached
