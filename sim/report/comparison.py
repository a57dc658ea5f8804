"""One comparison of finished runs, computed once and shown as HTML, Excel and terminal text.

A :class:`Comparison` holds the jobs, the baseline, the KPI table, the
differences with the baseline (paired on common random numbers, or Welch's
unpaired interval when the runs were allowed to differ), the net value, the
headcount rows and a plain-language paragraph per job.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from sim.config.study import StudyConfig
from sim.report.names import judged, kpi_label
from sim.report.summary import diff_text, summaries
from sim.report.text import _fmt
from sim.study.compare import (
    Job,
    baseline_of,
    check_comparable,
    headcount_table,
    net_value,
    paired,
    parse_kpis,
    side_by_side,
)


@dataclass
class Comparison:
    """Everything a report of a comparison shows."""

    jobs: list[Job]
    base: Job
    study: StudyConfig
    kpis: list[tuple[str, str]]
    table: pd.DataFrame
    diff: pd.DataFrame
    net: pd.DataFrame
    headcount: pd.DataFrame
    mixed: list[str]
    text: dict[str, str]
    notes: list[str]

    @property
    def labels(self) -> list[str]:
        """Job labels in report order."""
        return [j.label for j in self.jobs]

    @property
    def is_paired(self) -> bool:
        """Whether the differences pair replications (the runs share their settings)."""
        return not self.mixed


def build(
    jobs: list[Job], study: StudyConfig, allow_mixed: bool = False, strict: bool = True
) -> Comparison:
    """Compare ``jobs`` with the study's baseline; refuse mixed settings unless allowed.

    A baseline that is not among the jobs is an error when ``strict`` (the
    user named it); otherwise (an experiment rerun without its baseline's
    value) the first job is the baseline and a note says so.
    """
    mixed = check_comparable(jobs, allow_mixed)
    kpis = parse_kpis(study.kpis)
    notes = []
    if not strict and study.baseline and study.baseline not in [j.label for j in jobs]:
        notes.append(
            f"the experiment's baseline {study.baseline!r} is not a job of this sweep; "
            f"the first job, {jobs[0].label!r}, is the baseline instead"
        )
        study = dataclasses.replace(study, baseline="")
    base = baseline_of(jobs, study.baseline)
    table = side_by_side(jobs, kpis)
    diff = paired(jobs, base, kpis, mixed=bool(mixed))
    net = net_value(jobs, base, mixed=bool(mixed))
    text = summaries([j.label for j in jobs], base.label, diff, table, net, base.config, not mixed)
    return Comparison(
        jobs, base, study, kpis, table, diff, net, headcount_table(jobs), mixed, text, notes
    )


def _mark(metric: str, r: pd.Series) -> str:
    return {"better": " (better)", "worse": " (worse)"}.get(
        judged(metric, r["mean"], bool(r.significant)), ""
    )


def terminal(c: Comparison) -> str:
    """The comparison as terminal text: KPI table, differences, net value, paragraphs."""
    cfg = c.base.config
    rows = []
    for scope, metric in c.kpis:
        label = kpi_label(scope, metric, cfg)
        cells = [label]
        for lab in c.labels:
            t = c.table[
                (c.table.job == lab) & (c.table.scope == scope) & (c.table.metric == metric)
            ]
            value = _fmt(metric, t["mean"].iloc[0]) if len(t) else ""
            if lab != c.base.label:
                d = c.diff[
                    (c.diff.job == lab) & (c.diff.scope == scope) & (c.diff.metric == metric)
                ]
                if len(d):
                    r = d.iloc[0]
                    star = "*" if r.significant else ""
                    value += f" ({diff_text(metric, r['mean'])}{star}{_mark(metric, r)})"
            cells.append(value)
        rows.append(cells)
    heads = ["KPI"] + [f"{lab} (baseline)" if lab == c.base.label else lab for lab in c.labels]
    table = pd.DataFrame(rows, columns=heads).to_string(index=False)
    kind = "paired" if c.is_paired else "UNPAIRED (" + "; ".join(c.mixed) + ")"
    lines = [
        f"{c.study.title or c.study.name or 'Comparison'}: {len(c.jobs)} runs, baseline "
        f"{c.base.label}; {c.base.config.replications} replications, seed {c.base.config.seed}",
        f"In brackets: difference with the baseline, {kind}; * = 95 % interval excludes zero.",
        table,
    ]
    lines += [f"Note: {n}." for n in c.notes]
    lines += [f"\n{lab}: {txt}" for lab, txt in c.text.items()]
    return "\n".join(lines)
