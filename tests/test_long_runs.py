"""Long runs: horizons with units, reduction by the days a chunk covers, day and week tables."""

from __future__ import annotations

import dataclasses
import itertools
import tracemalloc

import numpy as np
import pandas as pd
import pytest

import sim
from sim import runner
from sim.config.errors import ConfigError
from sim.core.rng import Streams
from sim.metrics.aggregates import F, add_into, empty_partial, merge
from sim.metrics.kpis import interval_table
from sim.metrics.records import Columns, concat_columns
from sim.metrics.reduce import add_by_slot, reduce_chunk, reduce_span
from sim.model import build, window
from sim.plan import kinds_and_strata
from sim.runner import _simulate, _Sink, bar_unit, drain, progress_stops, run_until


@pytest.mark.parametrize(
    ("override", "minutes"),
    [
        ("horizon=365d", 525600.0),
        ("horizon=2w", 20160.0),
        ("horizon=10h", 600.0),
        ("horizon=1.5d", 2160.0),
        ("horizon=90m", 90.0),
        ("horizon=600", 600.0),
    ],
)
def test_horizon_with_a_unit_is_read_as_minutes(override: str, minutes: float) -> None:
    cfg = sim.load_config("mmc", [override, "warmup=0", "force=true", "keep_records=false"])
    assert cfg.horizon == minutes
    assert isinstance(cfg.horizon, float)


def test_warmup_with_a_unit_and_in_python() -> None:
    cfg = sim.load_config("mmc", ["horizon=2d", "warmup=6h"])
    assert (cfg.horizon, cfg.warmup) == (2880.0, 360.0)
    built = dataclasses.replace(cfg, horizon="1w", warmup="1d")
    assert (built.horizon, built.warmup) == (10080.0, 1440.0)
    with pytest.raises(ConfigError, match=r"horizon must be minutes or a duration .* got '1y'"):
        dataclasses.replace(cfg, horizon="1y")


def test_a_horizon_in_days_runs_the_same_as_in_minutes() -> None:
    common = ["replications=1", "progress=false", "keep_records=false", "plots=false"]
    a = sim.run_experiment(sim.load_config("mmc", ["horizon=1d", *common]))
    b = sim.run_experiment(sim.load_config("mmc", ["horizon=1440", *common]))
    assert a.kpis.equals(b.kpis)


def _records(cfg: sim.Config) -> tuple[Columns, float]:
    """Every record of replication 0 of ``cfg`` (in the order they were written) and its end."""
    chunks: list[Columns] = []
    model = build(cfg, Streams(cfg.seed, 0), chunks.append)
    run_until(model, cfg.horizon)
    drain(cfg, model)
    model.router.close_all()
    model.log.flush()
    return concat_columns(chunks, sort=False), model.env.now


def _split(cols: Columns, n: int) -> list[Columns]:
    edges = np.linspace(0, len(cols["outcome"]), n + 1).astype(int)
    return [{k: v[a:b] for k, v in cols.items()} for a, b in itertools.pairwise(edges)]


@pytest.fixture(scope="module")
def week() -> tuple[sim.Config, Columns, float]:
    cfg = sim.load_config("mmc", ["horizon=7d", "warmup=3h", "replications=1"])
    cols, end = _records(cfg)
    return cfg, cols, end


def _partials_equal(a, b) -> None:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        for k in x if isinstance(x, dict) else [None]:
            u, v = (x[k], y[k]) if k is not None else (x, y)
            np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-9, err_msg=f"{f.name} {k}")


def test_reducing_by_the_days_covered_gives_the_full_horizon_aggregates(week) -> None:
    cfg, cols, end = week
    win, strata = window(cfg), kinds_and_strata(cfg)[2]
    full = empty_partial(win, strata)
    spans = empty_partial(win, strata)
    widths = []
    for chunk in _split(cols, 40):
        full = merge(full, reduce_chunk(chunk, win, strata, end))
        part, part_win = reduce_span(chunk, win, strata, end)
        add_into(spans, part, part_win)
        assert part.counts["all"].shape[1] == part_win.n_intervals + 1
        widths.append(part_win.n_intervals)
    assert max(widths) < win.n_intervals / 4  # each chunk touched a few intervals only
    _partials_equal(full, spans)
    whole = [F[k] for k in ("offered", "queued", "answered", "answered_in_sl", "abandoned")]
    assert np.array_equal(full.counts["all"][..., whole], spans.counts["all"][..., whole])
    staffed = np.ones((win.n_groups, win.n_intervals + 1))
    a = interval_table(full, win, strata, staffed)
    b = interval_table(spans, win, strata, staffed)
    assert a.shape == b.shape and a.shape[0] > 300
    np.testing.assert_allclose(
        a.select_dtypes("number").to_numpy(), b.select_dtypes("number").to_numpy(), rtol=1e-12
    )


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_chunk_costs_the_same_memory_on_a_week_as_on_a_year(week) -> None:
    cfg, cols, end = week
    chunk = _split(cols, 40)[5]
    strata = kinds_and_strata(cfg)[2]
    short = window(cfg)
    year = dataclasses.replace(short, horizon=365 * 1440.0)
    peak_week = _peak(lambda: reduce_span(chunk, short, strata, end))
    peak_year = _peak(lambda: reduce_span(chunk, year, strata, end))
    assert peak_year < 1.2 * peak_week
    # the full-horizon reduction this replaces grows with the horizon
    assert _peak(lambda: reduce_chunk(chunk, year, strata, end)) > 3 * peak_year


