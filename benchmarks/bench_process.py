"""Whole-process cost: a command as a user feels it, against the plain SimPy script.

Every line is a fresh interpreter started from here (``sys.executable``), run
``--repeats`` times, the commands interleaved; the report gives the median wall
time and the median CPU time (user + system of the child process, from
``getrusage``), so imports, Hydra's composition, the run, Parquet, plots and exit
are all inside. The children write and read Python's bytecode cache as a user's
interpreter does (``PYTHONDONTWRITEBYTECODE`` is dropped from their environment,
and an uncounted trivial run writes the project's cache first): the first run
after a checkout also compiles the project's modules, about 0.1 s of CPU more
(cProfile's ``compile`` time of one such run, 2026-12-04). Lines:

- ``python -c pass`` and ``import sim``: the interpreter, and the package alone;
- the trivial run of ``./dev run scenario=mmc horizon=10 warmup=0 replications=1``;
- 1 M customers of the same M/M/c (50 agents, rho = 0.9: ``horizon`` = customers / 45
  minutes, no warm-up, one replication) run by ``run.py`` as a user would, records,
  tables and Parquet included (the scenario's default: no plots), then with
  ``plots=true``;
- ``benchmarks/naive_simpy.py`` for the same number of customers: a process per
  customer, a ``Resource`` and ``random.expovariate`` draws.

Ratios are naive SimPy's time over ccsim's (above 1: ccsim is faster), per
customer (ccsim's customers are its ``offered`` count, within 0.3 % of the
target). ``--root`` times another checkout of the project with the same
interpreter (a before/after comparison on one machine in one sitting).

Usage: ``./dev bench`` or ``python benchmarks/bench_process.py [--customers N] [--repeats R]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
ARRIVAL_RATE = 45.0  # per minute, as in configs/scenario/mmc.yaml and naive_simpy.py
TRIVIAL = ["scenario=mmc", "horizon=10", "warmup=0", "replications=1"]


@dataclass(frozen=True)
class Timing:
    """Median wall and CPU seconds of a command over its repeats."""

    wall: float
    cpu: float


def child_env() -> dict[str, str]:
    """A user's environment: Python writes and reads its bytecode cache."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run of ``argv`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def label(customers: int) -> str:
    """``1 M``, ``0.2 M``: the size of the big runs in the report."""
    return f"{customers / 1e6:g} M"


def offered(folder: Path) -> int:
    """Customers a run offered (its ``kpis.csv``)."""
    kpis = pd.read_csv(folder / "kpis.csv")
    row = kpis[(kpis.scope == "all") & (kpis.metric == "offered")]
    return round(float(row["mean"].iloc[0]))


def commands(root: Path, customers: int, out: Path) -> dict[str, tuple[list[str], Path | None]]:
    """Each line's command line, and the run folder it writes (None: no folder)."""
    py, run, size = sys.executable, str(root / "run.py"), label(customers)
    big = [*TRIVIAL[:1], f"horizon={customers / ARRIVAL_RATE!r}", *TRIVIAL[2:]]
    naive = [py, str(ROOT / "benchmarks" / "naive_simpy.py"), f"--customers={customers}"]
    return {
        "python -c pass": ([py, "-c", "pass"], None),
        "import sim": ([py, "-c", "import sim"], None),
        "trivial run": ([py, run, *TRIVIAL], out / "trivial"),
        f"ccsim {size}": ([py, run, *big], out / "big"),
        f"ccsim {size}, plots": ([py, run, *big, "plots=true"], out / "big_plots"),
        f"naive SimPy {size}": (naive, None),
    }


def measure(root: Path, customers: int, repeats: int) -> tuple[dict[str, Timing], int]:
    """Median timings of every line, interleaved, and the customers ccsim offered.

    An uncounted trivial run writes the bytecode cache first.
    """
    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    served = customers
    with tempfile.TemporaryDirectory() as tmp:
        lines = commands(root, customers, Path(tmp))
        argv, folder = lines["trivial run"]
        timed([*argv, f"hydra.run.dir={folder}-warm"], root, child_env())
        for k in range(repeats):
            for name, (argv, folder) in lines.items():
                run_dir = None if folder is None else folder.with_name(f"{folder.name}-{k}")
                extra = [] if run_dir is None else [f"hydra.run.dir={run_dir}"]
                wall, cpu = timed([*argv, *extra], root, child_env())
                walls.setdefault(name, []).append(wall)
                cpus.setdefault(name, []).append(cpu)
                if name == f"ccsim {label(customers)}":
                    served = offered(run_dir)
    timings = {n: Timing(statistics.median(walls[n]), statistics.median(cpus[n])) for n in walls}
    return timings, served


def main() -> None:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to time")
    args = parser.parse_args()
    t, served = measure(args.root.resolve(), args.customers, args.repeats)
    naive = t[f"naive SimPy {label(args.customers)}"]
    print(f"whole process, fresh interpreters, median of {args.repeats} ({args.root.resolve()})")
    print(f"{'command':20s} {'wall s':>7s} {'CPU s':>7s} {'x naive (wall)':>15s} {'(CPU)':>6s}")
    for name, tm in t.items():
        n = served if name.startswith("ccsim") else args.customers
        ratio = ""
        if name.startswith(("ccsim", "naive")):
            per = (naive.wall / args.customers) / (tm.wall / n)
            ratio = f"{per:15.2f} {(naive.cpu / args.customers) / (tm.cpu / n):6.2f}"
        print(f"{name:20s} {tm.wall:7.2f} {tm.cpu:7.2f} {ratio}")
    print(f"ccsim offered {served:,} customers, naive SimPy {args.customers:,}")


if __name__ == "__main__":
    main()
