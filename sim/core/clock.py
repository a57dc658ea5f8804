"""Cheap, reusable wake-ups on a SimPy environment, for the hot path.

``env.timeout(d).callbacks.append(f)`` builds a full ``simpy.Timeout`` (an
object with a dict, a value, a delay check and a fresh callback list) for
every arrival and every service completion, although nothing ever waits on
these events, fails them or reads their value. An :class:`Alarm` is the
minimal object SimPy's ``Environment.step`` can process, made once per
arrival stream or agent and set again each time: no allocation per event.
``Clock.set`` puts it into SimPy's own event queue with the key a
``Timeout`` would get (time, ``NORMAL`` priority, next event id), so the
order of events, and every number of a run, is what ``env.timeout`` gives
(``tests/test_clock.py`` checks the order). About 10 % of the time of a
single-queue replication.

The price is reading three attributes SimPy does not document (``_queue``,
``_eid``, ``_now``; stable across SimPy 4.x, which ``pyproject.toml``
pins). ``Clock`` checks them when made, so a SimPy that changes them fails
at once with a clear message. An alarm has at most one pending firing:
setting it again before it fires is an error, not a silent double call.
:meth:`Clock.call` does the same for a one-shot callback (a contact's step in
the IVR or self-service, a return after a delay): a two-slot object instead of a
``Timeout``, with the same key. Not for events a process yields on, that can fail
or carry a value: use ``env.timeout`` for those.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import simpy
from simpy.events import NORMAL


class Alarm:
    """A reusable one-callback event; ``callbacks`` is None while it is not set."""

    __slots__ = ("_calls", "callbacks")
    _ok = True  # read by Environment.step: an alarm never fails
    _value = None

    def __init__(self, callback: Callable[[object], None]) -> None:
        self._calls = (callback,)
        self.callbacks: tuple | None = None


class Once:
    """A one-shot callback event, made by :meth:`Clock.call` (cheaper than a ``Timeout``)."""

    __slots__ = ("callbacks",)
    _ok = True  # read by Environment.step: it never fails
    _value = None

    def __init__(self, callback: Callable[[object], None]) -> None:
        self.callbacks = (callback,)


class Clock:
    """Sets :class:`Alarm` s, and one-shot :class:`Once` calls, on one environment."""

    def __init__(self, env: simpy.Environment) -> None:
        for name in ("_queue", "_eid", "_now"):
            if not hasattr(env, name):
                raise RuntimeError(
                    f"simpy {simpy.__version__}: Environment has no {name!r}; "
                    "sim.core.clock needs SimPy 4.x internals"
                )
        self.env = env
        self._queue = env._queue
        self._eid = env._eid

    def set(self, alarm: Alarm, delay: float) -> None:
        """Fire ``alarm`` (call its callback with it) ``delay`` minutes from now."""
        if alarm.callbacks is not None:
            raise RuntimeError("sim.core.clock: alarm set again before it fired")
        alarm.callbacks = alarm._calls
        heapq.heappush(self._queue, (self.env._now + delay, NORMAL, next(self._eid), alarm))

    def call(self, callback: Callable[[object], None], delay: float) -> None:
        """Call ``callback(event)`` once, ``delay`` minutes from now (a ``Timeout``'s key)."""
        heapq.heappush(
            self._queue, (self.env._now + delay, NORMAL, next(self._eid), Once(callback))
        )
