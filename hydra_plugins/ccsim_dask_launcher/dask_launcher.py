"""The Dask launcher Hydra instantiates for ``hydra/launcher=cluster``.

Hydra accepts launchers only from the ``hydra_plugins`` namespace; this class
only keeps what Hydra hands it and calls :func:`sim.cli.cluster.launch`. The
cluster is chosen by the sweep's own ``cluster.address`` and
``cluster.workers`` (docs/cluster.md), not by launcher settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hydra.plugins.launcher import Launcher

if TYPE_CHECKING:
    from hydra.core.utils import JobReturn
    from hydra.types import HydraContext, TaskFunction
    from omegaconf import DictConfig


class DaskLauncher(Launcher):
    """Runs a sweep's jobs, and their replications, as tasks of one Dask cluster."""

    def __init__(self) -> None:
        self.context: HydraContext | None = None
        self.task: TaskFunction | None = None
        self.config: DictConfig | None = None

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        """Keep the sweep's context, task function and configuration."""
        self.context, self.task, self.config = hydra_context, task_function, config

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        """Run the batch of jobs on the cluster; their returns in job order."""
        from sim.cli.cluster import launch

        assert self.context is not None and self.task is not None and self.config is not None
        return launch(self.context, self.config, self.task, job_overrides, initial_job_idx)
