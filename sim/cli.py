"""The command line, checked before anything runs or is written.

``python run.py [key=value ...]`` runs one scenario; ``-m`` (or an
``experiment=``) runs a sweep with Hydra's launchers. Before a run starts:

1. the overrides are parsed, config-group choices must be plain names of
   files in ``configs/`` (or a ``--config-dir``), and the configuration is
   composed with every error as one line (:mod:`sim.compose`);
2. every configuration (each job's, for a sweep) is converted and checked:
   types, rules, names, size (:mod:`sim.checks`, :mod:`sim.size`); a bad
   job stops the sweep before its first job, naming the job;
3. the output folder must be new, empty, a result of the same
   configuration (then the run is skipped: "already done"), or, with
   ``overwrite=true``, another result or a folder of the user's files
   (:mod:`sim.publish`); a sweep folder and each job folder are checked.

A single run is composed once and executed here (Hydra's compose API);
a sweep is handed to Hydra's multirun with its folder fixed, and each job
runs :func:`execute`. A user error prints ``error: <one line>`` and exits
with 2, writing nothing; Ctrl-C removes only the run's own staging and exits
with 130. Internal errors keep their traceback (``HYDRA_FULL_ERROR``).
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.errors import ConfigError

INTERRUPTED = 130
USER_ERROR = 2
DRIVER_ENV = "CCSIM_DRIVER_PID"
INTROSPECTION = ("help", "hydra_help", "version", "cfg", "info", "shell_completion")


@dataclass(frozen=True)
class Job:
    """One job to run: its composed configuration, folder and overrides."""

    cfg: DictConfig
    out: Path
    overrides: tuple[str, ...]
    num: int = 0


def parse_args(argv: Sequence[str]) -> Any:
    """Hydra's own command-line parser (so every Hydra flag keeps its meaning)."""
    from hydra._internal.utils import get_args_parser

    parser = get_args_parser()

    def refuse(message: str) -> None:
        raise ConfigError(f"{message} (python run.py --help lists the flags)")

    parser.error = refuse  # one line, not argparse's usage block
    return parser.parse_args(list(argv))


def _is_hydra(override: Any) -> bool:
    key = override.key_or_group.lstrip("/")
    return key == "hydra" or key.startswith(("hydra.", "hydra/"))


