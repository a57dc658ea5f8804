"""Command line: ``python run.py [scenario=<name>] [key=value ...]`` (Hydra).

Config -> checks -> run replications -> write tables and plots -> print KPIs.
Every configuration (each job's, for a sweep) and the output folder are
checked before anything runs (:mod:`sim.cli`): a bad input prints one line
naming the key, the value and the rule, exits with 2 and writes nothing.

Experiments: ``python run.py experiment=<name>`` runs a sweep (see
``configs/experiment/``) into ``results/experiments/<name>/``, one folder per
job, then writes ``report.html`` there. Running the same command again
resumes: jobs already finished with the same configuration are skipped.
"""

from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

from sim.cli.execute import hydra_job
from sim.cli.main import main
from sim.config import register_configs

register_configs(entries=False)  # the entry schemas: when an override adds an entry


@hydra.main(version_base="1.3", config_path="configs", config_name="config")
def hydra_main(cfg: DictConfig) -> None:
    """One job of a sweep (Hydra's multirun calls this in its launcher's workers)."""
    hydra_job(cfg)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], hydra_main))
