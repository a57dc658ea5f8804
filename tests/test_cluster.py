"""Dask clusters, as a user runs them.

A cluster started for the run (``cluster.address=local``): ``cluster.workers`` is
its number of worker processes, for a run and for a sweep, and none of them outlives
the run, whether it ends or a replication raises on a worker. A cluster started here
as on real nodes (``dask scheduler``, two ``dask worker`` processes): a sweep's jobs and
their replications, and one job's replications, run as its tasks, give the tables of a
serial run, on workers that stay up and keep their imports between tasks.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from sim.core.cluster import JOB_RESOURCE  # noqa: E402
from sim.study.folders import MANIFEST  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DASK = str(Path(sys.executable).with_name("dask"))
SWEEP = ["replications=3", "horizon=120", "warmup=0", "params.flexible=0,2,10"]
RUN = ["scenario=mmc", "replications=4", "horizon=120", "warmup=0", "plots=false"]
TABLES = ("kpis.csv", "replications.csv", "intervals.csv")
# the workers' statistical profiler off, as docs/cluster.md asks of a cluster's workers
QUIET = {**os.environ, "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False"}


def run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "run.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout + done.stderr


def start(tmp: Path, *args: str) -> subprocess.Popen:
    log = open(tmp / f"{args[0]}-{time.monotonic_ns()}.log", "w")  # noqa: SIM115
    return subprocess.Popen([DASK, *args], cwd=tmp, stdout=log, stderr=subprocess.STDOUT, env=QUIET)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A head node (scheduler) and two single-threaded workers, each a process of its own."""
    tmp = tmp_path_factory.mktemp("cluster")
    file = str(tmp / "scheduler.json")
    head = start(tmp, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                 "--scheduler-file", file)  # fmt: skip
    workers = [
        start(tmp, "worker", "--scheduler-file", file, "--nthreads", "1", "--no-dashboard",
              "--resources", f"{JOB_RESOURCE}=1", "--local-directory", str(tmp / f"w{i}"))
        for i in range(2)
    ]  # fmt: skip
    try:
        for _ in range(300):
            if Path(file).is_file():
                break
            time.sleep(0.1)
        client = distributed.Client(scheduler_file=file, timeout="30s")
        client.wait_for_workers(2, timeout=60)
        yield client
        client.close()
    finally:
        for proc in [*workers, head]:  # Ctrl-C in each node's terminal: 1.5 s, SIGTERM 8 s
            proc.send_signal(signal.SIGINT)
        for proc in [*workers, head]:
            proc.wait(timeout=30)


def address(client) -> str:
    return f"cluster.address={client.scheduler.address}"


def pids(client) -> dict[str, int]:
    return client.run(os.getpid)


def executed(client) -> dict[str, int]:
    return client.run(lambda dask_worker: dask_worker.state.executed_count)


def runner_module(client) -> dict[str, int]:
    """Per worker, the identity of its ``sim.runner`` module object (0: never imported)."""
    return client.run(lambda: id(sys.modules["sim.runner"]) if "sim.runner" in sys.modules else 0)


def assert_same_tables(a: Path, b: Path) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(pd.read_csv(a / name), pd.read_csv(b / name))


def job_dirs(out: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(out.iterdir()) if (p / MANIFEST).is_file()}


