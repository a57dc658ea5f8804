"""A static, self-contained HTML report of an experiment (opens from disk, no network).

The scenarios of a sweep side by side: the KPI table with 95 % intervals
(and theory where it exists), paired differences with the baseline on common
random numbers (significant ones marked), the cost breakdown, and plots
(KPIs against the swept factor, service level and occupancy by interval,
wait distribution, cost per managed customer against FCR and churn). Images
are PNGs embedded as data URIs, so the single file can be mailed or archived.
"""

from __future__ import annotations

import base64
import html
import importlib
import io
import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.config.study import StudyConfig
from sim.report.text import _fmt
from sim.study.compare import Job, baseline_of, load_jobs, paired, parse_kpis, side_by_side

COST_PARTS = ("labour", "governance", "self_service", "ivr", "telephony", "bonus_malus", "hiring")
STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ddd;padding:.25em .5em;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
.sig{font-weight:bold;color:#a40000}.base{background:#eef5ff}
.note{color:#555;font-size:.9em}img{max-width:100%;margin:.5em 0}
"""


def _png(fig: plt.Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def img(fig: plt.Figure, alt: str) -> str:
    """A figure as an ``<img>`` with the PNG embedded (the page stays self-contained)."""
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{_png(fig)}">'


def _cell(metric: str, mean: float, low: float, high: float) -> str:
    if math.isnan(low):
        return _fmt(metric, mean)
    return f"{_fmt(metric, mean)}<br><small>[{_fmt(metric, low)}, {_fmt(metric, high)}]</small>"


def _grid(frame: pd.DataFrame, labels: list[str], corner: str, head, cell) -> str:
    """A table with a row per (scope, metric) of ``frame`` and a column per job label."""
    rows = []
    for (scope, metric), part in frame.groupby(["scope", "metric"], sort=False):
        by_job = part.set_index("job")
        cells = "".join(
            cell(metric, by_job.loc[lab]) if lab in by_job.index else "<td></td>" for lab in labels
        )
        rows.append(f"<tr><td>{scope} {metric}</td>{cells}</tr>")
    heads = "".join(head(lab) for lab in labels)
    return f"<table><tr><th>{corner}</th>{heads}</tr>{''.join(rows)}</table>"


def kpi_html(table: pd.DataFrame, labels: list[str], base: str) -> str:
    """KPIs as rows, jobs as columns: ``mean [CI]``, and the exact value where known."""

    def head(lab: str) -> str:
        if lab == base:
            return f'<th class="base">{html.escape(lab)} (baseline)</th>'
        return f"<th>{html.escape(lab)}</th>"

    def cell(metric: str, r: pd.Series) -> str:
        theory = (
            f'<br><small class="note">theory {_fmt(metric, r.theory)}</small>'
            if not math.isnan(r.theory)
            else ""
        )
        return f"<td>{_cell(metric, r['mean'], r.ci_low, r.ci_high)}{theory}</td>"

    return _grid(table, labels, "KPI", head, cell)


def paired_html(diff: pd.DataFrame, labels: list[str]) -> str:
    """Paired differences with the baseline; significant ones (CI excludes 0) in bold."""
    if diff.empty:
        return "<p>Only one job: nothing to compare.</p>"

    def cell(metric: str, r: pd.Series) -> str:
        cls, star = (' class="sig"', " *") if r.significant else ("", "")
        return f"<td{cls}>{_cell(metric, r['mean'], r.ci_low, r.ci_high)}{star}</td>"

    head = lambda lab: f"<th>{html.escape(lab)}</th>"  # noqa: E731
    return _grid(diff, labels, "difference with the baseline", head, cell)


def cost_html(jobs: list[Job]) -> str:
    """Cost parts per job (window totals, EUR), when the outcome model ran."""
    rows = []
    for part in (*COST_PARTS, "total", "per_managed_customer_month"):
        cells = []
        for j in jobs:
            k = j.kpis.set_index(["scope", "metric"])
            v = k["mean"].get(("cost", part), math.nan)
            text = _fmt(part, v) if part == "per_managed_customer_month" else f"EUR {v:,.0f}"
            cells.append(f"<td>{text}</td>")
        rows.append(f"<tr><td>{part}</td>{''.join(cells)}</tr>")
    head = "".join(f"<th>{html.escape(j.label)}</th>" for j in jobs)
    return f"<table><tr><th>cost</th>{head}</tr>{''.join(rows)}</table>"


def _has_costs(jobs: list[Job]) -> bool:
    return all((j.kpis.scope == "cost").any() for j in jobs)


def curves(jobs: list[Job], table: pd.DataFrame, x_name: str) -> plt.Figure:
    """Each KPI against the swept factor: means with 95 % CIs, theory as a line."""
    pairs = list(dict.fromkeys(zip(table.scope, table.metric, strict=True)))
    cols = min(3, len(pairs))
    rows = math.ceil(len(pairs) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.2 * rows), squeeze=False)
    x_of = {j.label: float(j.x) for j in jobs}
    for ax, (scope, metric) in zip(axes.flat, pairs, strict=False):
        part = table[(table.scope == scope) & (table.metric == metric)]
        x = part.job.map(x_of).to_numpy()
        ax.errorbar(
            x,
            part["mean"],
            yerr=[part["mean"] - part.ci_low, part.ci_high - part["mean"]],
            fmt="o",
            ms=4,
            capsize=3,
            label="simulation (95 % CI)",
        )
        if part["theory"].notna().any():
            ax.plot(x, part["theory"], "-", color="black", lw=1, label="theory")
        ax.set(xlabel=x_name, title=f"{scope} {metric}")
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=7)
    for ax in list(axes.flat)[len(pairs) :]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def by_interval(jobs: list[Job], column: str, ylabel: str, scale: float = 1.0) -> plt.Figure:
    """An interval KPI (scope ``all``, mean over replications) per job."""
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for j in jobs:
        iv = j.intervals[(j.intervals.scope == "all") & j.intervals.in_window]
        g = iv.groupby("t_start")[column].mean()
        ax.plot(g.index / 60, scale * g.to_numpy(), lw=1, label=j.label)
    ax.set(xlabel="time (h)", ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def waits(jobs: list[Job]) -> plt.Figure:
    """Distribution function of waits (all queued contacts) per job."""
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for j in jobs:
        w = j.waits[j.waits.scope == "all"]
        if w["count"].sum() == 0:
            continue
        cdf = np.cumsum(w["count"].to_numpy()) / w["count"].sum()
        ax.step(60 * w["high"].to_numpy(), cdf, where="post", lw=1, label=j.label)
    ax.set(xscale="symlog", xlabel="wait (s, symlog)", ylabel="P(wait <= x)", ylim=(0, 1.01))
    ax.set_xlim(left=0)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def trade_off(jobs: list[Job]) -> plt.Figure:
    """Cost per managed customer against FCR and against extra churn (95 % CIs)."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for j in jobs:
        k = j.kpis.set_index(["scope", "metric"])
        c = k.loc[("cost", "per_managed_customer_month")]
        for ax, metric in zip(axes, ("fcr", "churn_rate"), strict=True):
            if ("all", metric) not in k.index:
                continue
            y = k.loc[("all", metric)]
            ax.errorbar(
                c["mean"],
                100 * y["mean"],
                xerr=[[c["mean"] - c.ci_low], [c.ci_high - c["mean"]]],
                yerr=[[100 * (y["mean"] - y.ci_low)], [100 * (y.ci_high - y["mean"])]],
                fmt="o",
                capsize=3,
                label=j.label,
            )
    axes[0].set(xlabel="cost per managed customer-month (EUR)", ylabel="FCR (%)")
    axes[1].set(xlabel="cost per managed customer-month (EUR)", ylabel="extra churn per issue (%)")
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def _analysis(spec: str) -> Callable[[list[Job]], tuple[str, str]]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def render(jobs: list[Job], study: StudyConfig, sweep_dir: Path) -> str:
    """The report's HTML text."""
    kpis = parse_kpis(study.kpis)
    base = baseline_of(jobs, study.baseline)
    labels = [j.label for j in jobs]
    table = side_by_side(jobs, kpis)
    diff = paired(jobs, base, kpis)
    first = jobs[0].config
    parts = [
        f"<h1>{html.escape(study.title or study.name or first.name)}</h1>",
        f"<p>{html.escape(study.question)}</p>" if study.question else "",
        f'<p class="note">{len(jobs)} scenarios from <code>{html.escape(str(sweep_dir))}</code>; '
        f"base scenario <b>{html.escape(first.name)}</b>: {html.escape(first.description)}; "
        f"{first.replications} replications each, seed {first.seed} (common random numbers), "
        f"horizon {first.horizon:g} min, warm-up {first.warmup:g} min. Written "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC.</p>",
        "<h2>KPIs (mean and 95 % confidence interval)</h2>",
        kpi_html(table, labels, base.label),
        f"<h2>Paired differences with the baseline ({html.escape(base.label)})</h2>",
        '<p class="note">Replication r of each scenario against replication r of the '
        "baseline; * and bold: the 95 % interval excludes zero.</p>",
        paired_html(diff, [lab for lab in labels if lab != base.label]),
    ]
    if study.x and all(isinstance(j.x, int | float) for j in jobs):
        parts += [
            f"<h2>KPIs against {html.escape(study.x)}</h2>",
            img(curves(jobs, table, study.x), "curves"),
        ]
    parts += [
        "<h2>Service level by interval</h2>",
        img(by_interval(jobs, "service_level", "service level (%)", 100), "service level"),
        "<h2>Occupancy by interval</h2>",
        img(by_interval(jobs, "occupancy", "occupancy (%)", 100), "occupancy"),
        "<h2>Wait distribution</h2>",
        img(waits(jobs), "waits"),
    ]
    if _has_costs(jobs):
        parts += [
            "<h2>Costs (window totals)</h2>",
            cost_html(jobs),
            "<h2>Cost against quality</h2>",
            img(trade_off(jobs), "cost vs FCR and churn"),
        ]
    if study.analysis:
        title, body = _analysis(study.analysis)(jobs)
        parts += [f"<h2>{html.escape(title)}</h2>", body]
    body = "\n".join(p for p in parts if p)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(study.title or study.name)}</title><style>{STYLE}</style>"
        f"</head><body>{body}</body></html>"
    )


def write_report(sweep_dir: Path, study: StudyConfig) -> Path:
    """Write ``report.html`` for the finished jobs of ``sweep_dir`` (atomically)."""
    sweep_dir = Path(sweep_dir)
    jobs = load_jobs(sweep_dir)
    if not jobs:
        raise ValueError(f"no finished job in {sweep_dir}")
    text = render(jobs, study, sweep_dir)
    path = sweep_dir / "report.html"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
