"""sim.core.clock: alarms fire in the order SimPy gives timeouts, once per setting."""

import pytest
import simpy

from sim.core.clock import Alarm, Clock, Later


def test_alarms_and_timeouts_interleave_in_scheduling_order():
    env = simpy.Environment()
    clock = Clock(env)
    fired: list[str] = []
    alarms = [Alarm(lambda _e, k=k: fired.append(f"a{k}")) for k in range(3)]
    # equal times: SimPy breaks ties by scheduling order, alarms included
    for k in range(3):
        env.timeout(1.0).callbacks.append(lambda _e, k=k: fired.append(f"t{k}"))
        clock.set(alarms[k], 1.0)
    clock.set(Alarm(lambda _e: fired.append("early")), 0.5)
    env.timeout(2.0).callbacks.append(lambda _e: fired.append("late"))
    env.run()
    assert fired == ["early", "t0", "a0", "t1", "a1", "t2", "a2", "late"]


def test_alarm_can_be_set_again_from_its_own_callback():
    env = simpy.Environment()
    clock = Clock(env)
    times: list[float] = []

    def tick(_e):
        times.append(env.now)
        if len(times) < 4:
            clock.set(alarm, 1.5)

    alarm = Alarm(tick)
    clock.set(alarm, 1.5)
    env.run()
    assert times == [1.5, 3.0, 4.5, 6.0]
    assert alarm.callbacks is None  # free again once it has fired


def test_setting_a_pending_alarm_is_an_error():
    env = simpy.Environment()
    clock = Clock(env)
    alarm = Alarm(lambda _e: None)
    clock.set(alarm, 1.0)
    with pytest.raises(RuntimeError, match="set again before it fired"):
        clock.set(alarm, 2.0)


def test_alarm_respects_run_until():
    env = simpy.Environment()
    clock = Clock(env)
    fired: list[float] = []
    clock.set(Alarm(lambda _e: fired.append(env.now)), 5.0)
    env.run(until=3.0)
    assert fired == []
    env.run(until=6.0)
    assert fired == [5.0]


def test_clock_refuses_an_environment_without_the_internals():
    class Bare:
        pass

    with pytest.raises(RuntimeError, match=r"needs SimPy 4\.x internals"):
        Clock(Bare())  # type: ignore[arg-type]


def test_calls_fire_once_in_the_order_of_timeouts():
    env = simpy.Environment()
    clock = Clock(env)
    fired: list[tuple[str, float]] = []
    for k in range(2):
        env.timeout(1.0).callbacks.append(lambda _e, k=k: fired.append((f"t{k}", env.now)))
        clock.call(lambda _e, k=k: fired.append((f"c{k}", env.now)), 1.0)
    clock.call(lambda _e: fired.append(("early", env.now)), 0.25)
    env.run()
    assert fired == [("early", 0.25), ("t0", 1.0), ("c0", 1.0), ("t1", 1.0), ("c1", 1.0)]
    env.run(until=5.0)
    assert len(fired) == 5  # each call fired once


def _fired_in_order(schedule) -> list[tuple[int, float]]:
    """Order and times of calls made by ``schedule(env, fire, k, delay)``, a mix of delays."""
    import random

    env = simpy.Environment()
    fired: list[tuple[int, float]] = []
    rng = random.Random(7)
    delays = [rng.choice([0.5, 100.0, 239.0, 240.0, 241.0, 1000.0, 3000.0]) for _ in range(300)]

    def start(k: int):
        def fire(_e):
            fired.append((k, env.now))
            if k < len(delays) - 1:  # each call schedules the next: calls made while others wait
                start(k + 1)

        schedule(env, fire, delays[k])

    for k in range(0, len(delays), 50):
        start(k)
    env.run()  # ends: the pump stops when no call waits
    return fired


def test_later_calls_fire_in_exactly_the_order_of_clock_calls():
    clocks: dict[simpy.Environment, tuple[Clock, Later]] = {}

    def direct(env, fire, delay):
        Clock(env).call(fire, delay)

    def later(env, fire, delay):
        if env not in clocks:
            clock = Clock(env)
            clocks[env] = (clock, Later(clock))
        clocks[env][1].call(fire, delay)

    a, b = _fired_in_order(direct), _fired_in_order(later)
    assert len(a) > 300 and a == b


def test_a_far_call_waits_off_simpys_queue_until_it_is_near():
    env = simpy.Environment()
    later = Later(Clock(env), far=240.0)
    fired: list[float] = []
    later.call(lambda _e: fired.append(env.now), 1000.0)

    def pending() -> list[float]:  # in SimPy's queue (run's own stop events left out)
        return sorted(e[0] for e in env._queue if not isinstance(e[3], simpy.Event))

    env.run(until=800.0)
    assert pending() == [840.0]  # the pump (every 120 min) alone
    env.run(until=900.0)
    assert pending() == [1000.0]  # moved in; nothing waits: no pump
    env.run()
    assert fired == [1000.0] and not env._queue
