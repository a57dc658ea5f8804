"""Schema of where a run's replications and a sweep's jobs are carried out."""

from __future__ import annotations

from dataclasses import dataclass

LOCAL = "local"


@dataclass
class ClusterConfig:
    """A Dask cluster that runs the replications (and a sweep's jobs), or none.

    Attributes:
        address: empty = no cluster: replications run in this process
            (``workers: 1``) or in ``workers`` processes of its own;
            ``local`` = a Dask cluster started for the run on this machine (a
            scheduler and ``workers`` worker processes), closed when the run
            ends; otherwise the address of the scheduler of a running Dask
            cluster, ``tcp://host:8786`` (``docs/cluster.md``).
        workers: worker processes of the ``local`` cluster, one thread each
            (the simulation is pure Python: threads would share one core).
            Not used with an address: that cluster has the workers it has.

    Where a run is carried out never changes its numbers: a replication is
    fully determined by ``(seed, replication)`` (:mod:`sim.runner`).
    """

    address: str = ""
    workers: int = 2
