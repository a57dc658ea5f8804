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

from sim.config import Config
from sim.config.dump import read_config
from sim.config.errors import ConfigError
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
    return read_config(path / "config.yaml")


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
    labels = [j.label for j in jobs]
    for j in jobs:  # a sweep over a factor the label does not show (seed=1,2)
        if labels.count(j.label) > 1:
            j.label = f"{j.label} ({j.path.name})"
    numeric = all(isinstance(j.x, int | float) and not isinstance(j.x, bool) for j in jobs)
    return sorted(jobs, key=(lambda j: (j.x, j.num)) if numeric and jobs else (lambda j: j.num))


def load_runs(paths: list[Path]) -> list[Job]:
    """Finished runs (folders with a manifest), in the order given, with distinct labels.

    A run is labelled by its manifest's label (the scenario name); runs that
    share one are labelled by their folder names instead. Raises
    ValueError naming a folder that is not a finished run.
    """
    jobs = []
    for num, path in enumerate(paths):
        path = Path(path)
        job = load_job(path) if path.is_dir() else None
        if job is None:
            raise ValueError(f"{path} is not a finished run (no done.json manifest in it)")
        job.num = num
        jobs.append(job)
    _label_runs(jobs)
    if len({j.label for j in jobs}) < len(jobs):
        j_all = [str(j.path) for j in jobs]
        raise ValueError(f"runs need distinct folder names to be told apart: {j_all}")
    return jobs


def _label_runs(jobs: list[Job]) -> None:
    """Label each run by the overrides that set it apart, else by its folder's name."""
    given = [read_marker(j.path).get("overrides") for j in jobs]
    if all(isinstance(o, list) for o in given):
        common = set.intersection(*(set(o) for o in given))
        for j, o in zip(jobs, given, strict=True):
            own = [x for x in o if x not in common]
            j.label = ", ".join(own) if own else j.path.name
    labels = [j.label for j in jobs]
    for j in jobs:
        if labels.count(j.label) > 1:
            j.label = j.path.name


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


def paired(
    jobs: list[Job], base: Job, kpis: list[tuple[str, str]], mixed: bool = False
) -> pd.DataFrame:
    """Differences (job - baseline) with 95 % CIs and a significance flag.

    Paired (replication r with replication r) unless ``mixed``: then Welch's
    unpaired interval (:func:`unpaired_difference`).
    """
    diff = unpaired_difference if mixed else paired_difference
    frames = []
    wanted = pd.DataFrame(kpis, columns=["scope", "metric"])
    for j in jobs:
        if j is base:
            continue
        d = diff(base.replications, j.replications).merge(wanted)
        d.insert(0, "job", j.label)
        frames.append(d)
    return _flagged(frames)


SETTINGS = ("seed", "replications", "horizon", "warmup", "interval")


class MixedRunsError(ConfigError):
    """Runs that are not on common random numbers were asked to be compared as pairs."""


def run_settings(job: Job) -> dict[str, float]:
    """The settings that must agree for replication r of two runs to be a pair."""
    return {k: getattr(job.config, k) for k in SETTINGS}


def differences(jobs: list[Job]) -> list[str]:
    """How the jobs' run settings differ, one phrase per setting (empty: comparable)."""
    out = []
    for key in SETTINGS:
        values = {j.label: getattr(j.config, key) for j in jobs}
        if len(set(values.values())) > 1:
            shown = "; ".join(f"{lab}: {v:g}" for lab, v in list(values.items())[:4])
            out.append(f"{key} ({shown})")
    return out


def check_comparable(jobs: list[Job], allow_mixed: bool = False) -> list[str]:
    """Refuse jobs of different seeds, replications, horizons, warm-ups or intervals.

    Paired differences pair replication r with replication r, which means
    something only on common random numbers and equal windows. With
    ``allow_mixed`` the differences are returned (and the comparison is made
    unpaired, :func:`unpaired`) instead of raising :class:`MixedRunsError`.
    """
    found = differences(jobs)
    if found and not allow_mixed:
        raise MixedRunsError(
            f"runs differ in {'; '.join(found)}: paired differences need the same seed, "
            "replications, horizon, warm-up and interval; rerun them alike or pass "
            "--allow-mixed for an unpaired comparison"
        )
    return found


