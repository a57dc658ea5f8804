"""ccsim: a discrete-event contact-center simulator on SimPy, validated against queueing theory.

The public API (the package layout and its data flow: docs/architecture.md)::

    from sim import load_config, run_experiment, write_results, paired_difference
    cfg = load_config("mmc", ["servers=52"])   # same as: python run.py scenario=mmc servers=52
    results = run_experiment(cfg)              # pandas DataFrames: results.kpis, .intervals, ...
"""

from __future__ import annotations

from pathlib import Path

from sim.config import Config, register_configs
from sim.config.errors import ConfigError
from sim.config.load import load_config, to_config
from sim.metrics.results import Results
from sim.metrics.stats import paired_difference
from sim.runner import run_experiment, run_replication

__all__ = [
    "Config",
    "ConfigError",
    "Results",
    "load_config",
    "paired_difference",
    "register_configs",
    "run_experiment",
    "run_replication",
    "to_config",
    "write_results",
]


def write_results(results: Results, out_dir: str | Path) -> list[Path]:
    """Write tables and plots of ``results`` into ``out_dir`` (see :mod:`sim.report.io`)."""
    from sim.report.io import write_results as _write

    return _write(results, out_dir)
