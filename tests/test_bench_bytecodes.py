"""benchmarks/bench_bytecodes.py counts, per leg, what the interpreter runs: the same every run."""

import pytest

from benchmarks.bench_bytecodes import count, report
from sim import load_config
from sim.core.rng import Streams
from sim.model import build

WINDOW = (480.0, 510.0)  # half an hour of PosteMobile's busy morning
LOG_RECORD = ("sim/metrics/records.py", "record")
SCORE = ("sim/outcomes/satisfaction.py", "score")


@pytest.fixture(scope="module")
def morning():
    return count("postemobile", *WINDOW)


def test_the_same_run_counts_the_same(morning):
    again = count("postemobile", *WINDOW)
    assert again.legs == morning.legs
    assert again.ops == morning.ops
    assert again.calls == morning.calls


def test_tracing_counts_the_legs_of_the_untraced_run(morning):
    over = [f"horizon={WINDOW[1]!r}", "keep_records=false", "progress=false", "plots=false"]
    cfg = load_config("postemobile", over)
    model = build(cfg, Streams(cfg.seed, 0), lambda _cols: None, lambda _rows: None)
    model.env.run(until=WINDOW[0])
    before = model.log.recorded
    model.env.run(until=WINDOW[1])
    assert model.log.recorded - before == morning.legs


def test_every_leg_is_one_record_of_the_contact_log(morning):
    assert morning.legs > 100
    assert morning.calls[LOG_RECORD] == morning.legs
    ops, calls = morning.per_leg()
    assert ops > 10 * calls > 0  # the bytecodes inside the calls are counted, not only calls
    assert LOG_RECORD[1] in report(morning, top=50)


def test_what_a_scenario_leaves_out_is_not_counted(morning):
    bare = count("postemobile", *WINDOW, overrides=["outcomes.enabled=false"])
    assert morning.ops[SCORE] > 0
    assert bare.ops[SCORE] == 0
    assert bare.per_leg()[0] < morning.per_leg()[0]


def test_an_empty_window_is_refused():
    with pytest.raises(ValueError, match="need 0 <= start < stop"):
        count("postemobile", 60.0, 30.0)
