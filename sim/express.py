"""Express: the events of a single textbook queue, run in one loop.

A run of one queue with its own arrival process (M/M/c, M/G/c, Erlang A,
M/M/c/K and Erlang B: first come first served, with patience or a capacity,
not both) served by one group of
always-present single-slot agents spends most of its time in SimPy's
dispatch and in the half-dozen small calls per contact of the general router
(arrive, admit, start, finish, record, take next). :class:`Express` runs the
same events, in the same order and with the same arithmetic, in one loop over
the arrival stream and a heap of service completions, on the router's own
deques and agents and the collector's own row buffer. Every record, and so
every table, is the general engine's (``tests/test_express.py`` compares
them), in about half the time; ``engine=simpy`` runs the general engine.

Event order is SimPy's: by time, then by the order in which the events were
scheduled (the environment's own event counter). An arrival at ``t`` is
scheduled at the previous one as ``now + (t - now)``, a completion at
``now + handle * speed``, as the general engine does, so the floats are the
same. Contacts whose patience ran out are closed when an agent meets them at
the head of the queue, as :meth:`sim.routing.router.Router._next_in` does; a
contact that finds the queue at its capacity is blocked (``Router.admit``).

Anything else takes the general engine (:func:`express_for` says which):
capacity together with patience (a full queue then frees room by deadlines),
callbacks, balking, overflow, shifts or staffing profiles, service profiles
over the day, several queues or groups, chat concurrency, stress, outcomes,
outbound, the customer journey. Nothing is modelled differently: this is the
same model, run faster.
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING

from sim.core.entities import ABANDONED, BLOCKED, SERVED, Contact
from sim.demand.arrivals import QueueArrivals
from sim.routing.router import Router

if TYPE_CHECKING:
    import simpy

    from sim.metrics.records import ContactLog

Key = tuple[float, int]  # (time, event id): SimPy's order of two NORMAL events


def express_for(
    env: simpy.Environment, router: Router, log: ContactLog, sources: list[object]
) -> Express | None:
    """An :class:`Express` loop for a freshly built model, or None if it needs the general one.

    ``sources`` are every arrival source of the model. The loop applies when
    the only source is one plain textbook queue, the router is the plain one
    with nothing attached, and the only scheduled event is that queue's first
    arrival (no shift, staffing profile, sample or campaign will ever act).
    """
    if len(sources) != 1 or type(sources[0]) is not QueueArrivals:
        return None
    plan = router.plan
    plain = (
        type(router) is Router
        and router.record == log.record
        and router.callbacks is None
        and router.balking is None
        and router.dialer is None
        and router.lanes is None
        and router.sources_open == 1
        and len(router.agents) == 1
        and len(router.waiting) == 1
        and not plan.overflow[0]
        and not plan.track_deadlines[0]
        and all(a.slots == 1 and a.present and not a.busy for a in router.agents[0])
    )
    queue = env._queue
    if not plain or len(queue) != 1 or queue[0][3] is not sources[0]._alarm:
        return None
    return Express(env, router, log, sources[0])


class Express:
    """The event loop of one textbook queue (see the module docstring).

    Built in place of the queue's first SimPy arrival event, which it takes
    off the environment's queue. :meth:`run` and :meth:`drain` stand for
    ``env.run(until=...)`` and the run-out of the last contacts; the state
    (next arrival, completions in progress) lives here, so it pickles with
    the model at a checkpoint.
    """

    def __init__(
        self, env: simpy.Environment, router: Router, log: ContactLog, source: QueueArrivals
    ) -> None:
        t, _, eid, _ = env._queue.pop()
        self.env, self.router, self.log, self.source = env, router, log, source
        self.queue = source._queue
        self.speed = router.agents[0][0].speed[self.queue]  # one group: one speed list
        self.next_arrival: Key | None = (t, eid)
        self.busy: list[tuple[float, int, object]] = []  # (end, event id, agent): a heap

    def run(self, until: float) -> None:
        """Every event before ``until``, then stand at ``until`` (``env.run(until=until)``).

        SimPy's stop event is urgent: events at ``until`` itself wait for the next call.
        """
        self._loop((until, -1), drain=False)
        self.env._now = until

    def drain(self, limit: float | None) -> None:
        """Run until the last contact has left, or for ``limit`` minutes more.

        As ``env.run(until=router.drained | env.timeout(limit))``: the time-out
        is an ordinary event, scheduled now, so events at its instant that were
        scheduled before it still happen.
        """
        env = self.env
        end = (math.inf, -1) if limit is None else (env._now + limit, next(env._eid))
        if not self._loop(end, drain=True):
            if limit is None:
                raise RuntimeError(
                    'No scheduled events left but "until" event was not triggered: '
                    "the express loop ran out of events before the queue drained"
                )
            env._now = end[0]

    def _loop(self, stop: Key, drain: bool) -> bool:
        """Process events in SimPy's order while they come before ``stop``.

        With ``drain``, stop as soon as the router reports it is drained (True).
        The general engine's calls are inlined: ``QueueArrivals._arrive``,
        ``Router.admit`` and ``_start``, ``Router._finish``, ``_take_next`` and
        ``_next_in``, and ``ContactLog.record`` for served contacts.
        """
        env, router, log, src = self.env, self.router, self.log, self.source
        waiting, idle, busy = router.waiting[0], router.idle[0], self.busy
        q, speed, eid = self.queue, self.speed, env._eid
        limited, capacity, in_system = router.limited[0], router.plan.capacity[0], router.in_system
        ids, handles, patience, times = src._ids, src._handle, src._patience, src._times
        rows, batch, arrival = log._rows, log.BATCH, self.next_arrival
        push, pop = heapq.heappush, heapq.heappop
        try:
            while True:
                if busy and (arrival is None or busy[0] < arrival):
                    if busy[0] >= stop:
                        return False
                    now, _, agent = pop(busy)
                    c = agent.contact
                    agent.contact = None
                    if limited:
                        in_system[0] -= 1
                    rows.append(
                        (
                            c.id,
                            c.issue,
                            c.queue,
                            c.kind,
                            c.t_arrival,
                            c.t_queue,
                            c.t_answer,
                            now,
                            SERVED,
                            agent.id,
                            c.info,
                        )
                    )
                    if len(rows) >= batch:
                        log._convert()
                        rows = log._rows
                    while waiting:
                        c = waiting.popleft()
                        if c.outcome is not None or c.agent is not None:
                            continue
                        if c.deadline > now:
                            c.t_answer = now
                            c.agent = agent
                            agent.contact = c
                            push(busy, (now + c.handle * speed, next(eid), agent))
                            break
                        c.outcome = ABANDONED
                        if limited:
                            in_system[0] -= 1
                        log.record(c, ABANDONED, c.deadline)  # not the hot path: no inlining
                        rows = log._rows  # a new list if that filled a batch
                    else:
                        agent.idle_since = now
                        idle.append(agent)
                        if router.sources_open == 0:
                            env._now = now
                            router._check_drained()
                            if drain and router.drained.triggered:
                                return True
                else:
                    if arrival is None or arrival >= stop:
                        return False
                    now = arrival[0]
                    c = Contact(next(ids), q, q, now, next(handles), now + next(patience))
                    if limited and in_system[0] >= capacity:
                        c.outcome = BLOCKED  # the queue is full (no deadlines to free room)
                        log.record(c, BLOCKED, now)
                        rows = log._rows
                    elif idle:
                        if limited:
                            in_system[0] += 1
                        agent = idle.popleft()
                        c.t_answer = now
                        c.agent = agent
                        agent.contact = c
                        push(busy, (now + c.handle * speed, next(eid), agent))
                    else:
                        if limited:
                            in_system[0] += 1
                        waiting.append(c)
                    t = next(times, None)
                    if t is None:
                        arrival = None
                        env._now = now
                        router.source_done()
                    else:
                        arrival = (now + (t - now), next(eid))
        finally:
            self.next_arrival = arrival
