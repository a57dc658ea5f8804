"""Streams that pickle without ``itertools`` (Python 3.14): same items, same runs, same resume.

Python 3.14 cannot pickle ``itertools`` objects; this Python can, so 3.14 is
stood in for by a pickler that refuses them (:func:`dumps_314`), and the
streams are switched to their own classes with ``sim.core.streams.NATIVE``.
A test run on the stand-in with the ``itertools`` streams fails, which shows
the stand-in refuses what 3.14 would.
"""

from __future__ import annotations

import io
import itertools
import pickle
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.config.base import DAY
from sim.core import checkpoint as ckpt
from sim.core import streams
from sim.core.distributions import BlockDraw, Deterministic, Exponential, Trace, sampler
from sim.runner import _start, run_until
from tests.tables import differing_tables

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted(p.stem for p in (ROOT / "configs" / "scenario").glob("[!_]*.yaml"))
TABLES = ("kpis", "replications", "intervals", "waits", "contacts", "levels", "cases", "days")
RUN = ["progress=false", "plots=false", "replications=2"]


class KilledError(Exception):
    """Stands for the process dying right after a checkpoint was written."""


class Pickler314(pickle.Pickler):
    """A pickler that refuses ``itertools`` objects, as Python 3.14's does."""

    def reducer_override(self, obj: object) -> object:
        if type(obj).__module__ == "itertools":
            raise TypeError(f"cannot pickle {type(obj).__name__!r} object")
        return NotImplemented


def dumps_314(obj: object, protocol: int | None = None) -> bytes:
    buffer = io.BytesIO()
    Pickler314(buffer, protocol).dump(obj)
    return buffer.getvalue()


def different(a: sim.Results, b: sim.Results) -> list[str]:
    """Names of the tables that differ; the contacts and KPIs must be there."""
    assert a.contacts is not None and len(a.kpis)
    return differing_tables(a, b, TABLES)


@pytest.fixture
def own_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    """The streams of a Python that cannot pickle ``itertools`` objects."""
    monkeypatch.setattr(streams, "NATIVE", False)


def test_itertools_streams_where_this_python_pickles_them() -> None:
    assert streams.iterators_pickle() == streams.NATIVE  # True on 3.11 to 3.13
    assert (type(streams.counter()).__module__ == "itertools") == streams.NATIVE


def test_the_stand_in_refuses_what_3_14_refuses() -> None:
    with pytest.raises(TypeError, match="cannot pickle 'chain' object"):
        dumps_314({"draws": [itertools.chain.from_iterable([[1.0]])]})
    assert pickle.loads(dumps_314({"ids": iter(range(9))})) is not None


def test_flat_gives_chains_items_skipping_empty_blocks_then_stops() -> None:
    blocks = [[], [1.0, 2.0], [], [], [3.0], []]
    ours = streams.Flat(iter(blocks))
    assert list(ours) == list(itertools.chain.from_iterable(blocks)) == [1.0, 2.0, 3.0]
    assert next(ours, "over") == "over"  # still over when asked again
    assert list(streams.Flat(iter([]))) == []


def test_constant_cycle_and_counter_give_itertools_items(own_streams: None) -> None:
    take = lambda it, n: list(itertools.islice(it, n))  # noqa: E731
    assert take(streams.constant(2.5), 4) == [2.5] * 4
    assert take(streams.cycle([1.0, 2.0, 3.0]), 7) == take(itertools.cycle([1.0, 2.0, 3.0]), 7)
    assert take(streams.cycle([4.0]), 3) == [4.0] * 3
    assert take(streams.counter(), 5) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="at least one value"):
        streams.Cycle([])


@pytest.mark.parametrize("dist", [Exponential(2.0), Deterministic(1.5), Trace((1.0, 2.0, 3.0))])
def test_a_sampler_pickled_mid_block_draws_on_as_the_itertools_one(
    monkeypatch: pytest.MonkeyPatch, dist
) -> None:
    monkeypatch.setattr(streams, "NATIVE", True)
    native = sampler(dist, np.random.default_rng(3), block=5)
    monkeypatch.setattr(streams, "NATIVE", False)
    ours = sampler(dist, np.random.default_rng(3), block=5)
    assert [next(ours) for _ in range(7)] == [next(native) for _ in range(7)]
    copy = pickle.loads(dumps_314(ours))  # mid-block: 2 of the second block of 5 taken
    assert [next(copy) for _ in range(11)] == [next(native) for _ in range(11)]


