"""Sweeps from the command line: every job is checked before the first one starts.

The jobs are expanded as Hydra's basic sweeper expands them (the
experiment's ``hydra.sweeper.params``, then the command line's values; the
cartesian product), each job's configuration is composed and checked, its
folder name must be a plain name, and its folder must be free for it
(:func:`sim.study.folders.check_target`). Only then is the sweep handed to
Hydra's multirun, with its folder fixed, while this process holds the
sweep folder's lock (a second sweep into the same folder refuses at once).
The sweep folder's ``sweep.json`` lists the jobs of this sweep, so its
report never shows a job left there by an earlier sweep with other values.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict

from sim.cli.common import DRIVER_ENV, Job, job_info, out_dir, split_overrides
from sim.config.checks.common import check_safe_name
from sim.config.errors import ConfigError, OutputError
from sim.core.processes import loky_workers_die_with
from sim.study.folders import check_target, folder_lock, inspect, make_dirs, remove_if_empty
from sim.study.jobs import SWEEP_FILES, config_digest, write_sweep


def expand(master: DictConfig, task: Sequence[str]) -> list[list[str]]:
    """The overrides of every job, as Hydra's basic sweeper makes them."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    from sim.config.compose import parse_overrides

    params = OmegaConf.select(master, "hydra.sweeper.params") or {}
    listed = [f"{k}={v}" for k, v in params.items()] + list(task)
    return BasicSweeper.split_arguments(parse_overrides(listed), None)[0]


def checked_by_driver() -> bool:
    """Whether this process is the driver of a sweep whose every job :func:`plan_job` checked.

    The driver marks itself (:data:`DRIVER_ENV`, its pid) after the checks,
    just before it hands the sweep to Hydra; a job's process is another
    one (a pool worker, a cluster worker) or, on the basic launcher, this
    one after the checks. Read by the sweeper plugin (``hydra/sweeper=checked``).
    """
    return os.environ.get(DRIVER_ENV) == str(os.getpid())


def _shown(overrides: Sequence[str]) -> str:
    return ", ".join(o for o in overrides if not o.startswith("experiment=")) or "no overrides"


def plan_job(
    args: Any, hydra: Sequence[str], overrides: list[str], num: int, total: int, sweep_dir: Path
) -> tuple[Job, str]:
    """Compose and check one job; ConfigError names the job."""
    from sim.config.compose import compose_config
    from sim.config.load import to_config

    try:
        cfg = compose_config([*hydra, *overrides], args.config_dir, hydra_node=True)
        with open_dict(cfg):
            cfg.hydra.job.num = num
        sub = str(OmegaConf.select(cfg, "hydra.sweep.subdir"))
        check_safe_name(sub, "hydra.sweep.subdir (the job's folder)")
        digest = config_digest(to_config(cfg))
    except ConfigError as err:
        raise ConfigError(f"job {num + 1} of {total} ({_shown(overrides)}): {err}") from None
    return Job(cfg, sweep_dir / sub, tuple(overrides), num), digest


def _check_sweep_folder(sweep_dir: Path, jobs: list[Job], overwrite: bool) -> None:
    """The sweep folder holds nothing but ccsim sweep files and job folders (or overwrite)."""
    if not sweep_dir.is_dir():
        return
    names = {j.out.name for j in jobs}
    foreign = []
    for entry in sorted(os.listdir(sweep_dir)):
        path = sweep_dir / entry
        if entry in SWEEP_FILES or entry in names:
            continue
        if path.is_dir() and not inspect(path).foreign:
            continue  # a job of an earlier sweep, or an empty folder
        foreign.append(entry)
    if foreign and not overwrite:
        shown = ", ".join(foreign[:3]) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        raise OutputError(
            f"{sweep_dir} holds {len(foreign)} entries that are not part of a ccsim sweep "
            f"({shown}); choose another folder (hydra.sweep.dir=...) or add overwrite=true to "
            "write beside them (they are never touched)"
        )


def _plan(args: Any, master: DictConfig) -> tuple[Path, list[Job], list[bool], bool]:
    hydra, task, _ = split_overrides(args.overrides)
    sweep_dir = out_dir(master, "hydra.sweep.dir", args.overrides)
    expanded = expand(master, task)
    planned = [
        plan_job(args, hydra, o, i, len(expanded), sweep_dir) for i, o in enumerate(expanded)
    ]
    jobs = [j for j, _ in planned]
    seen: dict[Path, int] = {}
    for j in jobs:
        if j.out in seen:
            raise ConfigError(
                f"jobs {seen[j.out] + 1} and {j.num + 1} would share the folder {j.out.name}; "
                "give them different values"
            )
        seen[j.out] = j.num
    overwrite = bool(OmegaConf.select(master, "overwrite"))
    _check_sweep_folder(sweep_dir, jobs, overwrite)
    from sim.report.io import OUTPUT_NAMES

    done = [
        check_target(inspect(j.out), d, bool(j.cfg.overwrite), OUTPUT_NAMES) for j, d in planned
    ]
    return sweep_dir, jobs, done, overwrite


def _sweep_record(master: DictConfig, jobs: list[Job]) -> dict[str, Any]:
    entries = [
        {"dir": j.out.name, **job_info(j.cfg, [o for o in j.overrides], j.num)} for j in jobs
    ]
    study = OmegaConf.select(master, "study.name") or ""
    return {"study": study, "jobs": entries, "pid": os.getpid()}


def hydra_argv(args: Any, sweep_dir: Path) -> list[str]:
    """The command line handed to Hydra's multirun: the checked overrides, the folder fixed."""
    from sim.config.compose import compose_plain, quote, search_dirs, with_new_entries

    dirs = search_dirs(args.config_dir)
    overrides = [o for o in args.overrides if not o.startswith("hydra.sweep.dir=")]
    added = with_new_entries(overrides, lambda base: compose_plain(base, dirs))
    flags = ["-m"] + (["--config-dir", str(args.config_dir)] if args.config_dir else [])
    return [*flags, *added, f"hydra.sweep.dir={quote(str(sweep_dir))}"]


def run_sweep(args: Any, master: DictConfig, hydra_main: Callable[[], Any]) -> int:
    """Check every job, then run the sweep with Hydra's launcher.

    A sweep on a local Dask cluster starts it first: its workers start while
    the jobs are checked (:func:`sim.cli.cluster.early_cluster`).
    """
    from sim.cli.cluster import early_cluster

    with early_cluster(master):
        return _checked_sweep(args, master, hydra_main)


def _checked_sweep(args: Any, master: DictConfig, hydra_main: Callable[[], Any]) -> int:
    if any(o.startswith("experiment=") for o in args.overrides):
        check_safe_name(
            OmegaConf.select(master, "study.name") or "", "study.name (the experiment's)"
        )
    sweep_dir, jobs, done, _ = _plan(args, master)
    created = make_dirs(sweep_dir)
    before = {j.out for j in jobs if j.out.exists()}
    try:
        with folder_lock(sweep_dir):
            write_sweep(sweep_dir, _sweep_record(master, jobs))
            os.environ["HYDRA_FULL_ERROR"] = "1"
            os.environ[DRIVER_ENV] = str(os.getpid())
            sys.argv = [sys.argv[0], *hydra_argv(args, sweep_dir)]
            with loky_workers_die_with(os.getpid()):
                hydra_main()
    finally:
        for j in jobs:  # folders Hydra made for jobs that did not finish
            if j.out not in before:
                remove_if_empty([j.out])
        remove_if_empty(created)
    print(f"sweep: {sweep_dir} ({len(jobs)} jobs, {sum(done)} of them finished before this run)")
    return 0
