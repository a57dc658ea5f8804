"""M/M/c as a SimPy user writes it: a process per customer, a ``Resource``, ``random`` draws.

The whole-process baseline of ``benchmarks/bench_process.py``: the same queue as the
engine benchmarks (50 agents, 45 arrivals per minute, 1 min mean handle time, so
rho = 0.9), timed from the shell like ``./dev run``. It imports nothing but SimPy
and the standard library, draws with ``random.expovariate`` (the textbook idiom; numpy
scalar draws are slower and would flatter the ratio) and prints the number of
customers served and their mean wait.

Usage: ``python benchmarks/naive_simpy.py [--customers N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import random

import simpy

ARRIVAL_RATE, MEAN_SERVICE, AGENTS = 45.0, 1.0, 50


def simulate(customers: int, seed: int) -> tuple[int, float]:
    """Run ``customers`` arrivals to the end; return (customers served, mean wait in min)."""
    rng = random.Random(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    waits: list[float] = []

    def customer(service: float):
        arrived = env.now
        with agents.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(service)

    def arrivals():
        for _ in range(customers):
            yield env.timeout(rng.expovariate(ARRIVAL_RATE))
            env.process(customer(rng.expovariate(1.0 / MEAN_SERVICE)))

    env.process(arrivals())
    env.run()
    return len(waits), sum(waits) / len(waits)


def main() -> None:
    """Parse the arguments, simulate, print one line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    served, mean_wait = simulate(args.customers, args.seed)
    print(f"served {served} customers, mean wait {60 * mean_wait:.2f} s")


if __name__ == "__main__":
    main()
