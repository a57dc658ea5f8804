"""Honest output at the edges: no steady state, waits beyond any range, many replications."""

from __future__ import annotations

import concurrent.futures as cf
import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import sim.runner as runner
from sim import load_config, run_experiment
from sim.metrics.aggregates import HIST_EDGES, HIST_SLOTS, percentile
from sim.metrics.reduce import hist_slots
from sim.runner import StabilityWarning

ROOT = Path(__file__).resolve().parents[1]
SHORT = ["replications=2", "horizon=120", "warmup=0", "plots=false", "progress=false"]


def test_an_overloaded_queue_without_abandonment_warns_with_its_load_and_agents():
    cfg = load_config("mmc", [*SHORT, "servers=40"])
    with pytest.warns(StabilityWarning) as caught:
        res = run_experiment(cfg)
    (message,) = [str(w.message) for w in caught]
    assert message.startswith("queue calls: offered load 45 erlangs reaches the 40 agents")
    assert "rho = 1.12" in message and res.warnings == [message]


@pytest.mark.parametrize(
    "overrides",
    [["servers=50"], ["servers=40", "mean_patience=2"], ["servers=40", "capacity=60"]],
    ids=["stable", "callers abandon", "calls are blocked"],
)
def test_no_warning_when_a_steady_state_exists(overrides):
    scenario = "mmc" if len(overrides) == 1 else "mmc_abandon" if "mean" in overrides[1] else "mmck"
    with warnings.catch_warnings():
        warnings.simplefilter("error", StabilityWarning)
        assert run_experiment(load_config(scenario, [*SHORT, *overrides])).warnings == []


def test_the_command_line_prints_the_warning_as_one_line(tmp_path):
    p = subprocess.run(
        [sys.executable, "run.py", "scenario=mmc", "servers=45", *SHORT,
         f"hydra.run.dir={tmp_path / 'r'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    lines = [ln for ln in p.stderr.splitlines() if ln.startswith("warning:")]
    assert lines == [
        "warning: queue calls: offered load 45 erlangs reaches the 45 agents who serve it "
        "(rho = 1) and nobody abandons or is blocked: the line grows without bound, so waits "
        "depend on the run length"
    ]


def test_wait_percentiles_are_not_clipped_when_waits_run_to_months():
    # one agent, twice the work it can do: waits grow to about 5 months by the end
    cfg = load_config(
        "mmc",
        ["arrival_rate=1", "mean_service=2", "servers=1", "replications=1", "horizon=400000",
         "warmup=0", "interval=10000", "plots=false", "progress=false"],
    )  # fmt: skip
    with pytest.warns(StabilityWarning):
        res = run_experiment(cfg)
    c = res.contacts
    waits = (c.t_answer - c.t_queue).to_numpy()
    assert np.nanmax(waits) > 1.5e5  # beyond the old 100,000-minute histogram
    k = res.kpis.set_index(["scope", "metric"])["mean"]
    for p in (50, 90, 95):
        assert k[("all", f"wait_p{p}")] == pytest.approx(np.nanpercentile(waits, p), rel=0.012)
    assert k[("all", "wait_p90")] > k[("all", "mean_wait")]


def test_waits_beyond_the_histogram_range_go_to_an_open_bin_ending_at_the_longest():
    waits = np.array([0.0, 5.0, 2e9, 4e9, 8e9])
    slots = hist_slots(waits)
    assert slots[0] == 0 and list(slots[2:]) == [HIST_SLOTS - 1] * 3
    hist = np.bincount(slots, minlength=HIST_SLOTS).astype(float)
    assert percentile(hist, 100, longest=8e9) == 8e9
    top = percentile(hist, 90, longest=8e9)
    assert HIST_EDGES[-1] < top <= 8e9
    assert math.isnan(percentile(np.zeros(HIST_SLOTS), 50))


class CountingPool:
    """A process pool stand-in that runs each job at once and counts jobs in flight."""

    most = 0

    def __init__(self, max_workers, **_):
        self.pending = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, fn, *args, **kwargs):
        future = cf.Future()
        future.set_result(fn(*args, **kwargs))
        self.pending += 1
        CountingPool.most = max(CountingPool.most, self.pending)
        future.add_done_callback(lambda _f: None)
        return future


def test_parallel_replications_are_submitted_in_bounded_batches(monkeypatch):
    cfg = load_config("mmc", ["replications=12", "horizon=30", "warmup=0", "workers=2",
                              "plots=false", "progress=false", "keep_records=false"])  # fmt: skip
    pools: list[CountingPool] = []

    def pool(**kw):
        pools.append(CountingPool(**kw))
        return pools[-1]

    real_wait = cf.wait

    def wait(futures, return_when):
        done, rest = real_wait(futures, return_when=return_when)
        pools[-1].pending -= len(done)
        return done, rest

    monkeypatch.setattr(runner.cf, "ProcessPoolExecutor", pool)
    monkeypatch.setattr(runner.cf, "wait", wait)
    parallel = run_experiment(cfg)
    assert CountingPool.most <= runner.IN_FLIGHT * cfg.workers
    cfg.workers = 1
    serial = run_experiment(cfg)
    assert parallel.replications.equals(serial.replications)
