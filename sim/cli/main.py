"""The command line, checked before anything runs or is written.

``python run.py [key=value ...]`` runs one scenario; ``-m`` (or an
``experiment=``) runs a sweep with Hydra's launchers. Before a run starts:

1. the overrides are parsed, config-group choices must be plain names of
   files in ``configs/`` (or a ``--config-dir``), and the configuration is
   composed with every error as one line (:mod:`sim.config.compose`);
2. every configuration (each job's, for a sweep) is converted and checked:
   types, rules, names, size (:mod:`sim.config.checks`, :mod:`sim.config.size`); a bad
   job stops the sweep before its first job, naming the job;
3. the output folder must be new, empty, a result of the same
   configuration (then the run is skipped: "already done"), or, with
   ``overwrite=true``, another result or a folder of the user's files
   (:mod:`sim.study.folders`); a sweep folder and each job folder are checked.

A single run is composed once and executed here (Hydra's compose API);
a sweep is handed to Hydra's multirun with its folder fixed, and each job
runs :func:`execute`. A user error prints ``error: <one line>`` and exits
with 2, writing nothing; Ctrl-C removes only the run's own staging and exits
with 130. Internal errors keep their traceback (``HYDRA_FULL_ERROR``).
Before anything loads numpy, OpenBLAS is set to one thread unless the user
chose (:func:`sim.cli.common.one_blas_thread`).
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.cli.common import StartupCollector, one_blas_thread, split_overrides
from sim.config.errors import ConfigError

INTERRUPTED = 130
USER_ERROR = 2
INTROSPECTION = ("help", "hydra_help", "version", "cfg", "info", "shell_completion")


def parse_args(argv: Sequence[str]) -> Any:
    """Hydra's own command-line parser (so every Hydra flag keeps its meaning)."""
    from hydra._internal.utils import get_args_parser

    parser = get_args_parser()

    def refuse(message: str) -> None:
        raise ConfigError(f"{message} (python run.py --help lists the flags)")

    parser.error = refuse  # one line, not argparse's usage block
    return parser.parse_args(list(argv))


def sweep_master(args: Any) -> DictConfig | None:
    """The sweep's master configuration if the command line asks for a sweep, else None.

    A sweep is ``-m``, or an experiment (whose file sets ``hydra.mode``); the
    master is composed without the values that sweep.
    """
    from sim.config.compose import compose_config, translate

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
    one_blas_thread()
    collector = StartupCollector()
    with _one_line_warnings():
        try:
            args = parse_args(argv)
            if any(getattr(args, flag, None) for flag in INTROSPECTION):
                collector.started()
                return _delegate(list(argv), hydra_main)
            if args.config_path:
                raise ConfigError("--config-path is not supported: use --config-dir <folder>")
            master = sweep_master(args)
            if master is not None:
                from sim.cli.sweep import run_sweep

                collector.started()  # before the jobs are composed: see StartupCollector
                return run_sweep(args, master, hydra_main)
            from sim.cli.execute import run_single

            return run_single(args, collector.started)
        except ConfigError as err:
            print(f"error: {' '.join(str(err).split())}", file=sys.stderr)
            return USER_ERROR
        except KeyboardInterrupt:
            print("interrupted: nothing unfinished was published", file=sys.stderr)
            return INTERRUPTED
        finally:
            collector.started()


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
