"""Balking: a caller who finds no idle agent hangs up at once, with a probability that grows.

The probability is ``min(1, base + per_waiting x contacts waiting +
per_minute x head wait)`` (:class:`sim.config.BalkConfig`). Each contact
of a balking queue draws one uniform from the queue's own stream when it
reaches the queue, whether or not it has to wait, so the k-th contact of a
queue has the same draw in every scenario (common random numbers). Not
modelled: balking that depends on the caller (segment, earlier waits).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sim.config import BalkConfig


@dataclass(frozen=True)
class BalkRule:
    """A queue's balking probability."""

    base: float
    per_waiting: float
    per_minute: float

    @classmethod
    def of(cls, cfg: BalkConfig) -> BalkRule | None:
        """The rule of a queue, or None when it does not balk."""
        return cls(cfg.base, cfg.per_waiting, cfg.per_minute) if cfg.enabled else None

    def probability(self, waiting: int, head_wait: float) -> float:
        """Probability that a caller who must wait behind ``waiting`` others balks."""
        return min(1.0, self.base + self.per_waiting * waiting + self.per_minute * head_wait)


@dataclass
class Balking:
    """Every queue's rule (None: no balking there) and uniform draws."""

    rules: list[BalkRule | None]
    draws: list[Iterator[float] | None]
