"""Hydra callback: write an experiment's HTML report when its sweep ends.

Registered by ``configs/experiment/_common.yaml``. The report can also be
rebuilt at any time (e.g. after an interrupted sweep) with
``python -m sim.report.callbacks results/experiments/<name>``. Hydra builds the
callback in every job's process too, so the report code (matplotlib, the
comparison tables) is imported only when the sweep ends.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from sim.config.study import StudyConfig


def study_of(cfg: DictConfig) -> StudyConfig:
    """The study block of a composed configuration."""
    block = OmegaConf.to_container(cfg.study, resolve=False)
    block.pop("label", None)  # per job; read from each job's marker
    return StudyConfig(**block)


class StudyReport(Callback):
    """Writes ``report.html`` and ``report.xlsx`` once every job has run, prints the summary."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        """Build the report from the finished jobs of the sweep; print its terminal summary."""
        from sim.report.comparison import terminal
        from sim.report.html import write_sweep_report

        # a sweep over seed or replications is the user's own choice: compared unpaired, said so
        c, paths = write_sweep_report(Path(config.hydra.sweep.dir), study_of(config), True)
        print(terminal(c))
        print("report: " + ", ".join(str(p) for p in paths))


def main(argv: list[str]) -> None:
    """Rebuild the report of a sweep folder from the study block saved with its jobs."""
    from sim.report.html import write_report

    sweep = Path(argv[0])
    job = next(
        (p for p in sorted(sweep.iterdir()) if (p / ".hydra" / "config.yaml").is_file()), None
    )
    if job is None:
        raise SystemExit(f"no job folder with .hydra/config.yaml in {sweep}")
    cfg = OmegaConf.load(job / ".hydra" / "config.yaml")
    print(write_report(sweep, study_of(cfg)))


if __name__ == "__main__":
    main(sys.argv[1:])
