"""Demand from the customer base: rate tables per (segment, reason) and contact creation.

The base is a count, never a list of customers. For each (segment, reason)
the expected contacts of day ``d`` are ``customers x share x rate / 30``
times a day factor (weekly weight x gamma busyness x growth), spread over
the day by the intraday shape, and multiplied by any surge covering the
interval. Arrivals are then a non-homogeneous Poisson process on that rate
table (:mod:`sim.arrivals`); each contact draws its channel from the
(segment, reason) channel mix, and its handle time, patience and journey
choices at arrival, each from its own named stream.

Not modelled: customer-level memory across issues (repeat contacts and churn
come with the outcome model), correlation between channels beyond the
common day factor.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from sim.arrivals import RateTable
from sim.calendar import DAY
from sim.config import Config, DemandConfig
from sim.distributions import BLOCK, Distribution, sampler
from sim.entities import Contact
from sim.outcomes import Case

# uniforms per contact: tries, success, branch, switch channel, misroute, wrong queue
# (sim.journey), resolution, return, repeat channel (sim.outcomes)
PATH_WIDTH = 9


def lookup(values: dict[str, float], key: str, fallback: float | None = None) -> float:
    """``values[key]``, else ``values['default']``, else ``fallback``."""
    if key in values:
        return values[key]
    if "default" in values:
        return values["default"]
    if fallback is None:
        raise KeyError(key)
    return fallback


def channel_mix(d: DemandConfig, segment: str, reason: str) -> dict[str, float]:
    """The channel mix of (segment, reason): the most specific key wins."""
    for key in (f"{segment}.{reason}", f"*.{reason}", segment, "default"):
        if key in d.channel_mix:
            return d.channel_mix[key]
    raise KeyError(f"{segment}.{reason}")


def shape(profile: list[float], n: int) -> np.ndarray:
    """Intraday weights normalised to sum 1 (uniform when empty)."""
    if not profile:
        return np.full(n, 1.0 / n)
    w = np.asarray(profile, dtype=float)
    return w / w.sum()


def day_factors(d: DemandConfig, n_days: int, rng: np.random.Generator) -> np.ndarray:
    """Weekly weight x busyness x growth for each day of the run."""
    days = np.arange(n_days)
    weekly = np.ones(7) if not d.weekly else np.asarray(d.weekly, float) / np.mean(d.weekly)
    factor = weekly[(d.start_weekday + days) % 7] * (1.0 + d.growth_per_day) ** days
    if d.busyness_cv > 0:
        k = 1.0 / d.busyness_cv**2
        factor = factor * rng.gamma(k, 1.0 / k, n_days)
    return factor


def surge_factor(d: DemandConfig, segment: str, reason: str, n: int) -> np.ndarray:
    """Product of the surges applying to (segment, reason), per interval."""
    factor = np.ones(n)
    starts = np.arange(n) * d.profile_interval
    for s in d.surges:
        if (s.segments and segment not in s.segments) or (s.reasons and reason not in s.reasons):
            continue
        factor[(starts >= s.start) & (starts < s.end)] *= s.factor
    return factor


def demand_tables(cfg: Config, rng_busy: np.random.Generator) -> dict[tuple[str, str], RateTable]:
    """Arrival rate tables over the horizon for every (segment, reason)."""
    d = cfg.demand
    per_day = round(DAY / d.profile_interval)
    n = max(1, math.ceil(cfg.horizon / d.profile_interval - 1e-9))
    n_days = math.ceil(n / per_day)
    days = np.repeat(day_factors(d, n_days, rng_busy), per_day)[:n]
    tables = {}
    for s, seg in d.segments.items():
        intraday = np.resize(shape(seg.profile or d.profile, per_day), n)
        for r, reason in d.reasons.items():
            daily = d.customers * seg.share * lookup(reason.rate, s) / 30.0
            rates = daily * days * intraday / d.profile_interval * surge_factor(d, s, r, n)
            tables[(s, r)] = RateTable(d.profile_interval, rates)
    return tables


def uniform_rows(rng: np.random.Generator, width: int = PATH_WIDTH) -> Iterator[list[float]]:
    """Endless rows of ``width`` uniforms, drawn in blocks."""
    blocks = map(lambda _: rng.random((BLOCK, width)).tolist(), itertools.repeat(None))
    return itertools.chain.from_iterable(blocks)


@dataclass
class ChannelDraws:
    """Per-channel samplers: handle time, patience, journey choices."""

    handle: Iterator[float]
    patience: Iterator[float]
    path: Iterator[list[float]]


def channel_draws(handle: Distribution, patience: Distribution, rngs: tuple) -> ChannelDraws:
    """Samplers of one channel from its three named streams."""
    return ChannelDraws(sampler(handle, rngs[0]), sampler(patience, rngs[1]), uniform_rows(rngs[2]))


class DemandSource:
    """Makes the contacts of one (segment, reason): channel, handle, patience, path.

    A demand contact holds its *patience* in ``deadline`` until it joins a
    queue (the front door turns it into an instant then), because time in
    the IVR or self-service does not use up patience. With ``cases`` on, a
    contact that starts a new issue gets a :class:`sim.outcomes.Case`.
    """

    def __init__(
        self,
        ids: Iterator[int],
        kinds: list[int],
        mix: np.ndarray,
        choice: Iterator[float],
        draws: list[ChannelDraws],
        handle_factor: float,
        segment_reason: tuple[int, int] = (0, 0),
        cases: bool = False,
        alive: tuple[Callable[[float], float], Iterator[float]] | None = None,
    ) -> None:
        self._ids = ids
        self._kinds = kinds
        self._cum = np.cumsum(mix).tolist()
        self._choice = choice
        self._draws = draws
        self._factor = handle_factor
        self._segment, self._reason = segment_reason
        self.cases = cases
        self._alive = alive  # (share of the base still customers at t, uniforms)

    def pick(self, u: float) -> int:
        """Channel position for a uniform draw."""
        for i, c in enumerate(self._cum):
            if u < c:
                return i
        return len(self._cum) - 1

    def make(self, now: float, position: int | None = None) -> Contact | None:
        """A new contact arriving now (channel drawn, or given by ``position``).

        A new issue from a customer who has left the base (churn) does not
        arrive: the arrival is kept with the share of the base still there
        (thinning), so demand falls as the base shrinks.
        """
        if position is None and self._alive is not None:
            share, uniforms = self._alive
            if next(uniforms) >= share(now):
                return None
        i = self.pick(next(self._choice)) if position is None else position
        draws = self._draws[i]
        c = Contact(
            next(self._ids),
            self._kinds[i],
            -1,
            now,
            next(draws.handle) * self._factor,
            next(draws.patience),
        )
        c.path = next(draws.path)
        if position is None and self.cases:  # a new issue: its case follows all its contacts
            c.case = Case(c.id, self._segment, self._reason, i, now)
        return c


Maker = Callable[[float], Contact]
