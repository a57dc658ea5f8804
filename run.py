"""Command line: ``python run.py [scenario=<name>] [key=value ...]`` (Hydra).

Config -> validate -> run replications -> write tables and plots -> print KPIs.
A configuration error stops the run before it starts, prints one line naming
the key, the value and the rule, and leaves nothing in ``results/``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim import report
from sim.api import to_config
from sim.checks import ConfigError
from sim.config import register_configs
from sim.io import write_results
from sim.runner import run_experiment

register_configs()


@hydra.main(version_base="1.3", config_path="configs", config_name="config")
def main(cfg: DictConfig) -> None:
    """Run the composed scenario and write its results into Hydra's output folder."""
    out = Path(HydraConfig.get().runtime.output_dir)
    try:
        config = to_config(cfg)
        results = run_experiment(config)
        write_results(results, out)
    except (ConfigError, KeyboardInterrupt) as err:
        shutil.rmtree(out, ignore_errors=True)
        print(f"error: {err}" if isinstance(err, ConfigError) else "interrupted", file=sys.stderr)
        sys.exit(2)
    print(report.text(results))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
