"""The things that move: contacts and agents.

Slotted classes; an instant that has not happened yet is NaN (so that a
record is all numbers and converts to numpy in one step). Only contacts that
actually arrive get an object; the customer base stays a count. Outcome codes
are small ints on the hot path and become the :class:`Outcome` categories in
the tables. When a contact leaves, the collector copies it into a flat
record and the object is freed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import Enum

NAN = math.nan

SERVED = 0
ABANDONED = 1
BLOCKED = 2
OPEN = 3


class Outcome(Enum):
    """How a contact left the system (``open``: still inside when the run ended)."""

    served = SERVED
    abandoned = ABANDONED
    blocked = BLOCKED
    open = OPEN


OUTCOME_NAMES = [o.name for o in sorted(Outcome, key=lambda o: o.value)]


class Contact:
    """One contact (call, chat, e-mail...) of one customer.

    Attributes drawn at arrival (so that the k-th contact of a queue is the
    same in every scenario): ``handle`` (handle time with a standard agent)
    and ``deadline`` (arrival + patience; ``inf`` = never abandons).
    ``outcome`` is set only when a contact is closed while it may still sit
    in a queue (abandoned, blocked), so that the queue skips it later; the
    outcome of record is the one written to the log.
    """

    __slots__ = (
        "agent",
        "deadline",
        "handle",
        "id",
        "outcome",
        "queue",
        "t_answer",
        "t_arrival",
        "t_queue",
    )

    def __init__(self, cid: int, queue: int, now: float, handle: float, deadline: float) -> None:
        self.id = cid
        self.queue = queue
        self.t_arrival = now
        self.t_queue = now
        self.handle = handle
        self.deadline = deadline
        self.t_answer = NAN
        self.outcome: int | None = None
        self.agent: Agent | None = None


class Agent:
    """One agent of a group.

    ``contact`` is what it is handling, if anything; ``on_finish`` is the
    callback its service completions call (bound once, not per contact).
    """

    __slots__ = ("contact", "group", "id", "on_finish")

    def __init__(self, aid: int, group: int) -> None:
        self.id = aid
        self.group = group
        self.contact: Contact | None = None
        self.on_finish: Callable[[object], None] | None = None
