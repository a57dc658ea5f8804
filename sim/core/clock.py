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
from simpy.core import BoundClass
from simpy.events import NORMAL, URGENT

from sim.core.streams import counter


class Environment(simpy.Environment):
    """A SimPy environment that pickles (a checkpoint of a run at a midnight).

    ``simpy.Environment`` binds ``timeout``, ``process``, ``event``... to the
    instance as bound classes, which pickle by a name they do not have
    (``Timeout``, not ``timeout``): a pickled environment does not load. This
    one leaves them out of its state and binds them again when loaded; the
    event queue, the clock and the event-id counter pickle as they are (the
    counter is SimPy's ``itertools.count`` where that pickles, a range
    iterator on Python 3.14: :func:`sim.core.streams.counter`). The
    events in the queue must pickle too: no SimPy process (a generator) may
    be waiting, which is why the model's recurring activities are alarm and
    ``Once`` callbacks of plain objects.
    """

    _BOUND = tuple(n for n, o in vars(simpy.Environment).items() if type(o) is BoundClass)

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self._eid = counter()  # the same ids: 0, 1, 2, ...
        self._bind()

    def _bind(self) -> None:
        """Bind SimPy's event classes to the instance, as SimPy does (faster ``env.timeout``)."""
        for name in self._BOUND:
            setattr(self, name, getattr(self, name))

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        for name in self._BOUND:
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._bind()


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

    def start(self, callback: Callable[[object], None]) -> None:
        """Call ``callback(event)`` now, with the key ``env.process`` gives a process's start.

        SimPy starts a process with an ``URGENT`` event at the current time, which
        runs before the ``NORMAL`` events of that instant; a recurring activity
        written as callbacks (an agent's shifts) starts the same way, so that every
        event keeps its place in the order.
        """
        heapq.heappush(self._queue, (self.env._now, URGENT, next(self._eid), Once(callback)))


class Later:
    """One-shot calls far ahead, kept off SimPy's queue until they are near.

    SimPy's queue is a heap, so every event costs O(log n) to schedule and to
    pop; returns days ahead (repeat contacts) made it some 15 times larger than
    the events of the next hour (a tenth of a PosteMobile run went to popping
    it). A call more than ``far`` minutes ahead waits in a heap of its own with
    the key :meth:`Clock.call` would give it (time, ``NORMAL``, the next event
    id, taken now); a pump every ``far / 2`` minutes moves the calls due within
    ``far`` into SimPy's queue, before they are due. A heap pops by key only,
    so events happen in exactly the order of :meth:`Clock.call` (the pump's own
    ids are interleaved but never tie with them). The pump runs only while
    calls wait.
    """

    def __init__(self, clock: Clock, far: float = 240.0) -> None:
        self._clock = clock
        self._far = far
        self._held: list[tuple] = []
        self._pump = Alarm(self._move)

    def call(self, callback: Callable[[object], None], delay: float) -> None:
        """Call ``callback(event)`` once, ``delay`` minutes from now."""
        clock = self._clock
        if delay <= self._far:
            clock.call(callback, delay)
            return
        key = (clock.env._now + delay, NORMAL, next(clock._eid), Once(callback))
        heapq.heappush(self._held, key)
        if self._pump.callbacks is None:
            clock.set(self._pump, self._far / 2)

    def _move(self, _event: object) -> None:
        """Move the calls due within ``far`` to SimPy's queue; pump again while some wait."""
        clock, held = self._clock, self._held
        until = clock.env._now + self._far
        while held and held[0][0] <= until:
            heapq.heappush(clock._queue, heapq.heappop(held))
        if held:
            clock.set(self._pump, self._far / 2)
