"""Parallel speedup of a sweep on a Dask cluster of 1 and 2 workers, and where its time goes.

The sweep is the ready-made pooling experiment, four of its six values, 10
replications per job as it ships, each of 3 days (it ships with 1): at one
day a replication simulates in about 0.2 s, so a job's own fixed cost (its
plots above all, about 2 s) would be half of it; at 3 days the simulation
outweighs it about 3 to 1, as in a study of a week or more, and the
benchmark still ends in about 3 minutes. Every run is the whole
command as a user types it (``run.py -m experiment=pooling ...``), in a
temporary folder, timed from outside:

- ``serial``: Hydra's basic launcher, every job in the command's own process;
- ``local N``: ``hydra/launcher=cluster cluster.workers=N``, the cluster
  started and stopped by the command (what a user feels on one machine);
- ``existing N``: a scheduler and N workers started beforehand with
  ``dask scheduler`` / ``dask worker --preload sim.cli.warm`` (as on a real
  cluster, docs/cluster.md) and ``cluster.address=`` theirs; not timed: the
  cluster's start;
- ``tiny``: the same sweep with jobs of almost no simulation
  (``horizon=10 replications=1``) on the existing 1-worker cluster.

What follows from them: cluster start-up = local N - existing N (paid once
per command, zero on a cluster that is already up); with
``T(n) = F + W / n`` on the existing cluster, ``F`` (the command's start, the
check of every job, the report) is not spread and ``W`` is; the per-job fixed
cost ``c`` (Hydra's job, the job's folder, its tables and plots) is
``(tiny - F) / jobs``, and ``S = W - jobs * c`` is the simulation. Beyond 2
workers the line is that model, not a measurement: ``T(n) = F + c *
ceil(jobs / n) + S / n`` (a job's fixed cost is not split; its replications
are). Every run's tables must equal the serial run's.

With ``--repeats R`` the whole sequence runs R times (new clusters and new
folders each round: a sweep into a finished folder would skip its jobs) and
the report gives each line's median: the two-point split above doubles the
noise of the 2-worker time, and single runs on this machine move it by a
second.

Usage: ``./dev python benchmarks/bench_cluster.py [--jobs 4] [--replications 10]
[--horizon 4320] [--repeats 1]``
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
VALUES = (0, 2, 4, 10, 1, 3, 5, 6)  # params.flexible, the experiment's values first
TABLES = ("kpis.csv", "replications.csv", "intervals.csv")
DASK = str(Path(sys.executable).with_name("dask"))
QUIET = {**os.environ, "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"}


def sweep(out: Path, jobs: int, size: list[str], where: list[str]) -> float:
    """Wall seconds of the whole sweep command into ``out``."""
    values = ",".join(str(v) for v in VALUES[:jobs])
    cmd = [sys.executable, "run.py", "-m", "experiment=pooling", f"params.flexible={values}"]
    cmd += [*size, *where, f"hydra.sweep.dir={out}"]
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


@contextlib.contextmanager
def existing_cluster(tmp: Path, workers: int) -> Iterator[str]:
    """A scheduler and ``workers`` warm workers started by hand; yields the scheduler's address."""
    from distributed import Client

    file = tmp / f"scheduler-{workers}.json"
    logs = open(tmp / f"cluster-{workers}.log", "w")  # noqa: SIM115

    def start(*args: str) -> subprocess.Popen:
        return subprocess.Popen([DASK, *args], stdout=logs, stderr=subprocess.STDOUT, env=QUIET)

    procs = [start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                   "--scheduler-file", str(file))]  # fmt: skip
    procs += [
        start("worker", "--scheduler-file", str(file), "--nthreads", "1", "--no-dashboard",
              "--resources", "ccsim_job=1", "--preload", "sim.cli.warm",
              "--local-directory", str(tmp / f"w{workers}-{i}"))
        for i in range(workers)
    ]  # fmt: skip
    try:
        while not file.is_file():
            time.sleep(0.1)
        with Client(scheduler_file=str(file), timeout="30s") as client:
            client.wait_for_workers(workers, timeout=120)
            address = client.scheduler.address
        yield address
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        for proc in procs:
            proc.wait(timeout=60)
        logs.close()


