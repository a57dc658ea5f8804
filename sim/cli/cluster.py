"""Sweeps on a Dask cluster: the launcher's work and the task of one job.

``hydra/launcher=cluster`` selects the launcher in
``hydra_plugins/ccsim_dask_launcher`` (Hydra only loads launchers from that
namespace); everything it does is here. The sweep's jobs are tasks of the
cluster named by the sweep's ``cluster.address`` (empty: ``local``, a cluster
started on this machine with ``cluster.workers`` workers,
:func:`sim.core.cluster.session`).

A job task asks for one unit of :data:`sim.core.cluster.JOB_RESOURCE`: Hydra
keeps the running job's configuration in process-wide state, so one worker
process runs at most one job at a time. Where a job's replications run
(:func:`spread_flags`): the jobs that fill every job slot in full rounds run
their replications in their own worker process, one after the other, and
keep that worker's thread from start to end; the jobs left over (all of them
when there are fewer jobs than slots: one big job) run with the sweep's
address, so their replications are tasks of the same cluster
(:mod:`sim.runner`) and the workers that have finished their own jobs take
them. Why not every job's replications as tasks: a job between its
replications (composing, writing its plots) holds its worker's thread, and a
replication of another job that the scheduler queued on that worker waits
for it while the other job's worker has nothing to do.

Warm workers: a local cluster's workers import the sweep's whole stack when
they start (:data:`PRELOAD`, :mod:`sim.cli.warm`); ``run.py`` starts that
cluster before it checks the jobs (:func:`early_cluster`), so the workers
come up meanwhile; a cluster's workers stay up, with their imports, between
tasks. While the jobs run, this process imports the report's modules
(:func:`import_report`), so the report at the end does not wait for them.

Deliberately not here: retries of a failed job (it fails the sweep, as in
the other launchers) and any ordering of the jobs beyond their submission
order (the scheduler's).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sim.config.cluster import LOCAL, ClusterConfig
from sim.config.errors import ConfigError

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from distributed import Client
    from hydra.core.utils import JobReturn
    from hydra.types import HydraContext, TaskFunction
    from omegaconf import DictConfig


# the launcher's class, as configs/hydra/launcher/cluster.yaml names it
LAUNCHER = "hydra_plugins.ccsim_dask_launcher.dask_launcher.DaskLauncher"
# what a local cluster's workers import when they start: everything a sweep job runs
PRELOAD = ("sim.cli.warm",)
# what the report at the end of a sweep imports (sim.report.callbacks)
REPORT_MODULES = ("sim.report.html", "sim.report.comparison")


def sweep_cluster(config: DictConfig) -> tuple[str, int]:
    """Where a sweep runs: ``cluster.address`` (``local`` when empty) and ``cluster.workers``.

    The workers are the worker processes of a ``local`` cluster; a cluster at
    an address has the workers it has (:func:`sim.core.cluster.session`).
    """
    from omegaconf import OmegaConf

    address = str(OmegaConf.select(config, "cluster.address", default="") or "").strip()
    workers = int(OmegaConf.select(config, "cluster.workers", default=ClusterConfig.workers))
    return address or LOCAL, workers


def check_job_slots(client: Client, address: str) -> int:
    """Workers that can take a job; refuse a cluster without any (no job resource)."""
    from sim.core.cluster import JOB_RESOURCE

    workers = client.scheduler_info(n_workers=-1)["workers"].values()
    slots = sum(w.get("resources", {}).get(JOB_RESOURCE, 0) >= 1 for w in workers)
    if not slots:
        raise ConfigError(
            f"cluster.address={address}: no worker of that cluster offers the resource "
            f"{JOB_RESOURCE}, which a sweep job needs; start its workers with "
            f"'dask worker {address} --nthreads 1 --resources {JOB_RESOURCE}=1' (docs/cluster.md)"
        )
    return slots


def spread_flags(jobs: int, slots: int) -> list[bool]:
    """Per job, whether its replications are tasks of the cluster (else run in its worker).

    The jobs of full rounds (``slots`` jobs each) keep their replications in
    their own worker; the ``jobs % slots`` jobs left over spread theirs, so
    the workers that have finished take part (all jobs spread when
    ``jobs < slots``).
    """
    full = jobs - jobs % slots
    return [num >= full for num in range(jobs)]


def run_job(
    context: HydraContext,
    config: DictConfig,
    task: TaskFunction,
    state: dict[Any, Any],
    address: str,
    numbered: tuple[int, Sequence[str], bool],
) -> tuple[int, JobReturn]:
    """One sweep job on a cluster worker, as Hydra runs a job.

    ``numbered`` is the job's number, overrides and whether its replications
    are tasks of the cluster at ``address`` (else they run here, one after
    the other: :func:`spread_flags`).
    """
    from hydra.core.hydra_config import HydraConfig
    from hydra.core.singleton import Singleton
    from hydra.core.utils import run_job as hydra_run_job
    from hydra.core.utils import setup_globals
    from omegaconf import open_dict

    num, overrides, spread = numbered
    setup_globals()
    Singleton.set_state(state)
    job = context.config_loader.load_sweep_config(config, list(overrides))
    with open_dict(job):
        job.hydra.job.id = f"{job.hydra.job.name}_{num}"
        job.hydra.job.num = num
        job.cluster.address = address if spread else ""
        if not spread:
            job.workers = 1  # in this worker's own thread
    HydraConfig.instance().set_config(job)
    return num, hydra_run_job(
        hydra_context=context,
        config=job,
        task_function=task,
        job_dir_key="hydra.sweep.dir",
        job_subdir_key="hydra.sweep.subdir",
    )


def import_report() -> threading.Thread:
    """Import the report's modules in a thread of this process (idle while the jobs run)."""
    import importlib

    def load() -> None:
        for name in REPORT_MODULES:
            importlib.import_module(name)

    thread = threading.Thread(target=load, name="ccsim-import-report", daemon=True)
    thread.start()
    return thread


