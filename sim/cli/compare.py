"""``./dev compare``: compare finished runs, or the jobs of a sweep, with a baseline.

    ./dev compare results/experiments/outsourcing_mix          # a sweep folder
    ./dev compare results/runs/a results/runs/b --baseline a   # two or more runs

For a sweep folder, the current sweep's jobs (its ``sweep.json``) are
compared with the study's own KPIs and baseline, and ``report.html`` and
``report.xlsx`` are rewritten in the sweep folder (or written to ``--out``).
For runs, a new folder (``--out``, default ``results/compare/<a>_vs_<b>``)
receives ``report.html``, ``report.xlsx``, ``differences.csv``, ``kpis.csv``
and ``summary.txt``, published as a run is (staging, manifest last; files
of the user's are never touched). The terminal summary is printed either way.

Runs of different seeds, replication counts, horizons, warm-ups or
intervals are refused (their replications are not pairs) unless
``--allow-mixed``, which makes the differences unpaired (Welch). Every
user error is one line and exit code 2, with nothing written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from sim.config.checks.common import check_safe_name
from sim.config.errors import ConfigError, OutputError
from sim.config.study import DEFAULT_KPIS, StudyConfig
from sim.report.comparison import Comparison, build, terminal
from sim.study.compare import has_costs, load_jobs, load_runs
from sim.study.folders import MANIFEST, Claim
from sim.study.jobs import SWEEP, sweep_jobs

USER_ERROR = 2
COST_KPIS = [
    "cost/per_managed_customer_month",
    "cost/total",
    "all/fcr",
    "all/churn_rate",
    "churn/revenue_lost_year",
]
WRITES = ("report.html", "report.xlsx", "differences.csv", "kpis.csv", "summary.txt")


def parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    p = argparse.ArgumentParser(
        prog="./dev compare",
        description="Compare finished runs (or a sweep folder) with a baseline: paired "
        "differences, terminal summary, HTML and Excel report.",
    )
    p.add_argument("paths", nargs="+", type=Path, help="a sweep folder, or two or more runs")
    p.add_argument("--baseline", default="", help="label of the baseline (default: the first)")
    p.add_argument(
        "--kpi", action="append", default=[], help="scope/metric to compare (repeatable)"
    )
    p.add_argument("--out", type=Path, default=None, help="folder for the report files")
    p.add_argument("--title", default="", help="the report's heading")
    p.add_argument(
        "--allow-mixed",
        action="store_true",
        help="compare runs of different seeds/replications/horizons (unpaired)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace another result in --out")
    return p


def is_sweep(path: Path) -> bool:
    """A sweep folder: it has ``sweep.json``, or job folders and no manifest of its own."""
    if (path / SWEEP).is_file():
        return True
    return not (path / MANIFEST).is_file() and any(
        (p / MANIFEST).is_file() for p in path.iterdir() if p.is_dir()
    )


def _saved_study(path: Path) -> StudyConfig:
    """The study block saved with a sweep's first job (its KPIs, baseline, title, x)."""
    from omegaconf import OmegaConf

    names = sweep_jobs(path) or sorted(p.name for p in path.iterdir() if p.is_dir())
    for name in names:
        saved = path / name / "config.yaml"
        if saved.is_file():
            block = OmegaConf.to_container(OmegaConf.load(saved).get("study", {}), resolve=False)
            block.pop("label", None)
            return StudyConfig(**block)
    return StudyConfig()


def _study(args: argparse.Namespace, base: StudyConfig, costs: bool) -> StudyConfig:
    kpis = args.kpi or base.kpis or list(DEFAULT_KPIS)
    if not args.kpi and costs and kpis == list(DEFAULT_KPIS):
        kpis = kpis + COST_KPIS
    return StudyConfig(
        name=base.name,
        title=args.title or base.title,
        question=base.question,
        x=base.x,
        baseline=args.baseline or base.baseline,
        kpis=kpis,
        analysis=base.analysis,
    )


def _digest(c: Comparison, args: argparse.Namespace) -> str:
    """What identifies this comparison's output: the inputs' manifests and the options."""
    parts = [
        (str(j.path.resolve()), (j.path / MANIFEST).read_text(encoding="utf-8")) for j in c.jobs
    ]
    text = json.dumps([parts, c.study.kpis, c.base.label, bool(c.mixed)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _default_out(c: Comparison) -> Path:
    name = "_vs_".join(j.label for j in c.jobs)
    safe = "".join(ch if ch.isalnum() or ch in "_-." else "_" for ch in name)[:80].strip(".")
    return Path("results") / "compare" / (safe or "comparison")


def _write_runs(c: Comparison, args: argparse.Namespace) -> list[Path]:
    from sim.report.html import write_comparison

    out = args.out or _default_out(c)
    check_safe_name(out.name, "--out (the folder's name)")
    with Claim(out, _digest(c, args), args.overwrite, False, WRITES) as claim:
        write_comparison(c, claim.staging, out)
        c.diff.to_csv(claim.staging / "differences.csv", index=False)
        c.table.to_csv(claim.staging / "kpis.csv", index=False)
        (claim.staging / "summary.txt").write_text(terminal(c) + "\n", encoding="utf-8")
        claim.publish({"label": "comparison", "runs": [str(j.path) for j in c.jobs]})
    return [out / n for n in WRITES]


def run(args: argparse.Namespace) -> list[Path]:
    """Compare, write the reports, print the terminal summary; return the files written."""
    from sim.report.html import write_comparison

    for p in args.paths:
        if not p.is_dir():
            raise ConfigError(f"compare: {p} is not a folder")
    if len(args.paths) == 1:
        sweep = args.paths[0]
        if not is_sweep(sweep):
            raise ConfigError(
                f"compare: {sweep} is a single run; give two or more runs, or a sweep folder"
            )
        jobs = load_jobs(sweep)
        if not jobs:
            raise ConfigError(f"compare: no finished job of the current sweep in {sweep}")
        study = _study(args, _saved_study(sweep), all(has_costs(j) for j in jobs))
        c = build(jobs, study, args.allow_mixed, strict=bool(args.baseline))
        written = write_comparison(c, sweep, sweep) if args.out is None else _write_runs(c, args)
    else:
        jobs = load_runs(args.paths)
        study = _study(args, StudyConfig(), all(has_costs(j) for j in jobs))
        c = build(jobs, study, args.allow_mixed)
        written = _write_runs(c, args)
    print(terminal(c))
    return written


def main(argv: list[str] | None = None) -> int:
    """Entry point: one line and exit code 2 for every user error."""
    args = parser().parse_args(argv)
    try:
        paths = run(args)
    except (ConfigError, OutputError, ValueError) as err:
        print(f"error: {str(err).replace('overwrite=true', '--overwrite')}", file=sys.stderr)
        return USER_ERROR
    print("report: " + ", ".join(str(p) for p in paths if p.suffix in (".html", ".xlsx")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
