"""Duplicates: the same message written on two deferred channels at the same instant.

A customer who gets no answer writes everywhere at once (MasterPRO Italia,
shared/seeds/004: customers "spamming" their message on social media, e-mail
and the web form). With probability ``tickets.duplicate[channel]`` a contact
that joins a deferred channel's queue has a copy on another deferred channel
(drawn uniformly among those with a route for its segment and reason). The
copy belongs to the same issue, arrives at the same instant with the same
patience, waits in its own queue and, when an agent takes it, costs
``tickets.merge_time`` minutes (times the agent's speed on that queue): the
agent merges it into the ticket already open and closes it ``served``,
without a handle time or an answer of its own. It has no case (it does not
count as a contact of the issue, is never resolved and never repeats).

One uniform per contact on a channel that duplicates, from the named stream
``tickets.duplicate``: below ``p`` it duplicates, and the same uniform
rescaled picks the second channel, so other components' draws stay common
random numbers. Deliberately not modelled: which copy an agent reaches first
(the original always keeps the handle time, even if the copy is merged
first), copies of copies, copies on live channels, and sequential repeats
(those are the outcome model's returns).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sim.config.journey import ChannelMode, lookup
from sim.core.distributions import Uniform, sampler
from sim.core.entities import DUPLICATE, Contact

if TYPE_CHECKING:
    from sim.config.schema import Config
    from sim.core.rng import Streams
    from sim.journey.front_door import Kind


class Duplicates:
    """Makes the simultaneous copy of a deferred contact, or none."""

    def __init__(
        self,
        p: list[float],
        others: list[list[int]],
        merge_time: float,
        uniforms: Iterator[float],
        ids: Iterator[int],
    ) -> None:
        self.p = p  # by kind: probability of a copy
        self.others = others  # by kind: kinds of the same issue on the other deferred channels
        self.merge_time = merge_time
        self.uniforms = uniforms
        self.ids = ids

    def copy_of(self, c: Contact, patience: float, now: float) -> Contact | None:
        """The copy of ``c`` (joining a queue at ``now`` with ``patience``), or None."""
        p = self.p[c.kind]
        if p <= 0:
            return None
        u = next(self.uniforms)
        if u >= p:
            return None
        others = self.others[c.kind]
        kind = others[min(int(u / p * len(others)), len(others) - 1)]
        copy = Contact(next(self.ids), kind, -1, now, self.merge_time, patience)
        copy.issue = c.issue
        copy.info = c.info | DUPLICATE
        copy.path = c.path
        return copy


def duplicates(
    cfg: Config,
    kinds: list[Kind],
    index: dict[tuple, int],
    route: list[int],
    streams: Streams,
    ids: Iterator[int],
) -> Duplicates | None:
    """The compiled duplicates of ``cfg.tickets`` (None, and no stream, when none duplicates)."""
    shares = cfg.tickets.duplicate
    modes = [ch.mode for ch in cfg.channels.values()]
    deferred = [i for i, m in enumerate(modes) if m is ChannelMode.deferred]
    names = list(cfg.channels)
    p_channel = [
        lookup(shares, names[i], 0.0) if modes[i] is ChannelMode.deferred else 0.0
        for i in range(len(names))
    ]
    if not any(p_channel):
        return None
    p, others = [], []
    for k in kinds:
        if k.channel < 0:  # a textbook queue's own contacts
            p.append(0.0)
            others.append([])
            continue
        alt = [index[(ch, k.segment, k.reason)] for ch in deferred if ch != k.channel]
        alt = [j for j in alt if route[j] >= 0]
        p.append(p_channel[k.channel] if alt else 0.0)
        others.append(alt)
    uniforms = sampler(Uniform(), streams.get("tickets.duplicate"))
    return Duplicates(p, others, cfg.tickets.merge_time, uniforms, ids)