def early_cluster(master: DictConfig) -> AbstractContextManager[Any]:
    """The local cluster of a sweep on ``hydra/launcher=cluster``, its workers still starting.

    Entered before the sweep's jobs are checked, so the worker processes start
    and import the simulator (:data:`PRELOAD`) meanwhile; its client is this
    process's default one, which the launcher then uses
    (:func:`sim.core.cluster.session`). Nothing for any other launcher, a
    cluster at an address or a client already open.
    """
    from omegaconf import OmegaConf

    from sim.core.cluster import local_cluster, open_client, quiet

    target = OmegaConf.select(master, "hydra.launcher._target_", default=None)
    address, workers = sweep_cluster(master)
    if target != LAUNCHER or address != LOCAL or open_client() is not None:
        return contextlib.nullcontext()
    stack = contextlib.ExitStack()
    stack.enter_context(quiet("distributed"))
    stack.enter_context(local_cluster(workers, PRELOAD, wait=False))
    return stack


def launch(
    context: HydraContext,
    config: DictConfig,
    task: TaskFunction,
    job_overrides: Sequence[Sequence[str]],
    first: int,
) -> list[JobReturn]:
    """Every job of the batch as a task of the sweep's cluster; their returns in job order."""
    from pathlib import Path

    from hydra.core.singleton import Singleton
    from hydra.core.utils import configure_log, setup_globals

    from sim.core.cluster import JOB_RESOURCE, run_bounded, session, wait_for_workers

    setup_globals()
    configure_log(config.hydra.hydra_logging, config.hydra.verbose)
    Path(str(config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
    address, workers = sweep_cluster(config)
    state = Singleton.get_state()
    returns: dict[int, JobReturn] = {}
    fixed = (context, config, task, state, address)
    with session(address, workers, PRELOAD) as client:
        if address == LOCAL:
            wait_for_workers(client, workers)  # started early by run.py (early_cluster)
        # no more jobs submitted than workers can hold one: the scheduler would otherwise
        # park the rest on a worker, where they keep its thread from the replications
        slots = check_job_slots(client, address)
        flags = spread_flags(len(job_overrides), slots)
        items = [
            (first + i, list(o), f)
            for i, (o, f) in enumerate(zip(job_overrides, flags, strict=True))
        ]
        import_report()
        run_bounded(client, run_job, fixed, items, slots, lambda r: returns.update([r]),
                    {JOB_RESOURCE: 1})  # fmt: skip
    return [returns[n] for n, _, _ in items]