def split_overrides(overrides: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """``(hydra, task, sweeps)``: Hydra's own overrides, the task's, and those that sweep."""
    from sim.compose import parse_overrides

    hydra, task, sweeps = [], [], []
    for text, o in zip(overrides, parse_overrides(overrides), strict=True):
        (hydra if _is_hydra(o) else task).append(text)
        if o.is_sweep_override():
            sweeps.append(text)
    return hydra, task, sweeps


def _given(overrides: Sequence[str], key: str) -> bool:
    return any(o.lstrip("+~").split("=", 1)[0] == key for o in overrides)


def fresh(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3``... whichever does not exist yet."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def out_dir(cfg: DictConfig, key: str, overrides: Sequence[str]) -> Path:
    """The folder a run or sweep writes into; the dated default is made unique."""
    path = Path(str(OmegaConf.select(cfg, key))).expanduser()
    return path if _given(overrides, key) else fresh(path)


def job_info(cfg: DictConfig, overrides: Sequence[str], num: int) -> dict[str, Any]:
    """What a report needs to know of a job (stored in its manifest)."""
    shown = [o for o in overrides if not o.startswith(("experiment=", "hydra"))]
    study = cfg.study
    x = OmegaConf.select(cfg, study.x) if study.x else None
    label = study.label or ", ".join(shown) or cfg.name
    return {"label": str(label), "x": x, "overrides": list(shown), "num": num}


def _task_part(cfg: DictConfig) -> DictConfig:
    if "hydra" not in cfg:
        return cfg
    return OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"])


def save_provenance(folder: Path, cfg: DictConfig, overrides: Sequence[str]) -> None:
    """Hydra-style provenance: the composed configuration and the overrides, in ``.hydra/``."""
    hydra_dir = folder / ".hydra"
    hydra_dir.mkdir()
    OmegaConf.save(_task_part(cfg), hydra_dir / "config.yaml")
    OmegaConf.save(OmegaConf.create(list(overrides)), hydra_dir / "overrides.yaml")


def execute(job: Job, show: bool) -> Any:
    """Run one job into its folder and publish it; None if it had already run."""
    from sim.api import to_config
    from sim.io import OUTPUT_NAMES, write_files
    from sim.jobs import config_digest
    from sim.publish import Claim
    from sim.runner import run_experiment

    config = to_config(job.cfg)
    claim = Claim(job.out, config_digest(config), config.overwrite, True, OUTPUT_NAMES)
    with claim:
        if claim.finished:
            print(f"already done (same configuration): {job.out}")
            return None
        results = run_experiment(config, progress=config.progress and show)
        write_files(results, claim.staging)
        save_provenance(claim.staging, job.cfg, job.overrides)
        claim.publish(job_info(job.cfg, job.overrides, job.num))
    return results


def run_single(args: Any) -> int:
    """Compose, check and run one scenario; print its report."""
    from sim import report
    from sim.compose import compose_config

    cfg = compose_config(args.overrides, args.config_dir, hydra_node=True)
    out = out_dir(cfg, "hydra.run.dir", args.overrides)
    task = [o for o in args.overrides if not o.startswith("hydra")]
    results = execute(Job(cfg, out, tuple(task)), show=True)
    if results is not None:
        print(report.text(results))
        print(f"results: {out}")
    return 0


def sweep_master(args: Any) -> DictConfig | None:
    """The sweep's master configuration if the command line asks for a sweep, else None.

    A sweep is ``-m``, or an experiment (whose file sets ``hydra.mode``); the
    master is composed without the values that sweep.
    """
    from sim.compose import compose_config, translate

    _, _, sweeps = split_overrides(args.overrides)
    if (
        not args.multirun
        and not sweeps
        and not any(o.lstrip("+").startswith("experiment=") for o in args.overrides)
    ):
        return None
    plain = [o for o in args.overrides if o not in sweeps]
    cfg = compose_config(plain, args.config_dir, hydra_node=True)
    if args.multirun or str(OmegaConf.select(cfg, "hydra.mode")).endswith("MULTIRUN"):
        return cfg
    if sweeps:  # several values without -m
        raise translate(ValueError(f"Ambiguous value for argument '{sweeps[0]}'\n"))
    return None


def main(argv: Sequence[str], hydra_main: Callable[[], Any]) -> int:
    """The command line; returns the exit code."""
    with _one_line_warnings():
        try:
            args = parse_args(argv)
            if any(getattr(args, flag, None) for flag in INTROSPECTION):
                return _delegate(list(argv), hydra_main)
            if args.config_path:
                raise ConfigError("--config-path is not supported: use --config-dir <folder>")
            master = sweep_master(args)
            if master is not None:
                from sim.sweep import run_sweep

                return run_sweep(args, master, hydra_main)
            return run_single(args)
        except ConfigError as err:
            print(f"error: {' '.join(str(err).split())}", file=sys.stderr)
            return USER_ERROR
        except KeyboardInterrupt:
            print("interrupted: nothing unfinished was published", file=sys.stderr)
            return INTERRUPTED


def _delegate(argv: list[str], hydra_main: Callable[[], Any]) -> int:
    """Hydra's own flags (--help, --cfg, ...): Hydra prints, nothing runs."""
    sys.argv = [sys.argv[0], *argv]
    hydra_main()
    return 0


@contextlib.contextmanager
def _one_line_warnings() -> Iterator[None]:
    """Warnings printed as ``warning: <message>``, one line each."""
    shown = warnings.showwarning

    def show(message: Any, category: Any, *_: Any, **__: Any) -> None:
        print(f"warning: {' '.join(str(message).split())}", file=sys.stderr)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = shown


def in_worker() -> bool:
    """Whether this process is a worker of a sweep started by :func:`main`."""
    driver = os.environ.get(DRIVER_ENV)
    return driver is not None and int(driver) != os.getpid()


def hydra_job(cfg: DictConfig) -> None:
    """The task of one job of a Hydra sweep (run.py's ``@hydra.main`` calls it)."""
    from hydra.core.hydra_config import HydraConfig

    from sim.processes import die_with_parent

    hc = HydraConfig.get()
    if in_worker():
        die_with_parent(os.getppid())
    job = Job(cfg, Path(hc.runtime.output_dir), tuple(hc.overrides.task), int(hc.job.num))
    if execute(job, show=False) is not None:
        print(f"done: {job.out}")