@pytest.fixture(scope="module")
def fortnight() -> sim.Results:
    overrides = ["horizon=15d", "warmup=1d", "replications=2", "progress=false", "plots=true"]
    small = ["arrival_rate=4", "servers=5", "mean_patience=2", "keep_records=false"]
    cfg = sim.load_config("mmc", [*overrides, *small])
    return sim.run_experiment(cfg)


def test_day_and_week_tables_are_sums_of_the_intervals(fortnight) -> None:
    days, weeks, iv = fortnight.days, fortnight.weeks, fortnight.intervals
    assert sorted(days["day"].unique()) == list(range(1, 16))
    assert sorted(weeks["week"].unique()) == [1, 2, 3]  # the third: one day only
    for rep in (0, 1):
        i = iv[(iv.scope == "all") & (iv.replication == rep)]
        d = days[(days.scope == "all") & (days.replication == rep)]
        w = weeks[(weeks.scope == "all") & (weeks.replication == rep)]
        by_day = i.groupby(i.t_start // 1440)[["offered", "served", "abandoned"]].sum()
        assert np.array_equal(by_day.to_numpy(), d[["offered", "served", "abandoned"]].to_numpy())
        assert np.array_equal(w.offered.to_numpy(), d.groupby((d.day - 1) // 7).offered.sum())
        # the days of the window add up to the run's KPI (warm-up: day 1)
        kpi = fortnight.replications.query("replication == @rep and scope == 'all'")
        offered = kpi.set_index("metric").value["offered"]
        assert d[d.in_window].offered.sum() == offered
        assert list(d.in_window) == [False] + [True] * 14
        assert list(d.backlog) == list(i[i.t_end % 1440 == 0].backlog)  # waiting at midnight
    # a day's service level is its own ratio, not a mean of its intervals' ratios
    assert 0 < days.service_level.min() < days.service_level.max() < 1
    assert days.p_abandon.max() > 0


def test_day_and_week_tables_and_plot_are_written(fortnight, tmp_path) -> None:
    written = {p.name for p in sim.write_results(fortnight, tmp_path / "run")}
    assert {"days.csv", "weeks.csv", "days.png"} <= written
    back = pd.read_csv(tmp_path / "run" / "days.csv")
    assert len(back) == len(fortnight.days) and "service_level" in back


def test_a_day_long_run_has_no_day_table() -> None:
    cfg = sim.load_config("mmc", ["replications=1", "progress=false", "keep_records=false"])
    results = sim.run_experiment(cfg)
    assert results.days is None and results.weeks is None


def test_the_progress_bar_counts_days_and_does_not_change_the_run(capsys) -> None:
    assert progress_stops(3 * 1440.0 + 60) == [1440.0, 2880.0, 4320.0, 4380.0]
    assert len(progress_stops(600.0)) == 20
    common = ["horizon=3d", "replications=1", "keep_records=false", "arrival_rate=4", "servers=5"]
    quiet = sim.run_experiment(sim.load_config("mmc", [*common, "progress=false"]))
    shown = sim.run_experiment(sim.load_config("mmc", [*common, "progress=true"]))
    assert "simulated days" in capsys.readouterr().err
    assert quiet.kpis.equals(shown.kpis) and quiet.days.equals(shown.days)


class _Bar:
    """Stands for the tqdm bar: records its total and the updates it gets."""

    def __init__(self, total: float) -> None:
        self.total, self.n = total, 0.0

    def update(self, k: float) -> None:
        self.n += k

    def close(self) -> None:
        pass


@pytest.mark.parametrize("workers", [1, 2])
def test_the_progress_bar_ends_at_its_total_in_its_unit(monkeypatch, workers: int) -> None:
    """Serial and parallel runs update the bar in the same unit (simulated minutes, shown
    in days, hours or minutes by the horizon), so that it ends full, not at 1/1440."""
    assert bar_unit(10.0) == ("minute", 1.0) and bar_unit(600.0) == ("hour", 60.0)
    assert bar_unit(1440.0) == ("day", 1440.0)
    bars: list[_Bar] = []

    def fake(cfg, progress):
        bars.append(_Bar(cfg.horizon * cfg.replications))
        return bars[-1]

    monkeypatch.setattr(runner, "_progress_bar", fake)
    over = ["horizon=600", "replications=2", f"workers={workers}", "arrival_rate=4", "servers=5"]
    sim.run_experiment(sim.load_config("mmc", [*over, "keep_records=false"]), progress=True)
    assert bars[0].n == pytest.approx(bars[0].total) and bars[0].total == 1200.0


def _held_bytes(cfg: sim.Config) -> int:
    """Bytes of the aggregates a replication's sink holds at its end."""
    sink = _Sink(cfg, kinds_and_strata(cfg)[2])
    sink.model = build(cfg, Streams(cfg.seed, 0), sink)
    _simulate(cfg, sink.model, None)
    part = sink.partial
    arrays = [getattr(part, f.name) for f in dataclasses.fields(part)]
    return sum(v.nbytes for a in arrays for v in (a.values() if isinstance(a, dict) else [a]))


SMALL = ["arrival_rate=4", "servers=5", "mean_patience=2", "keep_records=false"]


def test_aggregates_per_day_stay_flat_over_the_horizon() -> None:
    def held(days: int, intervals: bool) -> int:
        over = [f"horizon={days}d", f"intervals={str(intervals).lower()}", *SMALL]
        return _held_bytes(sim.load_config("mmc", over))

    assert held(28, False) < 1.5 * held(7, False)  # the wait histograms, not the days
    assert held(28, True) > 2.5 * held(7, True)  # per interval: grows with the horizon
    assert held(28, False) < held(28, True) / 3


def test_aggregates_per_day_give_the_same_kpis_and_day_tables(fortnight) -> None:
    cfg = dataclasses.replace(fortnight.config, intervals=False, plots=False)
    by_day = sim.run_experiment(cfg)
    assert len(by_day.intervals) == 0
    assert list(by_day.intervals.columns) == list(fortnight.intervals.columns)
    a, b = fortnight.replications, by_day.replications
    assert a[["scope", "metric"]].equals(b[["scope", "metric"]])
    np.testing.assert_allclose(b.value, a.value, rtol=1e-12)
    for full, days in ((fortnight.days, by_day.days), (fortnight.weeks, by_day.weeks)):
        assert full[["scope", "t_start"]].equals(days[["scope", "t_start"]])
        np.testing.assert_allclose(
            days.select_dtypes("number"), full.select_dtypes("number"), rtol=1e-12
        )


def test_day_tables_carry_the_issue_kpis_with_the_outcome_model() -> None:
    over = ["horizon=2d", "replications=1", "progress=false", "keep_records=false"]
    res = sim.run_experiment(sim.load_config("default", [*over, "outcomes=telecom"]))
    days = res.days[res.days.scope == "all"]
    kpi = res.replications.set_index(["scope", "metric"]).value
    assert days[days.in_window].issues.sum() == kpi[("all", "issues")]
    assert days.fcr.between(0, 1).all() and days.satisfaction.between(0, 10).all()
    # each day's own ratio: the days' FCR bracket the run's
    assert days.fcr.min() <= kpi[("all", "fcr")] <= days.fcr.max()
    voice = res.days[res.days.scope == "channel:voice"]
    assert voice.issues.notna().all() and (voice.issues < days.issues.to_numpy()).all()


def test_add_by_slot_skips_rows_outside_the_strata_and_keeps_every_sum_exact():
    """Rows with a negative key add nothing; the others land in (key, interval) and, in
    the window, also in the last slot: the sums of a plain loop over the rows.
    """
    rng = np.random.default_rng(3)
    n, rows, intervals = 5000, 4, 6
    key = rng.integers(-1, rows, n)
    idx, w = rng.integers(0, intervals, n), rng.integers(0, 2, n)
    values = [rng.random(n), None, rng.normal(size=n)]
    values[0][key < 0] = np.nan  # a row outside every stratum must not reach any sum
    target = np.zeros((rows, intervals + 1, 3))
    add_by_slot(target, key, idx, w, values)
    want = np.zeros_like(target)
    for f in (0, 2):
        for i in np.flatnonzero(key >= 0):
            want[key[i], idx[i], f] += values[f][i]
    for f in (0, 2):  # the window slot: the in-window rows, per stratum
        for k in range(rows):
            want[k, intervals, f] = values[f][(key == k) & (w == 1)].sum()
    assert not np.isnan(target).any()
    assert np.allclose(target, want, rtol=1e-12, atol=1e-12)