def test_endless_blocks_pickle_between_blocks_on_the_stand_in(own_streams: None) -> None:
    draws = streams.endless_blocks(BlockDraw(np.random.default_rng(1).random, 4))
    first = [next(draws) for _ in range(4)]  # exactly one block: the next draws a new one
    copy = pickle.loads(dumps_314(draws))
    assert [next(copy) for _ in range(6)] == [next(draws) for _ in range(6)]
    assert len(set(first)) == 4


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_model_pickles_at_a_midnight_without_itertools(own_streams: None, scenario) -> None:
    cfg = sim.load_config(scenario, ["horizon=2d", "warmup=0", "progress=false", "plots=false"])
    model, sink, cases = _start(cfg, 0)
    run_until(model, DAY)  # SimPy's loop, or a textbook queue's express loop
    restored = pickle.loads(dumps_314((model, sink, cases)))[0]
    ahead = restored.express is not None and restored.express.next_arrival is not None
    assert restored.env._queue or ahead, "the model has events after the first midnight"


def test_the_itertools_model_does_not_pickle_on_the_stand_in(monkeypatch) -> None:
    """What the scenarios above would hit on 3.14 without the classes: the test can fail."""
    monkeypatch.setattr(streams, "NATIVE", True)
    cfg = sim.load_config("default", ["horizon=2d", "warmup=0", "progress=false", "plots=false"])
    model, sink, cases = _start(cfg, 0)
    model.env.run(until=DAY)
    with pytest.raises(TypeError, match="cannot pickle"):
        dumps_314((model, sink, cases))


@pytest.mark.parametrize(
    ("scenario", "overrides"),
    [
        ("default", ["horizon=2d"]),  # journeys, outcomes, repeats, cases
        ("postemobile", ["horizon=720"]),  # IVR (deterministic identification), self-service
        ("mmc_abandon", ["horizon=600"]),  # the textbook engine's inlined arrivals
        ("proactive", ["horizon=1d"]),  # the outbound dialer
    ],
)
def test_runs_on_the_own_streams_equal_runs_on_itertools(
    monkeypatch: pytest.MonkeyPatch, scenario: str, overrides: list[str]
) -> None:
    cfg = sim.load_config(scenario, [*RUN, *overrides])
    monkeypatch.setattr(streams, "NATIVE", True)
    native = sim.run_experiment(cfg)
    monkeypatch.setattr(streams, "NATIVE", False)
    ours = sim.run_experiment(cfg)
    assert different(native, ours) == []


def test_a_checkpoint_on_the_stand_in_resumes_to_the_uninterrupted_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, own_streams: None
) -> None:
    """Saved through the 3.14 stand-in at day 1 of replication 1, killed, resumed: same tables."""
    from sim.runner import Checkpoints

    cfg = sim.load_config("default", [*RUN, "horizon=3d", "checkpoint.every=1d"])
    whole = sim.run_experiment(cfg)
    monkeypatch.setattr(ckpt.pickle, "dumps", dumps_314)  # every checkpoint file, 3.14's way
    save, saves = Checkpoints.at_midnight, []

    def dying(self, r, objects, now):
        save(self, r, objects, now)
        saves.append((r, now))
        if (r, now) == (1, DAY):
            raise KilledError

    with monkeypatch.context() as m:
        m.setattr(Checkpoints, "at_midnight", dying)
        with pytest.raises(KilledError):
            sim.run_experiment(cfg, checkpoint=tmp_path / ckpt.NAME)
    assert saves[-1] == (1, DAY)
    resumed = sim.run_experiment(cfg, checkpoint=tmp_path / ckpt.NAME)
    assert different(whole, resumed) == []


class Warns:
    """An object that warns when it pickles (as itertools objects do on 3.12 and 3.13)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __reduce__(self) -> tuple:
        import warnings

        warnings.warn(self.message, DeprecationWarning, stacklevel=1)
        return (Warns, (self.message,))


def test_a_checkpoint_quiets_only_the_itertools_pickling_warning(tmp_path: Path) -> None:
    """Python 3.12 and 3.13 warn when itertools objects pickle; a checkpoint says nothing of it."""
    import warnings

    itertools_said = "Pickle, copy, and deepcopy support will be removed from itertools in 3.14."
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        ckpt.write(tmp_path / "a.pkl", {}, Warns(itertools_said))
        assert seen == []
        ckpt.write(tmp_path / "b.pkl", {}, Warns("something else"))
        assert [str(w.message) for w in seen] == ["something else"]
