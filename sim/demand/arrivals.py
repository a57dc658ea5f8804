"""Arrival processes: Poisson and piecewise-constant non-homogeneous Poisson.

Arrival times are produced by inversion: unit-rate exponential gaps are
summed into unit-Poisson epochs ``E_k`` and mapped through the inverse of the
cumulative intensity, ``t_k = Lambda^-1(E_k)``. This is exact for a
piecewise-constant rate, needs no thinning, and keeps common random numbers:
the same stream gives the same epochs whatever the rate, so a scenario with
more volume sees the same customers arriving in the same order.

Not modelled here: day-level busyness factors and surges (they only change
the rate table), retrials, or arrivals that depend on the system state.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import simpy

from sim.config import ArrivalConfig
from sim.config.base import DAY
from sim.core.clock import Alarm, Clock
from sim.core.distributions import BLOCK
from sim.core.entities import Contact
from sim.core.streams import counter, flat


@dataclass(frozen=True)
class RateTable:
    """Arrival rate (per minute) on consecutive intervals of equal length from 0."""

    interval: float
    rates: np.ndarray

    @property
    def cumulative(self) -> np.ndarray:
        """Cumulative intensity at the interval boundaries (length n + 1)."""
        return np.concatenate(([0.0], np.cumsum(self.rates * self.interval)))

    def expected(self, start: float, end: float) -> float:
        """Expected number of arrivals in [start, end)."""
        edges = np.arange(len(self.rates) + 1) * self.interval
        return float(
            np.interp(end, edges, self.cumulative) - np.interp(start, edges, self.cumulative)
        )


def rate_table(
    cfg: ArrivalConfig, horizon: float, busy: np.random.Generator | None = None
) -> RateTable:
    """The rate table of an arrival config over [0, horizon).

    With ``busyness_cv`` > 0 each interval is scaled by the gamma factor of
    the day it starts in, drawn from ``busy`` (one draw per day).
    """
    length = cfg.profile_interval
    n = max(1, math.ceil(horizon / length - 1e-9))
    rates = np.full(n, float(cfg.rate))
    if cfg.profile:
        rates = cfg.rate * np.resize(np.asarray(cfg.profile, dtype=float), n)
    if cfg.busyness_cv > 0:
        if busy is None:
            raise ValueError("rate_table: busyness_cv > 0 needs a random stream (busy=...)")
        k = 1.0 / cfg.busyness_cv**2
        day = (np.arange(n) * length // DAY).astype(np.int64)
        rates = rates * busy.gamma(k, 1.0 / k, int(day[-1]) + 1)[day]
    return RateTable(length, rates)


def invert(table: RateTable, epochs: np.ndarray) -> np.ndarray:
    """Map unit-Poisson epochs to arrival times (``inf`` past the table's end)."""
    cum = table.cumulative
    idx = np.searchsorted(cum, epochs, side="right") - 1
    inside = idx < len(table.rates)
    safe = np.minimum(idx, len(table.rates) - 1)
    times = safe * table.interval + (epochs - cum[safe]) / table.rates[safe]
    return np.where(inside, times, np.inf)


class ArrivalBlocks:
    """Arrival instants in [0, horizon), as consecutive lists of up to ``block``.

    An iterator object holding its position (the last epoch, whether the
    horizon was reached) rather than a generator, so that a run pickles at a
    midnight (checkpoints) and draws on from where it stopped.
    """

    def __init__(
        self, table: RateTable, rng: np.random.Generator, horizon: float, block: int = BLOCK
    ) -> None:
        self._table = table
        self._rng = rng
        self._horizon = horizon
        self._block = block
        self._epoch = 0.0
        self._over = False

    def __iter__(self) -> ArrivalBlocks:
        return self

    def __next__(self) -> list[float]:
        if self._over:
            raise StopIteration
        with np.errstate(divide="ignore", invalid="ignore"):
            epochs = self._epoch + np.cumsum(self._rng.exponential(1.0, self._block))
            self._epoch = float(epochs[-1])
            times = invert(self._table, epochs)
        kept = times[times < self._horizon]
        self._over = len(kept) < self._block
        return kept.tolist()


def arrival_blocks(
    table: RateTable, rng: np.random.Generator, horizon: float, block: int = BLOCK
) -> Iterator[list[float]]:
    """Arrival instants in [0, horizon), as consecutive lists of up to ``block``."""
    return ArrivalBlocks(table, rng, horizon, block)


def arrival_times(
    table: RateTable, rng: np.random.Generator, horizon: float, block: int = BLOCK
) -> Iterator[float]:
    """Arrival instants in [0, horizon) (next() stays in C between blocks)."""
    return flat(arrival_blocks(table, rng, horizon, block))


class ArrivalStream:
    """Contacts arrive at ``times``: ``make`` creates each one, ``admit`` takes it in.

    Driven by event callbacks rather than a generator process: each arrival
    schedules the next, which saves a process resume per contact.
    """

    def __init__(
        self,
        env: simpy.Environment,
        times: Iterator[float],
        make: Callable[[float], Contact | None] | None,
        admit: Callable[[Contact, float], None],
        done: Callable[[], None],
    ) -> None:
        self._env = env
        self._set = Clock(env).set
        self._alarm = Alarm(self._arrive)
        self._times = times
        self._make = make
        self._admit = admit
        self._done = done

    def start(self) -> None:
        """Schedule the first arrival (or report at once that there is none)."""
        t = next(self._times, None)
        if t is None:
            self._done()
        else:
            self._set(self._alarm, t - self._env.now)

    def _arrive(self, _event: simpy.Event) -> None:
        """A contact arrives now; make it, admit it, schedule the next."""
        now = self._env.now
        contact = self._make(now)
        if contact is not None:  # None: the customer has left the base
            self._admit(contact, now)
        t = next(self._times, None)  # inlined rather than shared with start(): hot path
        if t is None:
            self._done()
        else:
            self._set(self._alarm, t - now)


class QueueArrivals(ArrivalStream):
    """The arrival process of a textbook queue, with contact creation inlined.

    Handle time and patience are drawn at arrival from the queue's own
    streams, so the k-th contact of a queue is the same in every scenario.
    ``_arrive`` repeats the base class's scheduling instead of calling a
    ``make`` function: this is the hottest loop of the simulator.
    """

    def __init__(
        self,
        env: simpy.Environment,
        times: Iterator[float],
        queue: int,
        ids: Iterator[int],
        draws: tuple[Iterator[float], Iterator[float]],
        admit: Callable[[Contact, float], None],
        done: Callable[[], None],
    ) -> None:
        super().__init__(env, times, None, admit, done)
        self._queue = queue
        self._ids = ids
        self._handle, self._patience = draws

    def _arrive(self, _event: simpy.Event) -> None:
        now = self._env.now
        q = self._queue
        self._admit(
            Contact(next(self._ids), q, q, now, next(self._handle), now + next(self._patience)), now
        )
        t = next(self._times, None)
        if t is None:
            self._done()
        else:
            self._set(self._alarm, t - now)


class ProfiledArrivals(QueueArrivals):
    """A textbook queue whose handle times vary over the day.

    Each contact's handle time is its draw from the queue's own stream (the
    same draw as without a profile: common random numbers) times the factor
    of the interval it arrives in, from a profile that repeats every
    ``len(factors) * interval`` minutes (a day, for a calibrated queue).
    """

    def __init__(
        self,
        env: simpy.Environment,
        times: Iterator[float],
        queue: int,
        ids: Iterator[int],
        draws: tuple[Iterator[float], Iterator[float]],
        admit: Callable[[Contact, float], None],
        done: Callable[[], None],
        factors: tuple[list[float], float],
    ) -> None:
        super().__init__(env, times, queue, ids, draws, admit, done)
        self._factors, self._every = list(factors[0]), factors[1]

    def _arrive(self, _event: simpy.Event) -> None:
        now = self._env.now
        q = self._queue
        f = self._factors[int(now // self._every) % len(self._factors)]
        handle = next(self._handle) * f
        self._admit(Contact(next(self._ids), q, q, now, handle, now + next(self._patience)), now)
        t = next(self._times, None)
        if t is None:
            self._done()
        else:
            self._set(self._alarm, t - now)


def shared_ids() -> Iterator[int]:
    """Contact ids shared by all sources of a replication, in arrival order."""
    return counter()
