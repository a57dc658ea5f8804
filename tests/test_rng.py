import multiprocessing

import numpy as np
import pytest

from sim.core.rng import Streams, stream_key


def _first(seed, rep, name, n=5):
    return Streams(seed, rep).get(name).random(n)


def test_same_name_same_numbers_across_instances():
    assert np.array_equal(_first(1, 0, "service.calls"), _first(1, 0, "service.calls"))


def test_names_replications_and_seeds_differ():
    base = _first(1, 0, "service.calls")
    assert not np.array_equal(base, _first(1, 0, "patience.calls"))
    assert not np.array_equal(base, _first(1, 1, "service.calls"))
    assert not np.array_equal(base, _first(2, 0, "service.calls"))


def test_adding_a_stream_leaves_the_others_unchanged():
    s = Streams(3, 2)
    a = s.get("arrivals.calls").random(3)
    t = Streams(3, 2)
    t.get("some.new.stream").random(1000)
    assert np.array_equal(a, t.get("arrivals.calls").random(3))


def test_stream_is_cached_and_continues():
    s = Streams(3, 0)
    first = s.get("x").random(2)
    second = s.get("x").random(2)
    assert np.array_equal(np.concatenate([first, second]), Streams(3, 0).get("x").random(4))


def _key_in_child(name, out):
    out.put(stream_key(name))


def test_stream_key_is_stable_across_processes():
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_key_in_child, args=("service.calls", q))
    p.start()
    p.join()
    assert q.get() == stream_key("service.calls")


def test_negative_seed_rejected():
    with pytest.raises(ValueError, match="seed and replication must be >= 0"):
        Streams(-1, 0)
