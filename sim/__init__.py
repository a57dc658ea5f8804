"""ccsim: a discrete-event contact-center simulator on SimPy, validated against queueing theory.

The public API (the package layout and its data flow: docs/architecture.md)::

    from sim import load_config, run_experiment, write_results, paired_difference
    cfg = load_config("mmc", ["servers=52"])   # same as: python run.py scenario=mmc servers=52
    results = run_experiment(cfg)              # pandas DataFrames: results.kpis, .intervals, ...
    legs = journey(results, issue_id=0)        # one issue's IVR, queue, agent, repeat legs
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
    "journey",
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


def journey(results: Results, issue_id: int, replication: int = 0):
    """The legs of one issue as a DataFrame (see :func:`sim.report.journey.journey`).

    Needs ``keep_records=true``; ValueError otherwise or for an unknown issue.
    The timeline figure: ``sim.report.journey.plot_journey(legs)``.
    """
    from sim.report.journey import journey as _journey

    return _journey(results, issue_id, replication)
