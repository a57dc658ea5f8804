import numpy as np
import pytest

from sim.entities import ABANDONED, BLOCKED, SERVED
from sim.kpis import replication_kpis
from sim.metrics import RECORD, to_columns
from sim.summary import HIST_EDGES, Window, percentile, reduce_chunk, time_in_intervals

NAN = float("nan")


def test_time_in_intervals_matches_brute_force():
    rng = np.random.default_rng(1)
    s = rng.uniform(-5, 100, 3000)
    e = s + rng.exponential(8, 3000) * rng.integers(0, 2, 3000)  # some empty, some long
    win = Window(horizon=97, warmup=13, interval=10, thresholds=(0.5,), n_groups=1)
    edges = [*list(win.edges), win.warmup, win.horizon]
    grid = np.array(edges)

    def covered(x):
        return np.sum(np.clip(np.minimum(e, x) - np.maximum(s, 0), 0, None))

    g = np.array([covered(x) for x in grid])
    brute = np.append(np.diff(g[: len(win.edges)]), g[-1] - g[-2])
    assert np.allclose(time_in_intervals(s, e, win), brute)


def test_time_in_intervals_and_window():
    win = Window(horizon=10, warmup=2, interval=4, thresholds=(0.5,), n_groups=1)
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


def test_kpis_on_hand_made_records():
    # id, queue, t_arrival, t_queue, t_answer, t_end, outcome, agent
    rows = [
        (0, 0, 1.0, 1.0, 1.0, 3.0, SERVED, 0),  # wait 0
        (1, 0, 2.0, 2.0, 2.5, 4.0, SERVED, 1),  # wait 0.5 (> threshold 0.4)
        (2, 0, 3.0, 3.0, NAN, 3.2, ABANDONED, -1),  # waited 0.2
        (3, 0, 4.0, 4.0, NAN, 4.0, BLOCKED, -1),
        (4, 0, 0.5, 0.5, 0.5, 1.0, SERVED, 0),  # before warm-up: excluded
    ]
    assert len(rows[0]) == len(RECORD)
    win = Window(horizon=10, warmup=1, interval=5, thresholds=(0.4,), n_groups=1)
    part = reduce_chunk(_records(rows), win, end=10)
    staffed = np.array([[10.0, 10.0, 18.0]])
    k = replication_kpis(part, win, staffed, ["calls"], ["agents"])
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
    assert v["calls", "offered"] == 4
    assert v["group:agents", "served"] == 2
