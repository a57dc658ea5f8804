"""Contacts of the demand model: each one's channel, handle time, patience and path.

Each contact draws its channel from the (segment, reason) channel mix, and
its handle time, patience and journey choices at arrival, each from its own
named stream, so that the k-th contact is the same in every scenario that
shares those streams (common random numbers).

Not modelled: customer-level memory across issues (repeat contacts and churn
come with the outcome model), correlation between channels beyond the
common day factor.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from sim.core.distributions import BLOCK, Distribution, in_blocks, sampler
from sim.core.entities import Case, Contact
from sim.core.tally import CampaignTally

# uniforms per contact: tries, success, branch, switch channel, misroute, wrong queue
# (sim.journey.front_door), resolution, return, repeat channel (sim.outcomes.resolution)
PATH_WIDTH = 9


def uniform_rows(rng: np.random.Generator, width: int = PATH_WIDTH) -> Iterator[list[float]]:
    """Endless rows of ``width`` uniforms, drawn in blocks."""
    return in_blocks(rng.random, (BLOCK, width))


@dataclass
class Prevention:
    """Proactive campaigns acting on one (segment, reason)'s new contacts.

    ``edges[j]`` is the chance that one of campaigns ``0..j`` prevents the
    contact: campaign ``j`` alone keeps it with ``1 - p_j`` (its reach times
    its share), independently of the others, so a uniform below
    ``edges[-1]`` is prevented and credited to the first campaign whose edge
    it is below. The uniforms come from their own stream: the contacts kept
    are the same contacts as without the campaigns (common random numbers).
    """

    edges: list[float]
    uniforms: Iterator[float]
    tallies: list[CampaignTally]

    def prevents(self, now: float) -> bool:
        """Whether this contact is not made (and count it for its campaign)."""
        u = next(self.uniforms)
        for edge, tally in zip(self.edges, self.tallies, strict=True):
            if u < edge:
                if tally.counts(now):
                    tally.prevented += 1
                return True
        return False


def prevention_edges(shares: list[float]) -> list[float]:
    """Cumulative prevention chances of independent campaigns (see :class:`Prevention`)."""
    edges, kept = [], 1.0
    for p in shares:
        kept *= 1.0 - p
        edges.append(1.0 - kept)
    return edges


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
    the IVR or self-service does not use up patience. With ``cases`` (rows of
    the case uniforms, from the source's own stream), a contact that starts a
    new issue gets a :class:`sim.core.entities.Case` holding its row: the same
    issue draws the same mood, churn and survey uniforms in every scenario.
    ``prevent`` thins new issues by proactive campaigns; ``created`` counts
    the contacts of a source that a campaign creates.
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
        cases: Iterator[list[float]] | None = None,
        alive: tuple[Callable[[float], float], Iterator[float]] | None = None,
        prevent: Prevention | None = None,
        created: CampaignTally | None = None,
    ) -> None:
        self._ids = ids
        self._kinds = kinds
        self._cum = np.cumsum(mix).tolist()
        self._last = len(self._cum) - 1
        self._choice = choice
        self._draws = draws
        self._factor = handle_factor
        self._segment, self._reason = segment_reason
        self.cases = cases
        self._alive = alive  # (share of the base still customers at t, uniforms)
        self.prevent = prevent
        self.created = created

    def pick(self, u: float) -> int:
        """Channel position for a uniform draw: the first whose cumulative share exceeds ``u``."""
        return min(bisect.bisect_right(self._cum, u), self._last)

    def make(self, now: float, position: int | None = None) -> Contact | None:
        """A new contact arriving now (channel drawn, or given by ``position``).

        A new issue from a customer who has left the base (churn) does not
        arrive: the arrival is kept with the share of the base still there
        (thinning), so demand falls as the base shrinks.
        """
        if position is None:
            if self._alive is not None:
                share, uniforms = self._alive
                if next(uniforms) >= share(now):
                    return None
            i = min(bisect.bisect_right(self._cum, next(self._choice)), self._last)  # pick
        else:
            i = position
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
        if position is not None:
            return c
        u = next(self.cases) if self.cases is not None else None  # drawn even if prevented
        if (self.created is not None or self.prevent is not None) and self._proactive(now):
            return None
        if u is not None:  # a new issue: its case follows all its contacts
            c.case = Case(c.id, self._segment, self._reason, i, now, u=u)
        return c

    def _proactive(self, now: float) -> bool:
        """Whether a campaign prevented this new contact; counts the ones it created.

        Drawn after the contact's own draws, so that the contacts kept are
        the same with and without the campaigns.
        """
        if self.created is not None and self.created.counts(now):
            self.created.created += 1
        return self.prevent is not None and self.prevent.prevents(now)
