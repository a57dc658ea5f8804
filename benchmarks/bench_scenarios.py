"""Contacts per second of named scenarios, beside the single-queue engine in the same run.

For each scenario: one replication (``run_replication``, records kept, KPI
tables included), ``--repeats`` times; the median wall time gives contacts per
second, where contacts are every record leg (self-served, switched and
transferred legs included). The M/M/c engine benchmark (50 agents, rho = 0.9)
runs in the same process for the ratio.

Usage: ``./dev python benchmarks/bench_scenarios.py [postemobile default ...]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_engine import mmc_config
from sim import load_config
from sim.runner import run_replication


def measure(cfg, repeats: int) -> tuple[float, int]:
    """Median seconds of one replication and the contact records it made."""
    times, n = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        res = run_replication(cfg, 0)
        times.append(time.perf_counter() - start)
        n = len(res.contacts)
    return statistics.median(times), n


def main() -> None:
    """Run and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=["postemobile", "multiskill", "default"])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    base_t, base_n = measure(mmc_config(200_000), args.repeats)
    base = base_n / base_t
    print(f"{'scenario':14s} {'contacts':>10s} {'seconds':>8s} {'contacts/s':>11s} {'x M/M/c':>8s}")
    print(f"{'mmc (c=50)':14s} {base_n:10,d} {base_t:8.2f} {base:11,.0f} {1.0:8.2f}")
    for name in args.scenarios:
        cfg = load_config(
            name, ["replications=1", "progress=false", "plots=false", "keep_records=true"]
        )
        t, n = measure(cfg, args.repeats)
        print(f"{name:14s} {n:10,d} {t:8.2f} {n / t:11,.0f} {n / t / base:8.2f}")


if __name__ == "__main__":
    main()
