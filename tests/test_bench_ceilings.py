"""benchmarks/bench_ceilings.py makes the part it names free, in a child process only."""

import pytest

from benchmarks.bench_ceilings import knock_out, run


def test_unknown_part_is_refused():
    with pytest.raises(ValueError, match="not one of"):
        knock_out("no router")


def test_without_the_outcome_model_there_are_no_returns():
    full, _, _ = run("full", 0.25)
    bare, _, _ = run("no outcome model", 0.25)
    log, _, _ = run("no contact log", 0.25)
    assert bare < full  # the returns the outcome model makes are gone
    assert log == full  # the log's no-op still counts every leg
