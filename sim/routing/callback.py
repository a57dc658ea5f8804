"""Callback (virtual hold): callers who join a long line may hang up and keep their place.

When a contact has to wait, its queue's rule (:class:`sim.config.CallbackConfig`)
predicts the wait by the head-of-line delay: how long the contact at the head
of the queue has waited so far (Ibrahim & Whitt 2009, "Real-time delay
estimation based on delay history"; it needs no count of who is still in
line, which lazy abandonment does not keep). Above ``offer_after`` the caller
is offered a callback and accepts with probability ``accept`` (draws from the
stream ``callback``, one per offer). An accepted contact stays in the queue
in its place, never abandons, and carries ``dial`` more minutes of agent time.

Not modelled: callbacks at a time the customer chooses, unreachable
customers (``dial`` is the mean effort until reached), callback capacity
limits, or callers re-offered while waiting.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sim.config import CallbackConfig
from sim.core.entities import CALLBACK, CALLBACK_OFFERED, Contact


@dataclass(frozen=True)
class CallbackRule:
    """A queue's callback offer, in minutes and probabilities."""

    offer_after: float
    accept: float
    dial: float

    @classmethod
    def of(cls, cfg: CallbackConfig) -> CallbackRule | None:
        """The rule of a queue's config (None: no callback on that queue)."""
        return cls(cfg.offer_after, cfg.accept, cfg.dial) if cfg.enabled else None


class Callbacks:
    """Offers callbacks to contacts about to wait, by their queue's rule."""

    def __init__(self, rules: Sequence[CallbackRule | None], uniforms: Iterator[float]) -> None:
        self.rules = list(rules)
        self._u = uniforms

    def offer(self, contact: Contact, head_wait: float) -> None:
        """Offer ``contact`` a callback if the predicted wait is long; apply its answer."""
        rule = self.rules[contact.queue]
        if rule is None or head_wait <= rule.offer_after:
            return
        contact.info |= CALLBACK_OFFERED
        if next(self._u) < rule.accept:
            contact.info |= CALLBACK
            contact.deadline = math.inf
            contact.handle += rule.dial
