"""Sweeps on a Dask cluster: the launcher's work and the task of one job.

``hydra/launcher=cluster`` selects the launcher in
``hydra_plugins/ccsim_dask_launcher`` (Hydra only loads launchers from that
namespace); everything it does is here. The sweep's jobs are tasks of the
cluster named by the sweep's ``cluster.address`` (empty: ``local``, a cluster
started on this machine with ``cluster.workers`` workers,
:func:`sim.core.cluster.session`), and each job runs with the same address,
so its replications are tasks of the same cluster (:mod:`sim.runner`).

A job task asks for one unit of :data:`sim.core.cluster.JOB_RESOURCE`: Hydra
keeps the running job's configuration in process-wide state, so one worker
process runs at most one job at a time, while replication tasks run beside it
(a job waiting for its replications hands its thread back to the worker).

Deliberately not here: retries of a failed job (it fails the sweep, as in
the other launchers) and any ordering of the jobs beyond their submission
order (the scheduler's).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sim.config.cluster import LOCAL, ClusterConfig
from sim.config.errors import ConfigError

if TYPE_CHECKING:
    from distributed import Client
    from hydra.core.utils import JobReturn
    from hydra.types import HydraContext, TaskFunction
    from omegaconf import DictConfig


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


def run_job(
    context: HydraContext,
    config: DictConfig,
    task: TaskFunction,
    state: dict[Any, Any],
    address: str,
    numbered: tuple[int, Sequence[str]],
) -> tuple[int, JobReturn]:
    """One sweep job on a cluster worker, as Hydra runs a job; its replications on ``address``."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.core.singleton import Singleton
    from hydra.core.utils import run_job as hydra_run_job
    from hydra.core.utils import setup_globals
    from omegaconf import open_dict

    num, overrides = numbered
    setup_globals()
    Singleton.set_state(state)
    job = context.config_loader.load_sweep_config(config, list(overrides))
    with open_dict(job):
        job.hydra.job.id = f"{job.hydra.job.name}_{num}"
        job.hydra.job.num = num
        job.cluster.address = address
    HydraConfig.instance().set_config(job)
    return num, hydra_run_job(
        hydra_context=context,
        config=job,
        task_function=task,
        job_dir_key="hydra.sweep.dir",
        job_subdir_key="hydra.sweep.subdir",
    )


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

    from sim.core.cluster import JOB_RESOURCE, run_bounded, session

    setup_globals()
    configure_log(config.hydra.hydra_logging, config.hydra.verbose)
    Path(str(config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
    address, workers = sweep_cluster(config)
    state = Singleton.get_state()
    returns: dict[int, JobReturn] = {}
    items = [(first + i, list(o)) for i, o in enumerate(job_overrides)]
    fixed = (context, config, task, state, address)
    with session(address, workers) as client:
        # no more jobs submitted than workers can hold one: the scheduler would otherwise
        # park the rest on a worker, where they keep its thread from the replications
        slots = check_job_slots(client, address)
        run_bounded(client, run_job, fixed, items, slots, lambda r: returns.update([r]),
                    {JOB_RESOURCE: 1})  # fmt: skip
    return [returns[n] for n, _ in items]
