"""The sweeper Hydra instantiates for ``hydra/sweeper=checked`` (the default, configs/config.yaml).

Hydra's basic sweeper composes every job once more before it launches the
batch (``validate_batch_is_legal``), to stop a sweep whose jobs do not
compose before any of them runs. ccsim's command line has done that already,
and more (:func:`sim.cli.sweep.plan_job`: every job composed, converted to
its schema, its folder checked), before it handed the sweep to Hydra; so in
that process the second composition is skipped (about 0.1 s per job, all of
it in the command's own process, before the first job starts). Anywhere
else (a sweep that did not start from ``run.py``'s checks) Hydra's check
runs as before. Jobs are expanded, numbered and launched by the basic
sweeper unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper


class CheckedSweeper(BasicSweeper):
    """Hydra's basic sweeper; the batch check is skipped where ccsim's driver checked every job."""

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Compose every job of ``batch`` (Hydra's check) unless the driver has checked them."""
        from sim.cli.sweep import checked_by_driver

        if not checked_by_driver():
            super().validate_batch_is_legal(batch)
