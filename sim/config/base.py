"""Base schemas shared by every part of the configuration: durations and arrivals.

Minutes throughout; rates per minute.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

DAY = 1440.0  # minutes; time 0 of a run is a midnight


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
