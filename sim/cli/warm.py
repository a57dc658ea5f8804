"""Warm workers: what a local cluster's worker imports when it starts (Dask preload).

A sweep job on a worker runs Hydra's job machinery, the simulator and the
writing of its tables and plots (:func:`sim.cli.cluster.run_job`). Imported
at start, a worker pays for them once, while ``run.py`` checks the sweep's
jobs, not in its first task. ``dask worker ... --preload sim.cli.warm`` does
the same for the workers of a cluster started by hand (docs/cluster.md).

Deliberately not here: any computation (no replication is run to warm up
caches) and any state: importing is all.
"""

from __future__ import annotations

import importlib
from typing import Any

# Hydra's run_job, the job task, the job's work, its tables, its plots (matplotlib), its
# replications
MODULES = (
    "hydra.core.utils",
    "sim.cli.cluster",
    "sim.cli.execute",
    "sim.report.io",
    "sim.report.plots",
    "sim.runner",
)


def dask_setup(worker: Any = None) -> None:
    """Import the modules of a sweep job (Dask calls this when the worker starts)."""
    for name in MODULES:
        importlib.import_module(name)
