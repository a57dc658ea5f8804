"""Duration distributions and buffered samplers.

Each distribution knows its ``mean`` and ``variance`` (for checks and for
theory) and draws vectors with ``sample(rng, size)``. The simulation draws
through :func:`sampler`, which takes values from its stream in blocks: numpy
produces the same sequence whatever the block size, so the k-th value of a
stream (the k-th contact's handle time, say) does not depend on buffering.

Not modelled: correlation between durations (each stream is i.i.d.).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from sim.config import DistKind, DistributionConfig
from sim.core.streams import constant, cycle, endless_blocks

BLOCK = 4096


@dataclass(frozen=True)
class Exponential:
    """Exponential with the given mean."""

    mean: float

    @property
    def variance(self) -> float:
        """Variance."""
        return self.mean**2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values."""
        return rng.exponential(self.mean, size)


@dataclass(frozen=True)
class _MeanCV:
    """A distribution given by its mean and coefficient of variation."""

    mean: float
    cv: float

    @property
    def variance(self) -> float:
        """Variance."""
        return (self.cv * self.mean) ** 2


@dataclass(frozen=True)
class LogNormal(_MeanCV):
    """Lognormal parameterised by its mean and coefficient of variation."""

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values."""
        sigma2 = math.log1p(self.cv**2)
        mu = math.log(self.mean) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), size)


@dataclass(frozen=True)
class Gamma(_MeanCV):
    """Gamma parameterised by its mean and coefficient of variation."""

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values."""
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean / shape, size)


@dataclass(frozen=True)
class Deterministic:
    """A constant (also used for 'never': ``Deterministic(math.inf)``)."""

    mean: float

    @property
    def variance(self) -> float:
        """Variance (zero)."""
        return 0.0

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Return ``size`` copies of the constant (draws nothing)."""
        return np.full(size, self.mean)


@dataclass(frozen=True)
class Empirical:
    """Discrete distribution over listed values with optional weights."""

    values: tuple[float, ...]
    weights: tuple[float, ...] | None = None

    def _p(self) -> np.ndarray:
        n = len(self.values)
        return np.full(n, 1.0 / n) if self.weights is None else np.asarray(self.weights)

    @property
    def mean(self) -> float:
        """Mean."""
        return float(np.dot(self._p(), self.values))

    @property
    def variance(self) -> float:
        """Variance."""
        v = np.asarray(self.values)
        return float(np.dot(self._p(), (v - self.mean) ** 2))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values."""
        p = self._p()
        return rng.choice(np.asarray(self.values, dtype=float), size, p=p / p.sum())


@dataclass(frozen=True)
class Trace:
    """Recorded values replayed in order, cyclically (draws no random numbers)."""

    values: tuple[float, ...]

    @property
    def mean(self) -> float:
        """Mean of the recorded values."""
        return float(np.mean(self.values))

    @property
    def variance(self) -> float:
        """Variance of the recorded values."""
        return float(np.var(self.values))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """The first ``size`` values of the cycle."""
        return np.resize(np.asarray(self.values, dtype=float), size)


@dataclass(frozen=True)
class Uniform:
    """Uniform on [0, 1): the draws behind categorical choices."""

    mean: float = 0.5

    @property
    def variance(self) -> float:
        """Variance."""
        return 1.0 / 12.0

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values."""
        return rng.random(size)


Distribution = Exponential | LogNormal | Gamma | Deterministic | Empirical | Trace | Uniform


def from_config(cfg: DistributionConfig) -> Distribution:
    """Build a distribution from its validated config (``mean: null`` = never)."""
    if cfg.mean is None:
        return Deterministic(math.inf)
    if cfg.kind is DistKind.exponential:
        return Exponential(cfg.mean)
    if cfg.kind is DistKind.lognormal:
        return LogNormal(cfg.mean, cfg.cv)
    if cfg.kind is DistKind.gamma:
        return Gamma(cfg.mean, cfg.cv)
    if cfg.kind is DistKind.deterministic:
        return Deterministic(cfg.mean)
    if cfg.kind is DistKind.trace:
        return Trace(tuple(cfg.values))
    weights = tuple(cfg.weights) if cfg.weights else None
    return Empirical(tuple(cfg.values), weights)


def sampler(dist: Distribution, rng: np.random.Generator, block: int = BLOCK) -> Iterator[float]:
    """Endless iterator of draws, taken from ``rng`` in blocks of ``block``."""
    if isinstance(dist, Deterministic):
        return constant(float(dist.mean))
    if isinstance(dist, Trace):
        return cycle([float(v) for v in dist.values])
    return in_blocks(dist.sample, rng, block)


class BlockDraw:
    """``fn(*args).tolist()`` as a callable object: a lambda would not pickle (checkpoints)."""

    __slots__ = ("args", "fn")

    def __init__(self, fn: Callable[..., np.ndarray], *args: object) -> None:
        self.fn = fn
        self.args = args

    def __call__(self, _: object) -> list:
        """One block of draws, as a list (``map`` passes a dummy argument)."""
        return self.fn(*self.args).tolist()


def in_blocks(fn: Callable[..., np.ndarray], *args: object) -> Iterator:
    """Endless items of the blocks ``fn(*args)``, one block drawn at a time.

    ``chain.from_iterable`` keeps ``next()`` in C: Python runs once per block
    only (:func:`sim.core.streams.endless_blocks`). The iterator pickles with
    its position, so a checkpointed run draws on where it stopped.
    """
    return endless_blocks(BlockDraw(fn, *args))