# Three runs of ``run.py`` (as ``python run.py`` runs it) with ``cluster.address=local``, in
# one process of their own: a run that ends (3 workers), a 1-job sweep with
# ``hydra/launcher=cluster`` (1 worker) and a run whose replication 1 raises on its worker
# (the default 2 workers). A thread watches the process's worker processes (the nannies
# spawn them), and a plugin on the scheduler of each local cluster the run made (it runs in
# this process) notes the names of the workers that registered; each run reports the
# worker processes it started (seen while it ran, not alive before), the worker names of
# each of its clusters, and the worker processes still alive when it returned or raised.
# The planted task is defined in the driver (``__main__``), so Dask ships it by value.
DRIVER = r"""
import json, runpy, sys, threading, time
import distributed, psutil
import sim.runner

me = psutil.Process()
names = []  # per local cluster made in this process: the worker names it ever registered

class Names(distributed.diagnostics.plugin.SchedulerPlugin):
    def __init__(self, into):
        self.into = into
    def add_worker(self, scheduler, worker):
        self.into.add(scheduler.workers[worker].name)

class Counted(distributed.LocalCluster):
    # a worker that the nanny replaces registers again under its name
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        into = set()
        self.scheduler.add_plugin(Names(into))
        into.update(w.name for w in list(self.scheduler.workers.values()))
        names.append(into)

distributed.LocalCluster = Counted  # sim.core.cluster imports it when it makes one

def workers():
    # a worker once it runs: between fork and exec a child still has this driver's command
    found = set()
    for child in me.children(recursive=True):
        try:
            if "--multiprocessing-fork" in child.cmdline():
                found.add(child.pid)
        except psutil.Error:
            pass
    return found

def watched(argv):
    before, seen, stop, first = workers(), set(), threading.Event(), len(names)
    def watch():
        while not stop.is_set():
            seen.update(workers() - before)
            time.sleep(0.05)
    thread = threading.Thread(target=watch)
    thread.start()
    sys.argv, code, error = ["run.py", *argv], None, ""
    try:
        runpy.run_path("run.py", run_name="__main__")
    except SystemExit as end:
        code = end.code
    except Exception as err:
        error = repr(err)
    stop.set()
    thread.join()
    made = [sorted(map(str, n)) for n in names[first:]]
    return {"code": code, "error": error, "seen": sorted(seen), "registered": made,
            "left": sorted(workers())}

def planted(cfg, replication, advance=None):
    if replication == 1:
        raise RuntimeError("planted failure in replication 1")
    from sim.runner import run_replication  # the worker's own, unplanted
    return run_replication(cfg, replication, advance)

out, run, sweep = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
ends = watched([*run, "cluster.workers=3", f"hydra.run.dir={out}/ends"])
swept = watched([*sweep, "cluster.workers=1", f"hydra.sweep.dir={out}/sweep"])
sim.runner.run_replication = planted
fails = watched([*run, f"hydra.run.dir={out}/fails"])
print(json.dumps({"ends": ends, "sweep": swept, "fails": fails}))
"""
LOCAL_RUN = ["scenario=mmc", "replications=3", "horizon=120", "warmup=0", "plots=false",
             "cluster.address=local"]  # fmt: skip
LOCAL_SWEEP = ["-m", "experiment=pooling", "replications=1", "horizon=60", "warmup=0",
               "params.flexible=0", "hydra/launcher=cluster"]  # fmt: skip


@pytest.fixture(scope="module")
def local_runs(tmp_path_factory) -> dict:
    """The driver's report of its runs, and which of their workers outlived its process."""
    pytest.importorskip("psutil")
    import psutil

    out = tmp_path_factory.mktemp("local")
    args = [str(out), json.dumps(LOCAL_RUN), json.dumps(LOCAL_SWEEP)]
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    seen = [pid for r in ("ends", "sweep", "fails") for pid in report[r]["seen"]]
    report["orphans"] = [pid for pid in seen if psutil.pid_exists(pid)]
    report["out"] = out
    return report


def test_cluster_workers_is_the_number_of_worker_processes_of_a_local_cluster(local_runs):
    """``local``: a scheduler here and ``cluster.workers`` worker processes (default 2).

    Counted as the workers that registered with the run's one cluster, by name,
    and each of them a process of its own. Not as the most worker processes
    alive at once: a worker that Dask's nanny replaces is a new process under
    the same name, and on a loaded machine the old one can still be alive while
    the new one starts (seen in a loaded test run: two processes at once for the
    sweep's one worker).
    """
    for name, workers in (("ends", 3), ("sweep", 1), ("fails", 2)):
        assert [len(n) for n in local_runs[name]["registered"]] == [workers], local_runs
        assert len(local_runs[name]["seen"]) >= workers, (name, local_runs)


def test_a_sweeps_cluster_is_its_cluster_address_and_workers():
    from omegaconf import OmegaConf

    from sim.cli.cluster import sweep_cluster

    def of(address: str, workers: int):
        return sweep_cluster(
            OmegaConf.create({"cluster": {"address": address, "workers": workers}})
        )

    assert of("", 3) == ("local", 3)
    assert of(" tcp://head:8786 ", 1) == ("tcp://head:8786", 1)


def test_a_run_and_a_sweep_on_a_local_cluster_leave_no_worker_behind(local_runs):
    for name in ("ends", "sweep"):
        assert local_runs[name]["code"] == 0 and local_runs[name]["error"] == "", name
        assert local_runs[name]["left"] == [], name  # gone when run.py ends, not at exit
    assert (local_runs["out"] / "ends" / MANIFEST).is_file()
    assert len(job_dirs(local_runs["out"] / "sweep")) == 1
    assert local_runs["orphans"] == []


def test_a_run_whose_replication_fails_on_a_local_cluster_leaves_no_worker_behind(local_runs):
    fails = local_runs["fails"]
    assert "planted failure in replication 1" in fails["error"]
    assert not (local_runs["out"] / "fails" / MANIFEST).exists()
    assert fails["left"] == []
    assert local_runs["orphans"] == []


