"""A year of PosteMobile: contact legs per second against naive SimPy in the same run.

Two engines, interleaved, ``--repeats`` times each, in one process:

- ``naive SimPy``: ``benchmarks/naive_simpy.py`` (a process per customer, a
  ``Resource``, ``random.expovariate`` draws) for ``--customers`` customers;
- ``postemobile``: the scenario over ``--days`` days, built and simulated as
  ``run_replication`` does (drain included, every leg recorded and turned into
  numpy columns, which are then dropped: no reduction, no tables), then the
  same replication by ``run_replication`` itself (``keep_records=false``:
  reduction and all tables included; same seed, so the same legs).

Legs are every record (served, self-served, switched, transferred, blocked...).
The report gives median legs per second, by wall time and by CPU time of the
process (steadier when other jobs load the machine), their ratios to naive
SimPy's customers per second, and the year's wall time: measured when
``--days 365``, else projected from the rate (use a multiple of 7 days: demand
has a weekly profile).

Usage: ``./dev python benchmarks/bench_year.py [--days 7] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.naive_simpy import simulate as naive_simpy
from sim import load_config
from sim.config import Config
from sim.core.rng import Streams
from sim.model import build
from sim.runner import gc_paused, run_replication

YEAR_DAYS = 365


def scenario(days: float) -> Config:
    """PosteMobile over ``days`` days, one replication, aggregates only."""
    over = [f"horizon={1440.0 * days!r}", "replications=1", "progress=false", "plots=false"]
    return load_config("postemobile", [*over, "keep_records=false"])


def simulate_legs(cfg: Config) -> int:
    """Build, simulate (arrivals to the horizon, then the drain) and record; legs recorded."""
    model = build(cfg, Streams(cfg.seed, 0), lambda _cols: None, lambda _rows: None)
    env, router = model.env, model.router
    with gc_paused():
        env.run(until=cfg.horizon)
        if cfg.drain and not router.drained.triggered:
            until = router.drained
            if cfg.drain_limit is not None:
                until = until | env.timeout(cfg.drain_limit)
            env.run(until=until)
        model.front.close_all()
        router.close_all()
        model.outcomes.close_open()
        model.log.flush()
    return model.log.count


def timed(fn) -> tuple[float, float, object]:
    """Wall and CPU seconds of one call of ``fn``, and its value."""
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - start, time.process_time() - cpu, value


def measure(days: float, customers: int, repeats: int) -> tuple[dict[str, tuple], int]:
    """Median (wall, CPU) seconds of each line, interleaved, and the legs of the scenario."""
    cfg = scenario(days)
    runs = {
        "naive SimPy": lambda: naive_simpy(customers, 1),
        "postemobile, simulate": lambda: simulate_legs(cfg),
        "postemobile, replication": lambda: run_replication(cfg, 0),
    }
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in runs}
    legs = 0
    for _ in range(repeats):
        for name, fn in runs.items():
            wall, cpu, value = timed(fn)
            times[name].append((wall, cpu))
            if name == "postemobile, simulate":
                legs = int(value)
    medians = {
        k: tuple(statistics.median(x[i] for x in v) for i in (0, 1)) for k, v in times.items()
    }
    return medians, legs


def main() -> None:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    t, legs = measure(args.days, args.customers, args.repeats)
    naive = [args.customers / s for s in t["naive SimPy"]]
    year = "measured" if args.days == YEAR_DAYS else "projected"
    print(f"PosteMobile, {args.days:g} days ({legs:,} legs), median of {args.repeats}")
    print(f"{'line':26s} {'wall s':>7s} {'per s':>8s} {'x naive':>7s} {'CPU s':>7s}", end="")
    print(f" {'per s':>8s} {'x naive':>7s} {'year s':>7s}")
    for name, (wall, cpu) in t.items():
        n = args.customers if name == "naive SimPy" else legs
        print(f"{name:26s} {wall:7.2f} {n / wall:8,.0f} {n / wall / naive[0]:7.2f}", end="")
        print(f" {cpu:7.2f} {n / cpu:8,.0f} {n / cpu / naive[1]:7.2f}", end="")
        print("" if name == "naive SimPy" else f" {wall * YEAR_DAYS / args.days:7.0f}")
    print(f"year s: wall, {year} ({YEAR_DAYS} days); per s: legs (naive SimPy: customers)")


if __name__ == "__main__":
    main()
