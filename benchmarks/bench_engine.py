"""Speed and memory of the core engine, side by side with plain SimPy patterns.

All engines simulate the same M/M/c: 50 agents, rho = 0.9 (45 arrivals per
minute, 1 min mean handle time), 200,000 customers. Engines run interleaved,
``--repeats`` times each, in one process; the report gives medians and the
ratio to the naive SimPy pattern measured in this same run.

- ``simpy_naive``: one process per customer + ``simpy.Resource`` (the textbook pattern);
- ``simpy_callbacks``: event callbacks + deque, waits only (the fast floor);
- ``ccsim_run``: our model, building it, simulating and recording every contact (a plain
  textbook queue: the express loop of :mod:`sim.express`);
- ``ccsim_run_simpy``: the same with ``engine=simpy`` (SimPy's loop and the general router);
- ``ccsim_full``: ``run_replication``: the above plus KPI and interval tables;
- ``ccsim_abandon``: ``ccsim_full`` with exponential patience (mean 2 min).

Memory: peak RSS of ``run_replication`` in fresh processes for growing
horizons, with records kept and with aggregates only (``keep_records=false``).

Usage: ``./dev bench`` or ``python benchmarks/bench_engine.py [--customers N] [--repeats R]``.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import simpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.config import AgentGroupConfig, ArrivalConfig, Config, DistributionConfig, QueueConfig
from sim.core.rng import Streams
from sim.model import build
from sim.runner import gc_paused, run_replication

LAM, MEAN, AGENTS = 45.0, 1.0, 50


def simpy_naive(n: int, seed: int = 1) -> float:
    """One SimPy process per customer and a Resource; returns the mean wait."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    waits: list[float] = []

    def customer(service: float):
        arrived = env.now
        with agents.request() as req:
            yield req
            waits.append(env.now - arrived)
            yield env.timeout(service)

    def source():
        for _ in range(n):
            yield env.timeout(rng.exponential(1 / LAM))
            env.process(customer(rng.exponential(MEAN)))

    env.process(source())
    env.run()
    return float(np.mean(waits))


def simpy_callbacks(n: int, seed: int = 1) -> float:
    """Callbacks and a deque, no process per customer; records waits only."""
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    gaps = iter(rng.exponential(1 / LAM, n).tolist())
    services = iter(rng.exponential(MEAN, n).tolist())
    queue: collections.deque = collections.deque()
    waits: list[float] = []
    free = [AGENTS]

    def done(_event):
        if queue:
            arrived, service = queue.popleft()
            waits.append(env.now - arrived)
            env.timeout(service).callbacks.append(done)
        else:
            free[0] += 1

    def arrive(_event):
        service = next(services)
        if free[0]:
            free[0] -= 1
            waits.append(0.0)
            env.timeout(service).callbacks.append(done)
        else:
            queue.append((env.now, service))
        gap = next(gaps, None)
        if gap is not None:
            env.timeout(gap).callbacks.append(arrive)

    env.timeout(next(gaps)).callbacks.append(arrive)
    env.run()
    return float(np.mean(waits))


def mmc_config(
    n: int, patience: float | None = None, keep: bool = True, engine: str = "auto"
) -> Config:
    """Our M/M/c with about ``n`` customers (``engine=simpy``: never the express loop)."""
    pat = None if patience is None else DistributionConfig(mean=patience)
    q = QueueConfig(
        arrival=ArrivalConfig(rate=LAM), service=DistributionConfig(mean=MEAN), patience=pat
    )
    return Config(
        horizon=n / LAM,
        replications=1,
        progress=False,
        plots=False,
        keep_records=keep,
        engine=engine,
        queues={"calls": q},
        agents={"agents": AgentGroupConfig(count=AGENTS)},
    )


def ccsim_run(n: int, engine: str = "auto") -> int:
    """Build, simulate and record (no KPI tables); returns contacts recorded."""
    chunks: list = []
    model = build(mmc_config(n, engine=engine), Streams(1, 0), chunks.append)
    with gc_paused():
        if model.express is None:
            model.env.run()
        else:  # the same events in the one-queue loop (sim.express)
            model.express.drain(None)
        model.router.close_all()
        model.log.flush()
    return model.log.count


def ccsim_full(n: int, patience: float | None = None) -> int:
    """run_replication with KPI tables; returns contacts offered."""
    res = run_replication(mmc_config(n, patience), 0)
    k = res.kpis
    return int(k[(k.scope == "all") & (k.metric == "offered")]["value"].iloc[0])


def speed(n: int, repeats: int) -> dict[str, float]:
    """Median customers per second of each engine, interleaved."""
    engines = {
        "simpy_naive": lambda: simpy_naive(n),
        "simpy_callbacks": lambda: simpy_callbacks(n),
        "ccsim_run": lambda: ccsim_run(n),
        "ccsim_run_simpy": lambda: ccsim_run(n, "simpy"),
        "ccsim_full": lambda: ccsim_full(n),
        "ccsim_abandon": lambda: ccsim_full(n, patience=2.0),
    }
    times: dict[str, list[float]] = {k: [] for k in engines}
    for _ in range(repeats):
        for name, fn in engines.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {k: n / statistics.median(v) for k, v in times.items()}


MEMORY_PROBE = """
import resource, sys, json
sys.path.insert(0, {root!r})
from benchmarks.bench_engine import mmc_config
from sim.runner import run_replication
cfg = mmc_config({n}, keep={keep})
run_replication(cfg, 0)
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
"""


def peak_rss_mb(n: int, keep: bool) -> float:
    """Peak resident memory (MB) of one replication in a fresh process."""
    code = MEMORY_PROBE.format(root=str(Path(__file__).resolve().parents[1]), n=n, keep=keep)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--memory", type=int, nargs="*", default=[200_000, 800_000, 3_200_000])
    args = parser.parse_args()
    rates = speed(args.customers, args.repeats)
    base = rates["simpy_naive"]
    print(f"M/M/c, c={AGENTS}, rho=0.9, {args.customers:,} customers, median of {args.repeats}")
    print(f"{'engine':18s} {'customers/s':>12s} {'x naive':>8s}")
    for name, rate in rates.items():
        print(f"{name:18s} {rate:12,.0f} {rate / base:8.2f}")
    extra = rates["ccsim_full"] / rates["ccsim_abandon"] - 1
    print(f"abandonment costs {100 * extra:+.1f} % time per customer")
    if args.memory:
        print("peak RSS (MB) by customers:  records kept | aggregates only")
        for n in args.memory:
            print(f"{n:>12,d} {peak_rss_mb(n, True):12.0f} {peak_rss_mb(n, False):16.0f}")


if __name__ == "__main__":
    main()