def test_a_sweep_and_a_job_spread_over_the_cluster_give_the_serial_tables(cluster, tmp_path):
    before_pids, before_tasks = pids(cluster), executed(cluster)
    sweep = ["-m", "experiment=pooling", *SWEEP]
    run(*sweep, f"hydra.sweep.dir={tmp_path / 'serial'}", "hydra/launcher=basic")
    run(*sweep, f"hydra.sweep.dir={tmp_path / 'dask'}", "hydra/launcher=cluster", address(cluster))
    serial, dask = job_dirs(tmp_path / "serial"), job_dirs(tmp_path / "dask")
    assert sorted(serial) == sorted(dask) and len(serial) == 3
    for name in serial:
        assert_same_tables(serial[name], dask[name])
    assert (tmp_path / "dask" / "report.html").is_file()
    after_sweep = executed(cluster)
    done = {w: after_sweep[w] - before_tasks[w] for w in after_sweep}
    # 3 jobs on 2 slots: jobs 1 and 2 run their replications in their own worker, the job
    # left over spreads its 3 replications as tasks (sim.cli.cluster.spread_flags)
    assert sum(done.values()) == 3 + 3
    assert all(n >= 1 for n in done.values())  # both workers took part
    modules = runner_module(cluster)
    assert all(modules.values())

    run(*RUN, f"hydra.run.dir={tmp_path / 'one'}", "workers=1")
    run(*RUN, f"hydra.run.dir={tmp_path / 'spread'}", address(cluster))
    assert_same_tables(tmp_path / "one", tmp_path / "spread")
    after_run = executed(cluster)
    assert sum(after_run.values()) - sum(after_sweep.values()) == 4  # one task per replication
    # warm workers: the same processes, and the simulator imported once in each of them
    assert pids(cluster) == before_pids
    assert runner_module(cluster) == modules


def test_a_cluster_without_job_slots_is_refused_with_the_fix(tmp_path):
    """Workers started without the job resource could never take a sweep job."""
    from sim.cli.cluster import check_job_slots
    from sim.config.errors import ConfigError

    class NoSlots:
        def scheduler_info(self, n_workers):
            return {"workers": {"tcp://w:1": {"resources": {}}}}

    with pytest.raises(ConfigError, match=f"--resources {JOB_RESOURCE}=1"):
        check_job_slots(NoSlots(), "tcp://head:8786")


def test_full_rounds_of_jobs_keep_their_replications_and_the_jobs_left_over_spread_them():
    from sim.cli.cluster import spread_flags

    assert spread_flags(4, 2) == [False] * 4
    assert spread_flags(3, 2) == [False, False, True]
    assert spread_flags(1, 2) == [True]  # one big job: its replications over the cluster
    assert spread_flags(5, 3) == [False, False, False, True, True]


def test_a_local_clusters_workers_import_the_sweep_stack_before_their_first_task():
    from sim.cli.cluster import PRELOAD
    from sim.cli.warm import MODULES
    from sim.core.cluster import local_cluster, wait_for_workers

    def loaded() -> list[str]:
        return [m for m in MODULES if m in sys.modules]

    with local_cluster(1, PRELOAD, wait=False) as client:
        wait_for_workers(client, 1)
        assert list(client.run(loaded).values()) == [list(MODULES)]
        assert sum(executed(client).values()) == 0  # no task ran: the preload did it
    with local_cluster(1) as client:  # without the preload, nothing of the simulator
        assert list(client.run(loaded).values()) == [[]]


