"""benchmarks/bench_year.py counts what a replication records."""

import dataclasses

from benchmarks.bench_year import scenario, simulate_legs
from sim.runner import run_replication


def test_simulated_legs_are_the_records_of_the_same_replication():
    cfg = scenario(0.5)
    kept = dataclasses.replace(cfg, keep_records=True)
    legs = simulate_legs(cfg)
    assert legs > 5000
    assert legs == len(run_replication(kept, 0).contacts)
