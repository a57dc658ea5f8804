"""What each part of PosteMobile's per-leg cost is worth: the scenario with one part made free.

Not a model and not a speed-up: an upper bound on what removing, deferring or
compiling one part of the hot path could gain, measured before anyone builds it.
Each line runs PosteMobile (``--days`` days, simulated and recorded as
``benchmarks/bench_year.py`` does) in a fresh interpreter with one part replaced
by a no-op, and times naive SimPy (``benchmarks/naive_simpy.py``, 100,000
customers) in the same process; the rounds are interleaved and the report gives
median CPU microseconds per leg and the ratio to naive SimPy's per customer.

- ``full``: the model as it is;
- ``no scoring``: :meth:`sim.outcomes.satisfaction.Scorer.score` returns a fixed
  row (no churn, so the base does not shrink: a few legs differ);
- ``no case end``: :meth:`sim.outcomes.resolution.OutcomeModel._end` only forgets
  the case (no score, no case row);
- ``no contact log``: :meth:`sim.metrics.records.ContactLog.record` only counts;
- ``no outcome model``: every leg goes straight to the contact log (no
  resolution, no returns: about a fifth fewer legs, of a different mix, so
  this line bounds the per-leg cost of the outcome model and the returns it
  makes together).

Usage: ``./dev python benchmarks/bench_ceilings.py [--days 2] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAIVE_CUSTOMERS = 100_000
MODES = ("full", "no scoring", "no case end", "no contact log", "no outcome model")


def knock_out(mode: str) -> None:
    """Replace the part ``mode`` names by a no-op, in this process only."""
    from sim.metrics.records import ContactLog
    from sim.outcomes.resolution import OutcomeModel
    from sim.outcomes.satisfaction import Scorer

    nan = math.nan
    fixed = (5.0, 0.0, 0, 0, nan, nan, nan, nan, nan, 0)
    if mode == "no scoring":
        Scorer.score = lambda self, case, resolved, info, noise: fixed
    elif mode == "no case end":
        OutcomeModel._end = lambda self, c, case, resolved, t_end: self.live.pop(case.id, None)
    elif mode == "no contact log":

        def count(self, c, outcome, t_end):
            self.count += 1

        ContactLog.record = count
        ContactLog.flush = lambda self: None
    elif mode == "no outcome model":
        OutcomeModel.record = lambda self, c, outcome, t_end: self.record_contact(c, outcome, t_end)
    elif mode != "full":
        raise ValueError(f"mode {mode!r}: not one of {', '.join(MODES)}")


def child(mode: str, days: float) -> None:
    """One round of one mode: print legs, CPU us per leg, naive SimPy's CPU us per customer."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.bench_year import scenario, simulate_legs
    from benchmarks.naive_simpy import simulate as naive

    knock_out(mode)
    cfg = scenario(days)
    start = time.process_time()
    legs = simulate_legs(cfg)
    per_leg = (time.process_time() - start) / legs
    start = time.process_time()
    naive(NAIVE_CUSTOMERS, 1)
    per_customer = (time.process_time() - start) / NAIVE_CUSTOMERS
    print(legs, per_leg * 1e6, per_customer * 1e6)


def run(mode: str, days: float) -> tuple[int, float, float]:
    """One round of ``mode`` in a fresh interpreter."""
    argv = [sys.executable, __file__, "--child", mode, "--days", repr(days)]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    legs, per_leg, per_customer = done.stdout.split()
    return int(legs), float(per_leg), float(per_customer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.days)
        return
    seen: dict[str, list[tuple[int, float, float]]] = {m: [] for m in MODES}
    for _ in range(args.rounds):
        for mode in MODES:
            seen[mode].append(run(mode, args.days))
    print(f"PosteMobile, {args.days:g} days, CPU, median of {args.rounds} interleaved rounds")
    print(f"{'line':18s} {'legs':>8s} {'us/leg':>7s} {'naive us':>9s} {'x naive':>8s}")
    for mode in MODES:
        legs = seen[mode][0][0]
        per_leg = statistics.median(r[1] for r in seen[mode])
        naive = statistics.median(r[2] for r in seen[mode])
        ratio = statistics.median(r[2] / r[1] for r in seen[mode])
        print(f"{mode:18s} {legs:8,d} {per_leg:7.2f} {naive:9.2f} {ratio:8.2f}")


if __name__ == "__main__":
    main()
