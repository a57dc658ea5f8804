"""Dask clusters: a session for a run or a sweep, and tasks submitted in bounded batches.

A run reaches a cluster through a Dask ``Client`` (:func:`session`): inside a
task already running on a cluster's worker (a sweep job whose replications are
spread too) the worker's own client, which hands the task's thread back to the
worker while it waits; else a client already open in this process (the one a
sweep opened for all its jobs); else a new one, to the scheduler at
``address`` or to a cluster started for the session on this machine
(``local``: a scheduler and ``workers`` worker processes, one thread each),
closed when the session ends.

The workers keep what they imported between tasks (they are long-lived
processes), so a task pays for its arguments and result only; a local
cluster's workers can import the simulator when they start (``preload``), and
a sweep can start its cluster without waiting for the workers, which come up
while the sweep checks its jobs (``wait=False``). Local workers die
with the process that started them: Dask's nanny gives each worker a pipe from
its parent and the worker exits when that pipe closes (``kill -9`` included).

Deliberately not here: retries of a failed task (a task that raises fails the
run, as a replication that raises does in this process), and any choice of
which worker runs which task (the scheduler's).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sim.config.cluster import LOCAL

if TYPE_CHECKING:
    from distributed import Client

# Each worker of a cluster started here has one unit of this resource; a sweep job asks for
# one, so at most one job runs its Hydra bookkeeping in a worker process at a time (Hydra's
# job state is process-wide), while any number of replications run beside it.
JOB_RESOURCE = "ccsim_job"
CONNECT_TIMEOUT = "30s"
# a local worker process starts in about 2 s on a quiet machine; a loaded one may take longer
START_TIMEOUT = "120s"
# A worker samples its tasks' stacks every 10 ms by default; on a SimPy model's deep stacks
# that takes the GIL from the task for a large part of its time: off.
WORKER_SETTINGS = {"distributed.worker.profile.enabled": False}


@contextlib.contextmanager
def quiet(name: str) -> Iterator[None]:
    """Logger ``name`` shows warnings and errors only while inside (Dask's start and stop)."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def in_worker() -> bool:
    """Whether this code runs inside a task on a Dask worker."""
    from distributed import get_worker

    try:
        get_worker()
    except ValueError:
        return False
    return True


def open_client() -> Client | None:
    """The client already open in this process (the default one), if any."""
    from distributed import default_client

    try:
        return default_client()
    except ValueError:
        return None


@contextlib.contextmanager
def local_cluster(workers: int, preload: Sequence[str] = (), wait: bool = True) -> Iterator[Client]:
    """A scheduler and ``workers`` single-threaded worker processes on this machine.

    Everything listens on the loopback interface only. The workers' statistical
    profiler is off (:data:`WORKER_SETTINGS`) and each worker imports the
    modules ``preload`` names when it starts, before it takes a task. With
    ``wait=False`` the client is handed over as soon as the scheduler is up,
    while the workers are still starting (:func:`wait_for_workers`): the
    caller does its own work meanwhile.
    """
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers if wait else 0,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        scheduler_port=0,
        dashboard_address="127.0.0.1:0",
        resources={JOB_RESOURCE: 1},
        preload=list(preload),
        config=WORKER_SETTINGS,  # each nanny hands it to its worker
    )
    try:
        if not wait:
            cluster.scale(workers)
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def wait_for_workers(client: Client, workers: int) -> None:
    """Block until the cluster has ``workers`` workers (a local cluster still starting)."""
    client.wait_for_workers(workers, timeout=START_TIMEOUT)


@contextlib.contextmanager
def session(address: str, workers: int, preload: Sequence[str] = ()) -> Iterator[Client]:
    """A client for the cluster at ``address`` (``local``: started here with ``workers``).

    A local cluster started here preloads ``preload`` in its workers
    (:func:`local_cluster`); an open client or a cluster at an address is used as it is.
    """
    if in_worker():
        from distributed import worker_client

        with worker_client() as client:
            yield client
        return
    current = open_client()
    if current is not None:
        yield current
        return
    if address == LOCAL:
        with quiet("distributed"), local_cluster(workers, preload) as client:
            yield client
        return
    from distributed import Client

    with Client(address, timeout=CONNECT_TIMEOUT) as client:
        yield client


def slots(client: Client) -> int:
    """Worker threads of the cluster now (at least 1)."""
    return max(1, sum(client.nthreads().values()))


def run_bounded(
    client: Client,
    fn: Callable[..., Any],
    fixed: tuple[Any, ...],
    items: Iterable[Any],
    in_flight: int,
    done: Callable[[Any], Any],
    resources: dict[str, float] | None = None,
) -> None:
    """``fn(*fixed, item)`` for every item on the cluster, at most ``in_flight`` tasks at a time.

    ``done`` receives each result as it arrives (in any order) and returns
    None, or the result itself to run ``fn`` on it next, before the items not
    started yet (a task's continuation: a replication that paused at a
    midnight). The continuation gets the finished task's future, so the worker
    that holds the result runs it without the result being sent back from
    here. Every task asks for ``resources``. The first task that raises cancels
    the others and its error is raised here.
    """
    from itertools import islice

    from distributed import as_completed

    todo = iter(items)
    running = as_completed(
        [
            client.submit(fn, *fixed, i, pure=False, resources=resources)
            for i in islice(todo, in_flight)
        ]
    )
    try:
        for future in running:
            result = future.result()
            follow = done(result)
            if follow is not None and follow is not result:
                raise ValueError("done must return None or the result it was given")
            for item in [future] if follow is not None else islice(todo, 1):
                running.add(client.submit(fn, *fixed, item, pure=False, resources=resources))
            future.release()
    except BaseException:
        client.cancel(list(running.futures))
        raise
