"""``record_days``: the records of a sample of days, the aggregates of all of them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config.size import estimate
from sim.core.calendar import overlaps_days

DAY = 1440.0
OVER = ["horizon=3d", "replications=2", "progress=false", "plots=false"]


def test_a_spell_is_kept_when_it_reaches_into_a_sampled_day() -> None:
    nan = np.nan
    start = np.array([100.0, 1000.0, 1439.0, 1440.0, 2879.0, 2880.0, 10.0, 10.0, 3000.0])
    end = np.array([200.0, 1440.0, nan, 1500.0, 2881.0, 2900.0, 1439.99, 5000.0, 3100.0])
    # day 2 is [1440, 2880); day 3 is [2880, 4320) and not sampled; day 4 is
    days = np.array([2.0, 4.0])
    expected = [False, True, True, True, True, False, False, True, False]
    assert list(overlaps_days(start, end, days)) == expected
    assert list(overlaps_days(np.array([5000.0]), np.array([nan]), days)) == [True]  # day 4
    assert list(overlaps_days(np.array([6000.0]), np.array([6100.0]), days)) == [False]  # day 5


@pytest.fixture(scope="module")
def runs() -> tuple[sim.Results, sim.Results]:
    full = sim.run_experiment(sim.load_config("default", OVER))
    day_two = sim.run_experiment(sim.load_config("default", [*OVER, "record_days=[2]"]))
    return full, day_two


def _reaching_day_two(frame: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    """The rows of ``frame`` in the centre at some moment of day 2, by the rule written out."""
    reach = (frame[start] < 2 * DAY) & (frame[end].isna() | (frame[end] >= DAY))
    return frame[reach].reset_index(drop=True)


def test_the_sample_is_the_full_runs_records_that_reach_into_the_day(runs) -> None:
    full, day_two = runs
    sample = day_two.contacts.reset_index(drop=True)
    pd.testing.assert_frame_equal(sample, _reaching_day_two(full.contacts, "t_arrival", "t_end"))
    assert 0 < len(sample) < len(full.contacts) / 2
    assert (sample.t_arrival < DAY).any(), "legs still in the centre from day 1 are kept"
    cases = day_two.cases.reset_index(drop=True)
    pd.testing.assert_frame_equal(cases, _reaching_day_two(full.cases, "t_first", "t_end"))
    states = day_two.agent_states.reset_index(drop=True)
    pd.testing.assert_frame_equal(states, _reaching_day_two(full.agent_states, "start", "end"))
    assert day_two.levels is None and full.levels is not None  # a sample has no exact levels


def test_the_sample_changes_no_aggregate(runs) -> None:
    full, day_two = runs
    assert full.kpis.equals(day_two.kpis)
    assert full.replications.equals(day_two.replications)
    assert full.intervals.equals(day_two.intervals) and full.days.equals(day_two.days)


def test_two_sampled_days_and_their_files(tmp_path) -> None:
    over = ["horizon=3d", "replications=1", "progress=false", "plots=true", "record_days=[3,1]"]
    res = sim.run_experiment(sim.load_config("default", over))
    c = res.contacts
    day = (c.t_arrival // DAY + 1).astype(int)
    assert set(day) == {1, 2, 3}
    only_day_two = (day == 2) & (c.t_end < 2 * DAY)
    assert not only_day_two.any(), "a leg that began and ended on day 2 is not kept"
    written = {p.name for p in sim.write_results(res, tmp_path / "run")}
    assert {"contacts.parquet", "cases.parquet", "agent_states.parquet", "agent_day.png"} <= written
    assert "levels.parquet" not in written
    back = pd.read_parquet(tmp_path / "run" / "contacts.parquet")
    assert len(back) == len(c)


def test_the_size_estimate_counts_the_sampled_days_only() -> None:
    ten = ["horizon=10d", "keep_records=true"]
    full = estimate(sim.load_config("default", ten)).records
    one = estimate(sim.load_config("default", [*ten, "record_days=[4]"])).records
    assert one == pytest.approx(full / 10)
