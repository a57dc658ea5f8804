"""The things that move: contacts and agents.

Slotted classes; an instant that has not happened yet is NaN (so that a
record is all numbers and converts to numpy in one step). Only contacts that
actually arrive get an object; the customer base stays a count. Outcome codes
are small ints on the hot path and become the :class:`Outcome` categories in
the tables. When a contact leaves, the collector copies it into a flat
record and the object is freed.

A contact belongs to an *issue* (the customer's need, a :class:`Case` when the
outcome model is on); a customer who fails
in self-service and comes back on another channel makes a new contact of the
same issue. A contact transferred between queues keeps its id and gets one
record per *leg*.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.core.clock import Alarm

NAN = math.nan
IntOrArray = Any  # an int, or a numpy array of ints

SERVED = 0
ABANDONED = 1
BLOCKED = 2
OPEN = 3
SELF_SERVED = 4
SWITCHED = 5
GAVE_UP = 6
TRANSFERRED = 7
BALKED = 8


class Outcome(Enum):
    """How a contact (or a leg of it) ended.

    ``served`` by an agent; ``abandoned`` while waiting; ``blocked`` (no port
    or no room); ``self_served`` by IVR or self-service; ``switched``: failed
    in self-service and came back as a new contact; ``gave_up`` after failing
    in self-service; ``transferred`` to another queue (the leg ends);
    ``open``: still inside when the run ended; ``balked``: found no idle
    agent and hung up at once, without joining the queue.
    """

    served = SERVED
    abandoned = ABANDONED
    blocked = BLOCKED
    open = OPEN
    self_served = SELF_SERVED
    switched = SWITCHED
    gave_up = GAVE_UP
    transferred = TRANSFERRED
    balked = BALKED


OUTCOME_NAMES = [o.name for o in sorted(Outcome, key=lambda o: o.value)]

# ``info`` packs small per-contact counters into one int (one record column):
# bits 0-3 leg, 4-11 attempt (contacts of the issue so far), 12-19 frustration
# points, bit 20 "tried self-service", bit 21 "served through overflow",
# bit 22 "resolved", bit 23 "offered a callback", bit 24 "took the callback", bit 25 "a
# duplicate written on a second channel at once" (sim.journey.duplicates).
LEG, ATTEMPT, FRUSTRATION = 1, 1 << 4, 1 << 12
TRIED_SELF_SERVICE = 1 << 20
OVERFLOWED = 1 << 21
RESOLVED = 1 << 22
CALLBACK_OFFERED = 1 << 23
CALLBACK = 1 << 24
DUPLICATE = 1 << 25
_KEEP_ON_NEXT_CONTACT = (0xFF << 4) | (0xFF << 12)  # attempt and frustration


def next_contact_info(info: int) -> int:
    """Info of the next contact of the same issue: attempt + 1, frustration kept, flags cleared."""
    return (info & _KEEP_ON_NEXT_CONTACT) + ATTEMPT


def unpack_info(info: IntOrArray) -> tuple[IntOrArray, ...]:
    """``(leg, attempt, frustration, tried, overflowed, resolved)`` from packed info."""
    bits = (info >> 20) & 1, (info >> 21) & 1, (info >> 22) & 1
    return info & 0xF, (info >> 4) & 0xFF, (info >> 12) & 0xFF, *bits


def callback_bits(info: IntOrArray) -> tuple[IntOrArray, IntOrArray]:
    """``(offered, accepted)`` callback flags from packed info."""
    return (info >> 23) & 1, (info >> 24) & 1


class Contact:
    """One contact (call, chat, e-mail...) of one customer.

    Attributes drawn at arrival (so that the k-th contact of a queue is the
    same in every scenario): ``handle`` (handle time with a standard agent)
    and ``deadline`` (arrival + patience; ``inf`` = never abandons); for
    contacts of the demand model also ``path``, the journey's pre-drawn
    choices. ``kind`` indexes the (channel, segment, reason) table.
    ``outcome`` is set only when a contact is closed while it may still sit
    in a queue (abandoned, blocked), so that the queue skips it later; the
    outcome of record is the one written to the log. ``transfer`` is the
    queue a misrouted contact must be transferred to (-1: none).
    """

    __slots__ = (
        "agent",
        "case",
        "deadline",
        "handle",
        "id",
        "info",
        "issue",
        "kind",
        "outcome",
        "path",
        "queue",
        "t_answer",
        "t_arrival",
        "t_queue",
        "transfer",
    )

    def __init__(
        self, cid: int, kind: int, queue: int, now: float, handle: float, deadline: float
    ) -> None:
        self.id = cid
        self.issue = cid
        self.kind = kind
        self.queue = queue
        self.t_arrival = now
        self.t_queue = now
        self.handle = handle
        self.deadline = deadline
        self.t_answer = NAN
        self.outcome: int | None = None
        self.agent: Agent | None = None
        self.info = 0
        self.transfer = -1
        self.path: list | None = None
        self.case = None


class Agent:
    """One agent of a group.

    ``contact`` is what it is handling (single-slot agents); ``chats`` the
    contacts in hand of an agent with ``slots > 1`` (concurrency);
    ``on_finish`` is the callback its service completions call (bound once,
    not per contact) and ``wake`` the :class:`sim.core.clock.Alarm` that calls
    it (single-slot agents); ``present`` is False outside its working time, and
    ``off_since`` is when it last went off; ``speed[q]`` multiplies handle
    times on queue q; ``idle_since`` orders the longest-idle policy.
    """

    __slots__ = (
        "busy",
        "chats",
        "contact",
        "group",
        "id",
        "idle_since",
        "off_since",
        "on_finish",
        "present",
        "scheduled",
        "slots",
        "slowdown",
        "speed",
        "wake",
    )

    def __init__(
        self, aid: int, group: int, speed: list[float], slots: int = 1, slowdown: float = 0.0
    ) -> None:
        self.id = aid
        self.group = group
        self.speed = speed
        self.slots = slots
        self.slowdown = slowdown
        self.contact: Contact | None = None
        self.chats: set[Contact] = set()
        self.busy = 0
        self.on_finish: Callable[[object], None] | None = None
        self.wake: Alarm | None = None
        self.present = True
        self.scheduled = True  # on shift (present unless paused or finishing a contact)
        self.idle_since = 0.0
        self.off_since = 0.0


@dataclass(slots=True)
class Case:
    """A customer's issue across its contacts (only contacting customers get one)."""

    id: int
    segment: int
    reason: int
    channel: int
    t_first: float
    contacts: int = 0
    transfers: int = 0
    wait: float = 0.0
    excess_wait: float = 0.0
    repeat_in_window: bool = False
    first_end: float = math.nan
