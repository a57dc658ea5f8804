"""Writing results: small tables as CSV, per-contact tables as Parquet, plots as PNG.

Files are first written into a hidden staging folder inside the output
directory and moved into place only when all of them are complete, so an
interrupted run never leaves a half-written table that looks finished.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf

from sim.runner import Results


def _tables(results: Results) -> dict[str, object]:
    return {
        "kpis.csv": results.kpis,
        "replications.csv": results.replications,
        "intervals.csv": results.intervals,
        "waits.csv": results.waits,
        "staffing_baseline.csv": results.baseline,
        "contacts.parquet": results.contacts,
        "levels.parquet": results.levels,
        "cases.parquet": results.cases,
        "stress.parquet": results.stress,
    }


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)


def write_results(results: Results, out_dir: Path, plots: bool | None = None) -> list[Path]:
    """Write every table (and the plots) into ``out_dir``; return the files written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(".staging-*"):  # left by a run killed while writing
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        OmegaConf.save(
            OmegaConf.structured(dataclasses.asdict(results.config)), staging / "config.yaml"
        )
        for name, frame in _tables(results).items():
            if frame is not None:
                _write_table(frame, staging / name)
        if results.config.plots if plots is None else plots:
            from sim.plots import save_plots

            save_plots(results, staging)
        written = []
        for f in sorted(staging.iterdir()):
            written.append(f.replace(out_dir / f.name))
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