def same_tables(a: Path, b: Path, jobs: int) -> bool:
    """Whether every job folder of ``a`` has the tables of the same folder of ``b``."""
    names = sorted(p.name for p in a.iterdir() if (p / "kpis.csv").is_file())
    return len(names) == jobs and all(
        pd.read_csv(a / j / t).equals(pd.read_csv(b / j / t)) for j in names for t in TABLES
    )


def load() -> str:
    """The load averages (1, 5, 15 minutes)."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(tmp: Path, jobs: int, size: list[str]) -> dict[str, float]:
    """Wall seconds of every run; raises if a run's tables differ from the serial run's."""
    times: dict[str, float] = {
        "serial": sweep(tmp / "serial", jobs, size, ["hydra/launcher=basic"])
    }
    cluster = ["hydra/launcher=cluster"]
    for n in (1, 2):
        times[f"local {n}"] = sweep(
            tmp / f"local{n}", jobs, size, [*cluster, f"cluster.workers={n}"]
        )
        with existing_cluster(tmp, n) as address:
            where = [*cluster, f"cluster.address={address}"]
            times[f"existing {n}"] = sweep(tmp / f"existing{n}", jobs, size, where)
            if n == 1:
                tiny = ["warmup=0", "horizon=10", "replications=1"]
                times["tiny"] = sweep(tmp / "tiny", jobs, tiny, where)
    for run in ("local1", "local2", "existing1", "existing2"):
        if not same_tables(tmp / "serial", tmp / run, jobs):
            raise SystemExit(f"{run}: tables differ from the serial run's")
    return times


def main() -> None:
    """Run the sweep serially and on 1 and 2 workers; print the split of its time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=4, choices=range(1, len(VALUES) + 1))
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--horizon", type=int, default=4320)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    size = [f"replications={args.replications}", f"horizon={args.horizon}"]
    before = load()
    rounds = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):  # new folders each round: never a resumed sweep
            (Path(tmp) / f"round{r}").mkdir()
            rounds.append(measure(Path(tmp) / f"round{r}", args.jobs, size))
    t = {k: statistics.median(x[k] for x in rounds) for k in rounds[0]}
    work = 2 * (t["existing 1"] - t["existing 2"])
    fixed = t["existing 1"] - work
    per_job = (t["tiny"] - fixed) / args.jobs
    sim = work - args.jobs * per_job
    print(
        f"{args.jobs}-job pooling sweep ({args.replications} replications of {args.horizon} min "
        f"per job), tables identical to serial: yes; median of {args.repeats} rounds; "
        f"load average before {before}, after {load()}"
    )
    print(
        f"  serial (one process) {t['serial']:.1f} s; local cluster started by the command: "
        f"1 worker {t['local 1']:.1f} s, 2 workers {t['local 2']:.1f} s, speedup "
        f"{t['local 1'] / t['local 2']:.2f}x ({t['serial'] / t['local 2']:.2f}x against serial)"
    )
    print(
        f"  existing cluster: 1 worker {t['existing 1']:.1f} s, 2 workers {t['existing 2']:.1f} s, "
        f"speedup {t['existing 1'] / t['existing 2']:.2f}x; cluster start-up "
        f"{t['local 1'] - t['existing 1']:.1f} s (1 worker), "
        f"{t['local 2'] - t['existing 2']:.1f} s (2 workers)"
    )
    print(
        f"  T(n) = F + W/n: F = {fixed:.1f} s not spread, W = {work:.1f} s spread = "
        f"{args.jobs} jobs x {per_job:.2f} s fixed per job (tiny sweep {t['tiny']:.1f} s) "
        f"+ {sim:.1f} s simulation"
    )
    if min(fixed, per_job, sim) < 0:
        print(
            "  expected on an existing cluster: not projected, the two-point split has a "
            "negative part (timing noise larger than the parts: rerun on a quiet machine)"
        )
        return
    model = ", ".join(
        f"{n} workers {fixed + per_job * math.ceil(args.jobs / n) + sim / n:.1f} s"
        for n in (4, 8, 16)
    )
    print(f"  expected on an existing cluster (model, not measured): {model}")


if __name__ == "__main__":
    main()
