"""Command line: ``python run.py [scenario=<name>] [key=value ...]`` (Hydra).

Config -> validate -> run replications -> write tables and plots -> print KPIs.
A configuration error stops the run before it starts, prints one line naming
the key, the value and the rule, and leaves nothing in ``results/``.

Experiments: ``python run.py experiment=<name>`` runs a sweep (see
``configs/experiment/``) into ``results/experiments/<name>/``, one folder per
job, then writes ``report.html`` there. Running the same command again
resumes: jobs already finished with the same configuration are skipped.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from sim import report
from sim.api import to_config
from sim.checks import ConfigError
from sim.config import register_configs
from sim.io import write_results
from sim.jobs import clear_marker, config_digest, is_done, mark_done
from sim.runner import run_experiment

register_configs()


def _job_info(cfg: DictConfig, digest: str) -> dict:
    """What the report needs to know about this job."""
    hc = HydraConfig.get()
    overrides = [o for o in hc.overrides.task if not o.startswith(("experiment=", "hydra"))]
    study = cfg.study
    x = OmegaConf.select(cfg, study.x) if study.x else None
    label = study.label or ", ".join(overrides) or cfg.name
    num = OmegaConf.select(hc, "job.num", default=0)
    return {"digest": digest, "label": str(label), "x": x, "overrides": overrides, "num": num}


@hydra.main(version_base="1.3", config_path="configs", config_name="config")
def main(cfg: DictConfig) -> None:
    """Run the composed scenario and write its results into Hydra's output folder."""
    out = Path(HydraConfig.get().runtime.output_dir)
    try:
        config = to_config(cfg)
        digest = config_digest(config)
        if is_done(out, digest):
            print(f"already done (same configuration): {out}")
            return
        clear_marker(out)
        results = run_experiment(config)
        write_results(results, out)
        mark_done(out, _job_info(cfg, digest))
    except (ConfigError, KeyboardInterrupt) as err:
        shutil.rmtree(out, ignore_errors=True)
        print(f"error: {err}" if isinstance(err, ConfigError) else "interrupted", file=sys.stderr)
        sys.exit(2)
    if HydraConfig.get().mode == RunMode.MULTIRUN:
        print(f"done: {out}")
    else:
        print(report.text(results))
        print(f"results: {out}")


if __name__ == "__main__":
    main()
