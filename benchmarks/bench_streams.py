"""The cost of the streams that pickle without ``itertools`` (what Python 3.14 runs).

``sim.core.streams`` builds the draw streams, arrival instants and ids from
``itertools`` where this Python pickles them, else from iterator classes of
its own (same items). This switches ``streams.NATIVE`` on this Python and
times one replication of each scenario with either kind, interleaved,
``--repeats`` times, by CPU time of the process (``keep_records=false``:
aggregates and tables). The report gives medians and the ratio; the tables are
checked equal on the way.

Usage: ``./dev python benchmarks/bench_streams.py [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sim import load_config
from sim.core import streams
from sim.runner import run_replication

CASES = {"postemobile, 2 days": ("postemobile", "2d"), "M/M/c, 200,000 customers": ("mmc", "4444")}


def timed(cfg, native: bool) -> tuple[float, object]:
    """CPU seconds of one replication with the given kind of streams, and its KPIs."""
    streams.NATIVE = native
    start = time.process_time()
    result = run_replication(cfg, 0)
    return time.process_time() - start, result.kpis


def main() -> None:
    """Time every case and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    native = streams.NATIVE
    print(f"itertools pickles on this Python: {native}")
    print(f"{'case':<28} {'itertools s':>12} {'own s':>8} {'own / itertools':>16}")
    for name, (scenario, horizon) in CASES.items():
        over = ["replications=1", "progress=false", "plots=false", "keep_records=false"]
        cfg = load_config(scenario, [*over, f"horizon={horizon}"])
        times: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.repeats):
            a, kpis_a = timed(cfg, True)
            b, kpis_b = timed(cfg, False)
            if not kpis_a.equals(kpis_b):
                raise AssertionError(f"{name}: the two kinds of streams gave different KPIs")
            times[True].append(a)
            times[False].append(b)
        t_it, t_own = statistics.median(times[True]), statistics.median(times[False])
        print(f"{name:<28} {t_it:>12.3f} {t_own:>8.3f} {t_own / t_it:>16.3f}")
    streams.NATIVE = native


if __name__ == "__main__":
    main()
