"""Parallel speedup of a 4-job sweep on a local Dask cluster of 1 and 2 workers.

The whole command as a user runs it (``run.py -m experiment=pooling ...
hydra/launcher=cluster cluster.workers=N``, into a temporary folder): the
cluster's start, the jobs and their replications as tasks, the report. From
the wall times ``T1`` and ``T2`` the fixed part ``F`` (start-up, the report,
everything not spread) and the spread work ``W`` follow from
``T(n) = F + W / n``; the line beyond 2 workers is that model, not a
measurement. The two runs' tables are compared too (they must be identical).

Usage: ``./dev python benchmarks/bench_cluster.py [--replications 4] [--horizon 480]``
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
JOBS = "params.flexible=0,2,4,10"
TABLES = ("kpis.csv", "replications.csv", "intervals.csv")


def sweep(out: Path, workers: int, replications: int, horizon: int) -> float:
    """Wall seconds of the 4-job sweep on a local cluster of ``workers`` workers."""
    cmd = [sys.executable, "run.py", "-m", "experiment=pooling", JOBS, "warmup=0"]
    cmd += [f"replications={replications}", f"horizon={horizon}", "hydra/launcher=cluster"]
    cmd += [f"cluster.workers={workers}", f"hydra.sweep.dir={out}"]
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def same_tables(a: Path, b: Path) -> bool:
    """Whether every job folder of ``a`` has the tables of the same folder of ``b``."""
    jobs = sorted(p.name for p in a.iterdir() if (p / "kpis.csv").is_file())
    return len(jobs) == 4 and all(
        pd.read_csv(a / j / t).equals(pd.read_csv(b / j / t)) for j in jobs for t in TABLES
    )


def main() -> None:
    """Run the sweep with 1 and 2 workers and print the speedup."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--horizon", type=int, default=480)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one, two = Path(tmp, "w1"), Path(tmp, "w2")
        t1 = sweep(one, 1, args.replications, args.horizon)
        t2 = sweep(two, 2, args.replications, args.horizon)
        same = same_tables(one, two)
    work = 2 * (t1 - t2)
    fixed = t1 - work
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"4-job sweep ({args.replications} replications, horizon {args.horizon} min) on a local "
        f"Dask cluster: 1 worker {t1:.1f} s, 2 workers {t2:.1f} s, speedup {t1 / t2:.2f}x; "
        f"tables identical: {'yes' if same else 'NO'}; load average {load}"
    )
    model = ", ".join(f"{n} workers {fixed + work / n:.1f} s" for n in (4, 8, 16))
    print(f"  T(n) = F + W/n with F = {fixed:.1f} s fixed, W = {work:.1f} s spread: {model}")


if __name__ == "__main__":
    main()