NET = ("net", "value")


def _burden(job: Job) -> pd.DataFrame:
    """Per replication: minus (window cost + a year of revenue of the customers lost)."""
    r = job.replications
    cost = r[(r.scope == "cost") & (r.metric == "total")].set_index("replication")["value"]
    lost = r[(r.scope == "churn") & (r.metric == "revenue_lost_year")]
    lost = lost.set_index("replication")["value"].reindex(cost.index, fill_value=0.0)
    value = -(cost + lost)
    return pd.DataFrame(
        {"replication": value.index, "scope": NET[0], "metric": NET[1], "value": value.values}
    )


def has_costs(job: Job) -> bool:
    """Whether the job ran the cost model."""
    return bool(((job.replications.scope == "cost") & (job.replications.metric == "total")).any())


def net_value(jobs: list[Job], base: Job, mixed: bool = False) -> pd.DataFrame:
    """Net value of each job against the baseline, with its 95 % CI (paired unless ``mixed``).

    Net value = the window's cost saving (baseline cost - job cost) minus a
    year of revenue of the extra customers the job loses in the window
    (its ``revenue_lost_year`` - the baseline's): what the change is worth
    once the churn it causes is paid for. Positive = the job is better.
    """
    if not has_costs(base) or not all(has_costs(j) for j in jobs):
        return pd.DataFrame(columns=["job", "scope", "metric", "mean", "ci_low", "ci_high"])
    diff = unpaired_difference if mixed else paired_difference
    frames = []
    for j in jobs:
        if j is base:
            continue
        d = diff(_burden(base), _burden(j))
        d.insert(0, "job", j.label)
        frames.append(d)
    return _flagged(frames)


def _flagged(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=["job", "scope", "metric", "mean", "ci_low", "ci_high"])
    out = pd.concat(frames, ignore_index=True)
    out["significant"] = (out.ci_low > 0) | (out.ci_high < 0)
    return out


def unpaired_difference(a: pd.DataFrame, b: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """CI of mean(b) - mean(a) per KPI, without pairing (Welch's t interval).

    For runs that do not share random numbers: wider than the paired
    interval, and valid for different replication counts.
    """
    from scipy.stats import t as student

    keys = ["scope", "metric"]
    ga = a.groupby(keys)["value"].agg(["mean", "var", "count"])
    gb = b.groupby(keys)["value"].agg(["mean", "var", "count"])
    both = ga.join(gb, lsuffix="_a", rsuffix="_b", how="inner")
    va, vb = both.var_a / both.count_a, both.var_b / both.count_b
    se = (va + vb) ** 0.5
    dof = (va + vb) ** 2 / (va**2 / (both.count_a - 1) + vb**2 / (both.count_b - 1))
    half = student.ppf(0.5 + level / 2, dof.where(dof > 0)) * se
    mean = both.mean_b - both.mean_a
    out = pd.DataFrame({"mean": mean, "ci_low": mean - half, "ci_high": mean + half})
    return out.reset_index()


HEADCOUNT = ("headcount", "paid_hours", "fte")


def headcount_table(jobs: list[Job]) -> pd.DataFrame:
    """Headcount, paid hours and FTE per group, vendor and overall, per job (means)."""
    rows = []
    for j in jobs:
        k = j.kpis[j.kpis.metric.isin(HEADCOUNT)]
        for scope, metric, mean in k[["scope", "metric", "mean"]].itertuples(index=False):
            rows.append((j.label, scope, metric, mean))
    return pd.DataFrame(rows, columns=["job", "scope", "metric", "mean"])
