"""Running one job into its folder: a single run, or one job of a Hydra sweep."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from sim.cli.common import DRIVER_ENV, Job, job_info, out_dir
from sim.config.dump import plain, save_yaml
from sim.study.jobs import sweep_jobs


def save_provenance(folder: Path, cfg: DictConfig, overrides: Sequence[str]) -> None:
    """Hydra-style provenance: the composed configuration and the overrides, in ``.hydra/``."""
    hydra_dir = folder / ".hydra"
    hydra_dir.mkdir()
    task = {k: v for k, v in plain(cfg).items() if k != "hydra"}
    save_yaml(task, hydra_dir / "config.yaml")
    save_yaml(list(overrides), hydra_dir / "overrides.yaml")


def execute(job: Job, show: bool, started: Callable[[], None] | None = None) -> Any:
    """Run one job into its folder and publish it; None if it had already run.

    ``started`` is called once everything is checked, just before the run starts.
    """
    from sim.config.load import to_config
    from sim.report.io import OUTPUT_NAMES, write_files
    from sim.runner import run_experiment
    from sim.study.folders import Claim
    from sim.study.jobs import config_digest

    config = to_config(job.cfg)
    claim = Claim(job.out, config_digest(config), config.overwrite, True, OUTPUT_NAMES)
    with claim:
        if claim.finished:
            print(f"already done (same configuration): {job.out}")
            return None
        if started is not None:
            started()
        show = config.progress and show
        results = run_experiment(config, show, claim.checkpoint, keep_checkpoint=True)
        write_files(results, claim.staging)
        save_provenance(claim.staging, job.cfg, job.overrides)
        claim.publish(job_info(job.cfg, job.overrides, job.num))
    return results


def run_single(args: Any, started: Callable[[], None] | None = None) -> int:
    """Compose, check and run one scenario; print its report (``started``: as in execute)."""
    from sim.config.compose import compose_config
    from sim.report.text import text

    cfg = compose_config(args.overrides, args.config_dir, hydra_node=True)
    out = out_dir(cfg, "hydra.run.dir", args.overrides)
    task = [o for o in args.overrides if not o.startswith("hydra")]
    results = execute(Job(cfg, out, tuple(task)), show=True, started=started)
    if results is not None:
        print(text(results))
        print(f"results: {out}")
    return 0


def in_worker() -> bool:
    """Whether this process is a worker of a sweep started by :func:`main`."""
    driver = os.environ.get(DRIVER_ENV)
    return driver is not None and int(driver) != os.getpid()


def hydra_job(cfg: DictConfig) -> None:
    """The task of one job of a Hydra sweep (run.py's ``@hydra.main`` calls it)."""
    from hydra.core.hydra_config import HydraConfig

    from sim.core.processes import die_with_parent

    hc = HydraConfig.get()
    if in_worker():
        die_with_parent(os.getppid())
    job = Job(cfg, Path(hc.runtime.output_dir), tuple(hc.overrides.task), int(hc.job.num))
    start = time.monotonic()
    total = len(sweep_jobs(job.out.parent) or []) or "?"
    print(f"[job {job.num + 1}/{total}] started: {job.out.name} ({cfg.replications} replications)")
    if execute(job, show=False) is not None:
        done, total = sweep_progress(job.out.parent)
        print(
            f"[{done}/{total} jobs done] {job.out} ({cfg.replications} replications, "
            f"{time.monotonic() - start:.0f} s)"
        )


def sweep_progress(sweep_dir: Path) -> tuple[int, int]:
    """``(finished, total)`` jobs of the sweep in ``sweep_dir`` (from its ``sweep.json``)."""
    from sim.study.folders import MANIFEST

    names = sweep_jobs(sweep_dir) or []
    return sum((sweep_dir / n / MANIFEST).is_file() for n in names), len(names)
