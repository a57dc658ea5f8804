"""Base schemas shared by every part of the configuration: durations and arrivals.

Minutes throughout; rates per minute. The run's ``horizon`` and ``warmup`` may
also be written with a unit (``365d``, ``2w``, ``12h``, ``90m``): :func:`minutes`
reads them once, when the configuration is built.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from enum import Enum

from sim.config.errors import ConfigError
from sim.config.typecheck import DURATION_WORDS

DAY = 1440.0  # minutes; time 0 of a run is a midnight
# top-level keys that never change a replication's numbers (a job's digest, a checkpoint's
# configuration check)
NOT_NUMBERS = ("workers", "cluster", "progress", "study", "overwrite", "force", "checkpoint")
UNITS = {"m": 1.0, "min": 1.0, "h": 60.0, "d": DAY, "w": 7 * DAY}
_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([a-z]*)\s*$")
DURATION_RULE = f"must be {DURATION_WORDS}"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def minutes(value: float | str, path: str) -> float:
    """Minutes of a duration: a number (minutes) or a string such as ``365d`` or ``2w``.

    Units: ``m`` or ``min`` (minutes), ``h``, ``d`` (1,440 minutes: a calendar
    day, no daylight-saving change) and ``w`` (7 days). A month or a year is not
    a unit on purpose (their length varies): write ``30d`` or ``365d``.
    Whether the value is positive is the run's rules' business
    (:func:`sim.config.checks.check_run`), not this one's.
    """
    if isinstance(value, bool):
        raise ConfigError(f"{path} {DURATION_RULE}, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    match = _DURATION.match(value) if isinstance(value, str) else None
    unit = match.group(2) if match else ""
    if match is None or (unit and unit not in UNITS):
        raise ConfigError(f"{path} {DURATION_RULE}, got {value!r}")
    out = float(match.group(1)) * UNITS.get(unit, 1.0)
    if not math.isfinite(out):
        raise ConfigError(f"{path} {DURATION_RULE}, got {value!r}")
    return out


def run_days(horizon: float) -> int:
    """Days a run of ``horizon`` minutes reaches into (1 = the first; a part day counts)."""
    return max(1, math.ceil(horizon / DAY - 1e-9))


def parse_date(value: object) -> dt.date | None:
    """The date of a ``YYYY-MM-DD`` string (or a ``datetime.date``); None if it is not one."""
    if isinstance(value, dt.datetime):
        return None  # a time of day is not a start date
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:  # 2026-02-30
        return None


class DistKind(Enum):
    """Families of distributions a duration can follow."""

    exponential = "exponential"
    lognormal = "lognormal"
    gamma = "gamma"
    deterministic = "deterministic"
    empirical = "empirical"
    trace = "trace"


@dataclass
class DistributionConfig:
    """A non-negative random duration, in minutes.

    Attributes:
        kind: distribution family.
        mean: mean in minutes (the constant for ``deterministic``). For a
            patience distribution ``null`` means "never abandons".
        cv: coefficient of variation (lognormal and gamma only).
        values: support points (empirical), or the successive draws
            themselves, repeated cyclically (trace: replays recorded data).
        weights: probabilities of ``values`` (empirical only; empty = equal).
    """

    kind: DistKind = DistKind.exponential
    mean: float | None = 1.0
    cv: float = 1.0
    values: list[float] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)


@dataclass
class ArrivalConfig:
    """Poisson arrivals with an optional piecewise-constant, cyclic profile.

    The rate in profile interval ``i`` is ``rate * profile[i]``; the profile
    repeats every ``len(profile) * profile_interval`` minutes from time 0.
    An empty profile means a homogeneous Poisson process. ``busyness_cv`` > 0
    multiplies each day's rates by a random day factor, gamma with mean 1 and
    that coefficient of variation (drawn per day from its own stream, so the
    arrival epochs stay common random numbers): the day-to-day variability of
    real arrivals, far above Poisson's (Brown et al. 2005; Avramidis et al.
    2004). A non-empty ``times`` replays those arrival instants instead (a
    recorded trace); ``rate``, ``profile`` and ``busyness_cv`` are then ignored.
    """

    rate: float = 1.0
    profile: list[float] = field(default_factory=list)
    profile_interval: float = 30.0
    busyness_cv: float = 0.0
    times: list[float] = field(default_factory=list)