def test_run_py_starts_a_local_cluster_early_only_for_the_cluster_launcher():
    import contextlib

    import yaml
    from omegaconf import OmegaConf

    from sim.cli.cluster import LAUNCHER, early_cluster

    launcher = yaml.safe_load((ROOT / "configs/hydra/launcher/cluster.yaml").read_text())
    assert launcher["_target_"] == LAUNCHER

    def master(target: str, address: str):
        return OmegaConf.create(
            {"hydra": {"launcher": {"_target_": target}}, "cluster": {"address": address}}
        )

    basic = "hydra._internal.core_plugins.basic_launcher.BasicLauncher"
    for cfg in (master(basic, ""), master(LAUNCHER, "tcp://head:8786")):
        assert isinstance(early_cluster(cfg), contextlib.nullcontext)
    # in a process of its own: this module's cluster fixture is this process's default client
    done = subprocess.run([sys.executable, "-c", EARLY], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["2", "none"]


EARLY = r"""
from omegaconf import OmegaConf
from sim.cli.cluster import LAUNCHER, early_cluster
from sim.core.cluster import open_client, wait_for_workers

master = OmegaConf.create({"hydra": {"launcher": {"_target_": LAUNCHER}}, "cluster": {}})
with early_cluster(master):
    client = open_client()  # the launcher's session will use it
    wait_for_workers(client, 2)  # cluster.workers' default
    print(len(client.scheduler_info(n_workers=-1)["workers"]))
print("none" if open_client() is None else "left open")
"""


# Checkpoints on a cluster (issue 16): a replication is a chain of tasks from one saving
# midnight to the next; each sends its state back to the run's process, which writes the
# replication's running file, and the next task continues where the state is.
CHECKPOINTED = ["progress=false", "plots=false", "replications=2", "checkpoint.every=1d"]


def test_a_checkpointed_run_on_the_cluster_saves_every_midnight_and_equals_a_serial_run(
    cluster, tmp_path, monkeypatch
):
    import warnings

    import sim
    from sim import runner
    from sim.core import checkpoint as ckpt

    saves, save = [], runner.WorkerMidnights.save_data

    def saving(self, replication, minute, data):
        saves.append((replication, minute))
        assert ckpt.loads(data)["state"][:2] == (replication, minute)
        save(self, replication, minute, data)

    monkeypatch.setattr(runner.WorkerMidnights, "save_data", saving)
    items, submit = [], distributed.Client.submit

    def submitting(self, fn, *args, **kwargs):
        items.append(args[-1])
        return submit(self, fn, *args, **kwargs)

    monkeypatch.setattr(distributed.Client, "submit", submitting)
    common = [*CHECKPOINTED, "horizon=3d"]
    spread = sim.load_config("default", [*common, address(cluster)])
    before = executed(cluster)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        on_cluster = sim.run_experiment(spread, checkpoint=tmp_path / ckpt.NAME)
    assert sorted(saves) == [(0, 1440), (0, 2880), (1, 1440), (1, 2880)]
    assert sum(executed(cluster).values()) - sum(before.values()) == 2 * 3  # 3 tasks each
    assert not [w for w in seen if "large graph" in str(w.message)], "states sent as futures"
    assert items[:2] == [(0, None), (1, None)], "each replication starts from time 0"
    # each continuation is the paused task's future: its worker keeps the state
    assert [type(i) for i in items[2:]] == [distributed.Future] * 4
    assert ckpt.all_files(tmp_path / ckpt.NAME) == [], "the run's files are gone at its end"
    serial = sim.run_experiment(sim.load_config("default", common))
    for name in ("kpis", "replications", "intervals", "contacts", "cases", "days"):
        assert getattr(on_cluster, name).equals(getattr(serial, name)), name


def test_a_cluster_worker_with_other_code_refuses_the_state(cluster, tmp_path, monkeypatch):
    import sim
    from sim.core import checkpoint as ckpt

    cfg = sim.load_config("mmc", [*CHECKPOINTED, "horizon=120", "warmup=0", address(cluster)])
    monkeypatch.setattr(ckpt, "code_version", lambda: "this command's other code")
    refused = r"cluster worker tcp://\S+ runs another version"
    with pytest.raises(ckpt.CheckpointError, match=refused):
        sim.run_experiment(cfg, checkpoint=tmp_path / ckpt.NAME)


def test_kill_9_of_a_checkpointed_run_on_a_cluster_resumes_each_replication_from_its_midnight(
    cluster, tmp_path
):
    """The workers do not write in the run's folder: the run's process does, as they pause."""
    from sim.core import checkpoint as ckpt

    a, b = tmp_path / "killed", tmp_path / "whole"
    args = ["scenario=postemobile", "horizon=2d", *CHECKPOINTED]
    cmd = [sys.executable, "run.py", *args, address(cluster), f"hydra.run.dir={a}"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    path, end = a / ckpt.NAME, time.monotonic() + 300
    while len(ckpt.running_files(path)) < 2:  # both replications paused at day 1 (renamed)
        assert proc.poll() is None, "the run ended before its replications' first midnights"
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (a / MANIFEST).exists(), "killed before it finished"
    again = run(*args, address(cluster), f"hydra.run.dir={a}")
    assert f"resuming from {path}: replication 0 from day 1, replication 1 from day 1" in again
    assert "large graph" not in again, "resumed states scattered, not inside the tasks"
    run(*args, f"hydra.run.dir={b}")
    assert not [n for n in os.listdir(a) if n.startswith(".ccsim")], "published: gone"
    for name in (*TABLES, "cases.parquet", "contacts.parquet", "days.csv"):
        read = pd.read_parquet if name.endswith(".parquet") else pd.read_csv
        pd.testing.assert_frame_equal(read(a / name), read(b / name))
