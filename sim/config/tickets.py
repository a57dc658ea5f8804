"""Schema of the ticket view's model part: the same issue written on two channels at once.

A customer left without an answer writes the same message on every medium
at hand (MasterPRO Italia, shared/seeds/004: frustrated customers "spamming"
their message on social media, e-mail and the web form). Each copy becomes a
ticket of its own until an agent sees that it duplicates one already open and
merges the two: a few minutes of agent time and no answer of its own.
Minutes throughout, like every duration of the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TicketsConfig:
    """Simultaneous duplicates on deferred channels (off by default).

    Attributes:
        duplicate: probability that a contact reaching a deferred channel's
            queue is also written, at the same instant, on another deferred
            channel (drawn uniformly among the others), keyed by channel name;
            ``default`` applies to every deferred channel not listed. The seed
            gives no share: scenarios that set one say it is theirs.
        merge_time: minutes an agent spends merging a duplicate when it
            reaches him (0 = merging costs nothing). The duplicate is then
            closed ``served`` without a handle time of its own.
    """

    duplicate: dict[str, float] = field(default_factory=dict)
    merge_time: float = 3.0
