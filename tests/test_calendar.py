"""The run's calendar: ``start_date``, dated day and week tables, calendar months."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config.errors import ConfigError
from sim.core.calendar import month_starts, parse_date, period_dates

DAY = 1440.0
SMALL = ["arrival_rate=4", "servers=5", "mean_patience=2", "keep_records=false"]


def test_months_are_calendar_months_from_the_start_date() -> None:
    # a leap February: the 27th, 28th and 29th, then March
    bounds, names = month_starts(dt.date(2028, 2, 27), 4 * DAY)
    assert list(bounds) == [0.0, 3 * DAY] and names == ["2028-02", "2028-03"]
    bounds, names = month_starts(dt.date(2027, 2, 27), 4 * DAY)  # not a leap year
    assert list(bounds) == [0.0, 2 * DAY]
    # a year from the first of January: twelve months, each as long as it is
    bounds, names = month_starts(dt.date(2027, 1, 1), 365 * DAY)
    lengths = np.diff([*bounds, 365 * DAY]) / DAY
    assert names == [f"2027-{m:02d}" for m in range(1, 13)]
    assert list(lengths) == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    # the last day of a year: one month while the run stays in it, two when it reaches January
    assert month_starts(dt.date(2026, 12, 31), DAY)[1] == ["2026-12"]
    assert month_starts(dt.date(2026, 12, 31), DAY + 1)[1] == ["2026-12", "2027-01"]
    assert period_dates(dt.date(2026, 12, 31), np.array([0.0, DAY, 1.5 * DAY])) == [
        "2026-12-31",
        "2027-01-01",
        "2027-01-01",
    ]


def test_a_start_date_is_a_real_iso_date() -> None:
    assert parse_date("2027-01-05") == dt.date(2027, 1, 5)
    assert parse_date(dt.date(2027, 1, 5)) == dt.date(2027, 1, 5)
    for bad in ("2027-02-30", "2027-1-5", "05/01/2027", "20270105", 20270105, "tomorrow", None):
        assert parse_date(bad) is None, bad
    assert parse_date(dt.datetime(2027, 1, 5, 8, 0)) is None


@pytest.mark.parametrize("value", ["2026-13-01", "20260302", "2026-02-30", "monday"])
def test_a_bad_start_date_is_refused_before_the_run(value: str) -> None:
    with pytest.raises(ConfigError, match=rf"start_date must be a date YYYY-MM-DD .*got '{value}'"):
        sim.load_config("mmc", [f"start_date={value}"])


def test_a_start_date_on_another_weekday_than_the_demands_is_refused_with_the_fix() -> None:
    # the default centre's day 0 is a Tuesday (demand.start_weekday=1); 2026-12-02 is a Wednesday
    with pytest.raises(ConfigError) as err:
        sim.load_config("default", ["start_date=2026-12-02"])
    message = str(err.value)
    assert "start_date 2026-12-02 is a Wednesday" in message
    assert "demand.start_weekday=1 makes day 0 a Tuesday" in message
    assert "set demand.start_weekday=2 too" in message
    both = sim.load_config("default", ["start_date=2026-12-02", "demand.start_weekday=2"])
    assert both.start_date == "2026-12-02"
    assert sim.load_config("default", ["start_date=2026-12-01"]).start_date == "2026-12-01"


def test_a_start_date_from_python_may_be_a_date() -> None:
    cfg = sim.load_config("mmc", [])
    assert dataclasses.replace(cfg, start_date=dt.date(2026, 3, 2)).start_date == "2026-03-02"
    with pytest.raises(ConfigError, match="start_date"):
        dataclasses.replace(cfg, start_date=dt.datetime(2026, 3, 2, 8, 0))


@pytest.fixture(scope="module")
def dated() -> sim.Results:
    """35 days of a small M/M/c from Monday 2026-01-26: 6 days of January, February, 5 of March."""
    over = ["horizon=35d", "warmup=1d", "replications=2", "progress=false", "plots=true"]
    return sim.run_experiment(sim.load_config("mmc", [*over, *SMALL, "start_date=2026-01-26"]))


def test_the_month_table_adds_up_the_days_of_each_month(dated) -> None:
    months, days, weeks = dated.months, dated.days, dated.weeks
    assert list(months[months.scope == "all"].month) == ["2026-01", "2026-02", "2026-03"] * 2
    first = months[(months.scope == "all") & (months.replication == 0)]
    assert list(first.t_start) == [0.0, 6 * DAY, 34 * DAY]
    assert list(first.t_end) == [6 * DAY, 34 * DAY, 35 * DAY]
    assert list(first.date) == ["2026-01-26", "2026-02-01", "2026-03-01"]
    # day k is start_date + k - 1; week k starts on start_date + 7 (k - 1)
    d0 = days[(days.scope == "all") & (days.replication == 0)]
    expected = [f"{dt.date(2026, 1, 26) + dt.timedelta(days=k):%Y-%m-%d}" for k in range(35)]
    assert list(d0.date) == expected
    w0 = weeks[(weeks.scope == "all") & (weeks.replication == 0)]
    assert list(w0.date) == ["2026-01-26", "2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23"]
    counts = ["offered", "served", "abandoned"]
    for scope in ("all", "queue:calls"):
        d = days[days.scope == scope]
        m = months[months.scope == scope]
        by_month = d.groupby(["replication", d.date.str[:7]])[counts].sum()
        assert np.array_equal(by_month.to_numpy(), m[counts].to_numpy())
    # a month's service level is its own ratio, and its occupancy lies within its days'
    for rep in (0, 1):
        d = days[(days.scope == "all") & (days.replication == rep) & (days.date < "2026-02")]
        m = months[(months.scope == "all") & (months.replication == rep)].iloc[0]
        assert d.occupancy.min() <= m.occupancy <= d.occupancy.max()
        answered = (d.service_level * d.offered).sum() / d.offered.sum()
        assert m.service_level == pytest.approx(answered, rel=0.05)
    assert list(first.in_window) == [False, True, True]  # January holds the warm-up day


def test_the_month_table_is_written(dated, tmp_path) -> None:
    written = {p.name for p in sim.write_results(dated, tmp_path / "run")}
    assert {"days.csv", "weeks.csv", "months.csv", "days.png"} <= written
    back = pd.read_csv(tmp_path / "run" / "months.csv")
    assert len(back) == len(dated.months) and list(back.columns[:4]) == [
        "replication",
        "scope",
        "month",
        "date",
    ]


def test_without_a_start_date_there_are_no_dates_and_no_months() -> None:
    over = ["horizon=30d", "replications=1", "progress=false", "plots=false", *SMALL]
    res = sim.run_experiment(sim.load_config("mmc", over))
    assert res.months is None
    assert "date" not in res.days and "date" not in res.weeks
    # a dated run within one month (2 to 31 March) has no month table: its totals are the KPIs
    one = sim.run_experiment(sim.load_config("mmc", [*over, "start_date=2026-03-02"]))
    assert one.months is None and "date" in one.days
    # the calendar changes no number of the run
    assert res.kpis.equals(one.kpis)
    assert res.days.equals(one.days.drop(columns="date"))


def test_months_carry_the_issue_kpis_with_the_outcome_model() -> None:
    # Tuesday 31 March 2026 (the default centre's day 0 is a Tuesday): a day of March, two of April
    over = ["horizon=3d", "replications=1", "progress=false", "keep_records=false"]
    over += ["outcomes=telecom", "start_date=2026-03-31", "intervals=false"]
    res = sim.run_experiment(sim.load_config("default", over))
    months, days = res.months, res.days
    assert list(months[months.scope == "all"].month) == ["2026-03", "2026-04"]
    cols = ["scope", "t_start", "issues", "fcr", "satisfaction", "churn_rate"]
    for scope in ("all", "channel:voice"):
        m = months[months.scope == scope]
        d = days[days.scope == scope]
        pd.testing.assert_frame_equal(  # March is its one day
            m[cols].iloc[:1].reset_index(drop=True), d[cols].iloc[:1].reset_index(drop=True)
        )
        april, days_of_april = m.iloc[1], d.iloc[1:]
        assert april.issues == days_of_april.issues.sum() > 0
        assert days_of_april.fcr.min() <= april.fcr <= days_of_april.fcr.max()
