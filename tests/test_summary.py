import numpy as np
import pytest

from sim.core.entities import ABANDONED, BLOCKED, SERVED
from sim.metrics.aggregates import HIST_EDGES, Strata, Window, percentile, time_in_intervals
from sim.metrics.kpis import replication_kpis
from sim.metrics.records import RECORD, to_columns
from sim.metrics.reduce import reduce_chunk

NAN = float("nan")


def test_time_in_intervals_matches_brute_force():
    rng = np.random.default_rng(1)
    s = rng.uniform(-5, 100, 3000)
    e = s + rng.exponential(8, 3000) * rng.integers(0, 2, 3000)  # some empty, some long
    win = Window(horizon=97, warmup=13, interval=10, n_groups=1)
    edges = [*list(win.edges), win.warmup, win.horizon]
    grid = np.array(edges)

    def covered(x):
        return np.sum(np.clip(np.minimum(e, x) - np.maximum(s, 0), 0, None))

    g = np.array([covered(x) for x in grid])
    brute = np.append(np.diff(g[: len(win.edges)]), g[-1] - g[-2])
    assert np.allclose(time_in_intervals(s, e, win), brute)


def test_time_in_intervals_and_window():
    win = Window(horizon=10, warmup=2, interval=4, n_groups=1)
    # one segment [1, 9]: intervals [0,4),[4,8),[8,10] get 3, 4, 1; window [2,10] gets 7
    got = time_in_intervals(np.array([1.0]), np.array([9.0]), win)
    assert np.allclose(got, [3, 4, 1, 7])


def test_percentile_from_histogram_is_close_to_exact():
    rng = np.random.default_rng(2)
    w = np.concatenate([np.zeros(3000), rng.exponential(0.5, 7000)])
    b = np.searchsorted(HIST_EDGES, w, side="right")
    slots = np.where(w <= 0, 0, np.minimum(b, len(HIST_EDGES) - 1))
    hist = np.bincount(slots, minlength=len(HIST_EDGES)).astype(float)
    assert percentile(hist, 20) == 0.0
    for p in (50, 90, 95):
        assert percentile(hist, p) == pytest.approx(np.percentile(w, p), rel=0.012)


def _records(rows):
    return to_columns(rows, np.array([0, 0]))


def _strata(thresholds):
    names = {
        "all": ["all"],
        "queue": ["calls"],
        "channel": [],
        "segment": [],
        "reason": [],
        "group": ["agents"],
        "vendor": ["inhouse"],
    }
    empty = np.full(len(thresholds), -1)
    codes = {"channel": empty, "segment": empty, "reason": empty}
    return Strata(names, codes, np.asarray(thresholds, dtype=float), np.array([0]))


def test_kpis_on_hand_made_records():
    # id, issue, queue, kind, t_arrival, t_queue, t_answer, t_end, outcome, agent, info
    rows = [
        (0, 0, 0, 0, 1.0, 1.0, 1.0, 3.0, SERVED, 0, 0),  # wait 0
        (1, 1, 0, 0, 2.0, 2.0, 2.5, 4.0, SERVED, 1, 0),  # wait 0.5 (> threshold 0.4)
        (2, 2, 0, 0, 3.0, 3.0, NAN, 3.2, ABANDONED, -1, 0),  # waited 0.2
        (3, 3, 0, 0, 4.0, 4.0, NAN, 4.0, BLOCKED, -1, 0),
        (4, 4, 0, 0, 0.5, 0.5, 0.5, 1.0, SERVED, 0, 0),  # before warm-up: excluded
    ]
    assert len(rows[0]) == len(RECORD)
    win = Window(horizon=10, warmup=1, interval=5, n_groups=1)
    strata = _strata([0.4])
    part = reduce_chunk(_records(rows), win, strata, end=10)
    staffed = np.array([[10.0, 10.0, 18.0]])
    k = replication_kpis(part, win, strata, staffed, np.zeros_like(staffed))
    v = {(r.scope, r.metric): r.value for r in k.itertuples()}
    assert v["all", "offered"] == 4 and v["all", "blocked"] == 1
    assert v["all", "p_block"] == pytest.approx(1 / 4)
    assert v["all", "p_abandon"] == pytest.approx(1 / 3)
    assert v["all", "p_wait"] == pytest.approx(2 / 3)
    assert v["all", "service_level"] == pytest.approx(1 / 3)
    assert v["all", "mean_wait"] == pytest.approx((0 + 0.5 + 0.2) / 3)
    assert v["all", "asa"] == pytest.approx(0.25)
    assert v["all", "aht"] == pytest.approx((2 + 1.5) / 2)
    # busy time in [1, 10]: 2 + 1.5 (the warm-up contact ends at 1.0)
    assert v["all", "occupancy"] == pytest.approx(3.5 / 18)
    # queue time in [1, 10]: 0.5 + 0.2
    assert v["all", "mean_queue"] == pytest.approx(0.7 / 9)
    assert v["queue:calls", "offered"] == 4
    assert v["group:agents", "served"] == 2


def test_hist_slots_match_a_search_of_the_bin_edges():
    from sim.metrics.reduce import hist_slots

    rng = np.random.default_rng(4)
    w = np.concatenate(
        [np.zeros(5), rng.exponential(1, 200_000), rng.lognormal(0, 4, 200_000), [1e-7, 3e6]]
    )
    b = np.searchsorted(HIST_EDGES, w, side="right")
    ref = np.where(w <= 0, 0, np.minimum(b, len(HIST_EDGES) - 1))
    assert np.array_equal(hist_slots(w), ref)
    # exactly on an edge the logarithm may land one bin low: never further
    assert (
        np.abs(
            hist_slots(HIST_EDGES[1:])
            - np.arange(2, len(HIST_EDGES) + 1).clip(max=len(HIST_EDGES) - 1)
        ).max()
        <= 1
    )
