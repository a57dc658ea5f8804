"""An experiment's finished jobs, side by side, and paired comparisons with a baseline.

Every job of a sweep uses the same seed, so replication r of every job sees
the same arrivals, handle times and patience draws wherever the scenarios
share them (common random numbers). A comparison with the baseline pairs
replication r with replication r: the CI of the mean difference is usually
much narrower than the two separate CIs suggest, and a difference is called
significant only when that paired CI excludes zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf

from sim.config import Config
from sim.metrics.stats import paired_difference
from sim.study.jobs import read_marker, sweep_jobs


@dataclass
class Job:
    """One finished job of a sweep: its label, position and tables."""

    path: Path
    label: str
    x: float | str | None
    num: int
    config: Config
    kpis: pd.DataFrame
    replications: pd.DataFrame
    intervals: pd.DataFrame
    waits: pd.DataFrame


def _config(path: Path) -> Config:
    loaded = OmegaConf.load(path / "config.yaml")
    return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(Config), loaded))


def load_job(path: Path) -> Job | None:
    """The job in ``path``, or None if it has not finished."""
    marker = read_marker(path)
    if marker is None:
        return None
    return Job(
        path=path,
        label=marker["label"],
        x=marker.get("x"),
        num=int(marker.get("num", 0)),
        config=_config(path),
        kpis=pd.read_csv(path / "kpis.csv"),
        replications=pd.read_csv(path / "replications.csv"),
        intervals=pd.read_csv(path / "intervals.csv"),
        waits=pd.read_csv(path / "waits.csv"),
    )


def load_jobs(sweep_dir: Path) -> list[Job]:
    """Finished jobs of the current sweep, ordered by x (numeric) or by job number.

    The current sweep's jobs are those its ``sweep.json`` lists; jobs left in
    the folder by an earlier sweep with other values are not part of it.
    """
    sweep_dir = Path(sweep_dir)
    names = sweep_jobs(sweep_dir)
    if names is None:  # a folder of finished jobs without a sweep manifest
        names = sorted(p.name for p in sweep_dir.iterdir() if p.is_dir())
    jobs = [j for n in names if (sweep_dir / n).is_dir() and (j := load_job(sweep_dir / n))]
    numeric = all(isinstance(j.x, int | float) and not isinstance(j.x, bool) for j in jobs)
    return sorted(jobs, key=(lambda j: (j.x, j.num)) if numeric and jobs else (lambda j: j.num))


def parse_kpis(kpis: list[str]) -> list[tuple[str, str]]:
    """``["all/service_level", ...]`` -> ``[("all", "service_level"), ...]``."""
    out = []
    for k in kpis:
        scope, sep, metric = k.rpartition("/")
        if not sep or not scope or not metric:
            raise ValueError(f"study.kpis entry {k!r} must be 'scope/metric'")
        out.append((scope, metric))
    return out


def baseline_of(jobs: list[Job], label: str) -> Job:
    """The job called ``label`` (the first job when ``label`` is empty)."""
    if not label:
        return jobs[0]
    for j in jobs:
        if j.label == label:
            return j
    names = [j.label for j in jobs]
    raise ValueError(f"study.baseline {label!r} is not a job of this sweep; jobs: {names}")


def side_by_side(jobs: list[Job], kpis: list[tuple[str, str]]) -> pd.DataFrame:
    """Long table ``job, scope, metric, mean, ci_low, ci_high, theory`` for the KPIs."""
    rows = []
    for j in jobs:
        k = j.kpis.set_index(["scope", "metric"])
        for scope, metric in kpis:
            if (scope, metric) not in k.index:
                continue
            r = k.loc[(scope, metric)]
            theory = r.get("theory", math.nan)
            rows.append((j.label, scope, metric, r["mean"], r.ci_low, r.ci_high, theory))
    cols = ["job", "scope", "metric", "mean", "ci_low", "ci_high", "theory"]
    return pd.DataFrame(rows, columns=cols)


def paired(jobs: list[Job], base: Job, kpis: list[tuple[str, str]]) -> pd.DataFrame:
    """Paired differences (job - baseline) with 95 % CIs and a significance flag."""
    frames = []
    wanted = pd.DataFrame(kpis, columns=["scope", "metric"])
    for j in jobs:
        if j is base:
            continue
        d = paired_difference(base.replications, j.replications).merge(wanted)
        d.insert(0, "job", j.label)
        frames.append(d)
    if not frames:
        return pd.DataFrame(columns=["job", "scope", "metric", "mean", "ci_low", "ci_high"])
    out = pd.concat(frames, ignore_index=True)
    out["significant"] = (out.ci_low > 0) | (out.ci_high < 0)
    return out
