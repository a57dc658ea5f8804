"""ccsim: a discrete-event contact-center simulator on SimPy, validated against queueing theory.

The public API (the package layout and its data flow: docs/architecture.md)::

    from sim import load_config, run_experiment, write_results, paired_difference
    cfg = load_config("mmc", ["servers=52"])   # same as: python run.py scenario=mmc servers=52
    results = run_experiment(cfg)              # pandas DataFrames: results.kpis, .intervals, ...
    legs = journey(results, issue_id=0)        # one issue's IVR, queue, agent, repeat legs

The names are imported on first use (PEP 562 ``__getattr__``), so ``import sim`` or
``import sim.config`` costs no more than what is used: the engine, pandas, plots
and scipy load only when a name that needs them is asked for.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.config import Config, register_configs
    from sim.config.errors import ConfigError
    from sim.config.load import load_config, to_config
    from sim.metrics.results import Results
    from sim.metrics.stats import paired_difference
    from sim.runner import run_experiment, run_replication

LAZY = {
    "Config": "sim.config",
    "register_configs": "sim.config",
    "ConfigError": "sim.config.errors",
    "load_config": "sim.config.load",
    "to_config": "sim.config.load",
    "Results": "sim.metrics.results",
    "paired_difference": "sim.metrics.stats",
    "run_experiment": "sim.runner",
    "run_replication": "sim.runner",
}  # public name -> the module defining it (the TYPE_CHECKING imports above, for checkers)

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


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use and kept."""
    if name not in LAZY:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *LAZY})


# The stage package sim.journey (a docstring) is loaded before the function journey below is
# defined: loading a subpackage sets the parent's attribute of that name, and would otherwise
# replace the function the first time the engine is imported (not an import of its code).
importlib.import_module("sim.journey")


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
