"""Days and daily windows (minutes from midnight). Time 0 of a run is a midnight."""

from __future__ import annotations

from sim.config.base import DAY

__all__ = ["DAY", "in_window"]


def in_window(t: float, start: float, end: float) -> bool:
    """Is the daily window [start, end) open at time t? ``end`` may pass midnight."""
    m = t % DAY
    return start <= m < end or start <= m + DAY < end
