"""ccsim: a discrete-event contact-center simulator on SimPy, validated against queueing theory.

Public API::

    from sim import load_config, run_experiment, write_results
    cfg = load_config("mmc", ["servers=52"])   # same as: python run.py scenario=mmc servers=52
    results = run_experiment(cfg)              # pandas DataFrames: results.kpis, .intervals, ...
"""

from __future__ import annotations

from pathlib import Path

from sim.api import load_config, to_config
from sim.checks import ConfigError
from sim.config import Config, register_configs
from sim.runner import Results, run_experiment, run_replication

__all__ = [
    "Config",
    "ConfigError",
    "Results",
    "load_config",
    "register_configs",
    "run_experiment",
    "run_replication",
    "to_config",
    "write_results",
]


def write_results(results: Results, out_dir: str | Path) -> list[Path]:
    """Write tables and plots of ``results`` into ``out_dir`` (see :mod:`sim.io`)."""
    from sim.io import write_results as _write

    return _write(results, out_dir)
