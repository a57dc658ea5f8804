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

from sim.config import Config
from sim.config.study import StudyConfig
from sim.metrics.thresholds import sl_threshold_text
from sim.report.comparison import Comparison, build
from sim.report.names import NAMES, judged, kpi_label, name_of
from sim.report.summary import diff_text
from sim.report.text import PERCENT, SECONDS, _fmt
from sim.study.compare import Job, load_jobs

COST_PARTS = (
    "labour",
    "governance",
    "self_service",
    "ivr",
    "telephony",
    "bonus_malus",
    "hiring",
    "outbound",
)
STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ddd;padding:.25em .5em;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
.better{font-weight:bold;color:#0a6e0a;background:#eefbea}
.worse{font-weight:bold;color:#a40000;background:#fdecec}.neutral,.same{color:#333}
.warn{color:#a40000;font-weight:bold}.base{background:#eef5ff}
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


def _row_head(scope: str, metric: str, cfg: Config | None) -> str:
    """A KPI's friendly label; its definition and raw key on hover."""
    n = name_of(metric)
    tip = f"{n.definition} ({scope}/{metric})".strip()
    label = html.escape(kpi_label(scope, metric, cfg))
    return f'<td title="{html.escape(tip)}">{label}</td>'


def _grid(
    frame: pd.DataFrame, labels: list[str], corner: str, head, cell, cfg: Config | None = None
) -> str:
    """A table with a row per (scope, metric) of ``frame`` and a column per job label."""
    rows = []
    for (scope, metric), part in frame.groupby(["scope", "metric"], sort=False):
        by_job = part.set_index("job")
        cells = "".join(
            cell(metric, by_job.loc[lab]) if lab in by_job.index else "<td></td>" for lab in labels
        )
        rows.append(f"<tr>{_row_head(scope, metric, cfg)}{cells}</tr>")
    heads = "".join(head(lab) for lab in labels)
    return f"<table><tr><th>{corner}</th>{heads}</tr>{''.join(rows)}</table>"


def kpi_html(table: pd.DataFrame, labels: list[str], base: str, cfg: Config | None = None) -> str:
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

    return _grid(table, labels, "KPI", head, cell, cfg)


def _diff_cell(metric: str, mean: float, low: float, high: float) -> str:
    if math.isnan(low):
        return diff_text(metric, mean)
    return (
        f"{diff_text(metric, mean)}<br><small>[{diff_text(metric, low)}, "
        f"{diff_text(metric, high)}]</small>"
    )


def paired_html(diff: pd.DataFrame, labels: list[str], cfg: Config | None = None) -> str:
    """Differences with the baseline, coloured by better (green) or worse (red) for the KPI.

    Only differences whose 95 % interval excludes zero are coloured (and
    starred); KPIs that are neither better nor worse when higher (volumes,
    occupancy, headcount) are starred but not coloured.
    """
    if diff.empty:
        return "<p>Only one job: nothing to compare.</p>"

    def cell(metric: str, r: pd.Series) -> str:
        verdict = judged(metric, r["mean"], bool(r.significant))
        star = " *" if r.significant else ""
        return (
            f'<td class="{verdict}">{_diff_cell(metric, r["mean"], r.ci_low, r.ci_high)}{star}</td>'
        )

    head = lambda lab: f"<th>{html.escape(lab)}</th>"  # noqa: E731
    return _grid(diff, labels, "difference with the baseline", head, cell, cfg)


def net_html(net: pd.DataFrame, labels: list[str]) -> str:
    """The net-value line: window saving minus a year of revenue of the extra customers lost."""
    if net.empty:
        return ""
    cells = []
    for lab in labels:
        r = net[net.job == lab]
        if r.empty:
            cells.append("<td></td>")
            continue
        r = r.iloc[0]
        verdict = judged("net_value", r["mean"], bool(r.significant))
        star = " *" if r.significant else ""
        cells.append(
            f'<td class="{verdict}">EUR {r["mean"]:,.0f}<br><small>[{r.ci_low:,.0f}, '
            f"{r.ci_high:,.0f}]</small>{star}</td>"
        )
    heads = "".join(f"<th>{html.escape(lab)}</th>" for lab in labels)
    tip = html.escape(NAMES["net_value"].definition)
    return (
        f'<table><tr><th>net value</th>{heads}</tr><tr><td title="{tip}">Net value '
        f"(EUR, saving minus yearly revenue lost)</td>{''.join(cells)}</tr></table>"
    )


def headcount_html(frame: pd.DataFrame, labels: list[str]) -> str:
    """Headcount, paid hours and FTE per group, vendor and overall, per job."""
    if frame.empty:
        return ""
    rows = []
    order = sorted(
        frame[["scope", "metric"]].drop_duplicates().itertuples(index=False),
        key=lambda sm: (sm.scope != "all", not sm.scope.startswith("vendor"), sm.scope),
    )
    for scope, metric in order:
        part = frame[(frame.scope == scope) & (frame.metric == metric)].set_index("job")
        cells = "".join(
            f"<td>{part.loc[lab, 'mean']:,.1f}</td>" if lab in part.index else "<td></td>"
            for lab in labels
        )
        rows.append(f"<tr>{_row_head(scope, metric, None)}{cells}</tr>")
    heads = "".join(f"<th>{html.escape(lab)}</th>" for lab in labels)
    return f"<table><tr><th>workforce</th>{heads}</tr>{''.join(rows)}</table>"


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


def _panels(n: int) -> tuple[plt.Figure, np.ndarray]:
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.3 * rows), squeeze=False)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    return fig, axes


def _positions(c: Comparison, labels: list[str], x_name: str) -> tuple[list[float], bool]:
    """Where each job sits on the x axis: its swept value, else its rank."""
    x_of = {j.label: j.x for j in c.jobs}
    numeric = bool(x_name) and all(
        isinstance(x_of[lab], int | float) and not isinstance(x_of[lab], bool) for lab in labels
    )
    return ([float(x_of[lab]) for lab in labels] if numeric else list(range(len(labels)))), numeric


def _unit_scale(metric: str) -> tuple[float, str]:
    if metric in PERCENT:
        return 100.0, "percentage points"
    if metric in SECONDS:
        return 60.0, "s"
    return 1.0, name_of(metric).unit


def differences_figure(c: Comparison, x_name: str) -> plt.Figure:
    """Each KPI's difference with the baseline, with the same interval as the table.

    The table's intervals are paired (replication r against replication r),
    so these bars are too: two scenarios whose separate intervals overlap
    can still differ significantly, and this figure shows it the way the
    table says it. Green / red: significantly better / worse for that KPI.
    """
    pairs = list(dict.fromkeys(zip(c.diff.scope, c.diff.metric, strict=True)))
    fig, axes = _panels(max(1, len(pairs)))
    cfg = c.base.config
    kind = "paired 95 % CI" if c.is_paired else "unpaired 95 % CI"
    for ax, (scope, metric) in zip(axes.flat, pairs, strict=False):
        part = c.diff[(c.diff.scope == scope) & (c.diff.metric == metric)]
        labels = list(part.job)
        x, numeric = _positions(c, labels, x_name)
        scale, unit = _unit_scale(metric)
        colours = [
            {"better": "tab:green", "worse": "tab:red"}.get(
                judged(metric, m, bool(sig)), "tab:gray"
            )
            for m, sig in zip(part["mean"], part.significant, strict=True)
        ]
        for xi, (_, r), col in zip(x, part.iterrows(), colours, strict=True):
            ax.errorbar(
                xi,
                scale * r["mean"],
                yerr=[[scale * (r["mean"] - r.ci_low)], [scale * (r.ci_high - r["mean"])]],
                fmt="o",
                ms=4,
                capsize=3,
                color=col,
            )
        ax.axhline(0, color="black", lw=0.8)
        if not numeric:
            ax.set_xticks(x, labels, rotation=30, ha="right", fontsize=7)
        ax.set(
            xlabel=x_name if numeric else "scenario",
            ylabel=f"difference ({unit})" if unit else "difference",
            title=_wrap(kpi_label(scope, metric, cfg)),
        )
        ax.title.set_fontsize(8)
        ax.grid(alpha=0.3)
    handles = [
        plt.Line2D([], [], color=col, marker="o", ls="", label=lab)
        for col, lab in (
            ("tab:green", "better, significant"),
            ("tab:red", "worse, significant"),
            ("tab:gray", "not significant or neutral"),
        )
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=7, title=kind)
    fig.suptitle(f"Difference with the baseline ({c.base.label}), {kind}", fontsize=10)
    fig.tight_layout(rect=(0, 0.08, 1, 0.96))
    return fig


def _wrap(text: str, width: int = 42) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def curves(c: Comparison, x_name: str) -> plt.Figure:
    """Each KPI against the swept factor: means with each scenario's own 95 % CI, theory a line.

    These intervals describe each scenario alone; they are not the test of a
    difference (see :func:`differences_figure`).
    """
    table = c.table
    pairs = list(dict.fromkeys(zip(table.scope, table.metric, strict=True)))
    fig, axes = _panels(len(pairs))
    x_of = {j.label: float(j.x) for j in c.jobs}
    for ax, (scope, metric) in zip(axes.flat, pairs, strict=False):
        part = table[(table.scope == scope) & (table.metric == metric)]
        x = part.job.map(x_of).to_numpy()
        scale, unit = _unit_scale(metric)
        unit = "%" if metric in PERCENT else unit
        ax.errorbar(
            x,
            scale * part["mean"],
            yerr=[scale * (part["mean"] - part.ci_low), scale * (part.ci_high - part["mean"])],
            fmt="o",
            ms=4,
            capsize=3,
            label="simulation (95 % CI of the scenario)",
        )
        if part["theory"].notna().any():
            ax.plot(x, scale * part["theory"], "-", color="black", lw=1, label="theory")
        ax.set(xlabel=x_name, ylabel=unit, title=_wrap(kpi_label(scope, metric, c.base.config)))
        ax.title.set_fontsize(8)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def headline_scope(jobs: list[Job]) -> str:
    """``live`` when the runs have that scope (live channels only), else ``all``."""
    return "live" if all((j.intervals.scope == "live").any() for j in jobs) else "all"


def by_interval(
    jobs: list[Job], column: str, ylabel: str, scale: float = 1.0, title: str = ""
) -> plt.Figure:
    """An interval KPI (mean over replications) per job, in the headline scope."""
    scope = headline_scope(jobs)
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for j in jobs:
        iv = j.intervals[(j.intervals.scope == scope) & j.intervals.in_window]
        g = iv.groupby("t_start")[column].mean()
        ax.plot(g.index / 60, scale * g.to_numpy(), lw=1, label=j.label)
    shown = "live channels" if scope == "live" else "all contacts"
    ax.set(
        xlabel="time of day (h from the start of the run)",
        ylabel=ylabel,
        title=title or f"{ylabel} by interval, {shown} (mean over replications)",
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2, title="scenario")
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
    ax.set(
        xscale="symlog",
        xlabel="wait (s, symlog scale)",
        ylabel="share of queued contacts waiting at most x",
        ylim=(0, 1.01),
        title="Wait distribution, all queued contacts (replications pooled)",
    )
    ax.set_xlim(left=0)
    ax.legend(fontsize=7, title="scenario")
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
    axes[0].set(
        xlabel="cost per managed customer-month (EUR)",
        ylabel="FCR (%)",
        title="Cost against first-contact resolution",
    )
    axes[1].set(
        xlabel="cost per managed customer-month (EUR)",
        ylabel="churn after an issue (%)",
        title="Cost against churn",
    )
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7, title="scenario (95 % CI of each)")
    fig.tight_layout()
    return fig


def _analysis(spec: str) -> Callable[[list[Job]], tuple[str, str]]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _header(c: Comparison, sweep_dir: Path) -> str:
    b = c.base.config
    mixed = (
        f'<p class="warn">These runs differ in {html.escape("; ".join(c.mixed))}: the '
        "differences below are unpaired (Welch) and the settings shown are the baseline's.</p>"
        if c.mixed
        else ""
    )
    return (
        f'<p class="note">{len(c.jobs)} scenarios from <code>{html.escape(str(sweep_dir))}'
        f"</code>. Baseline <b>{html.escape(c.base.label)}</b> (scenario "
        f"<b>{html.escape(b.name)}</b>: {html.escape(b.description)}); "
        f"{b.replications} replications each, seed {b.seed} "
        f"{'(common random numbers)' if c.is_paired else ''}, horizon {b.horizon:g} min, "
        f"warm-up {b.warmup:g} min. Service levels are within each queue's own threshold "
        f"({html.escape(sl_threshold_text(b, 'all'))}). Written {datetime.now(UTC):%Y-%m-%d %H:%M} "
        f"UTC.</p>{mixed}"
        + "".join(f'<p class="warn">Note: {html.escape(n)}.</p>' for n in c.notes)
    )


def _summary_html(c: Comparison) -> str:
    if not c.text:
        return ""
    items = "".join(
        f"<li><b>{html.escape(lab)}</b>: {html.escape(t)}</li>" for lab, t in c.text.items()
    )
    return f"<h2>Summary</h2><ul>{items}</ul>"


def render(jobs: list[Job], study: StudyConfig, sweep_dir: Path, allow_mixed: bool = False) -> str:
    """The report's HTML text (raises MixedRunsError for runs not on common random numbers)."""
    return render_comparison(build(jobs, study, allow_mixed), sweep_dir)


def render_comparison(c: Comparison, sweep_dir: Path) -> str:
    """The HTML text of a built comparison."""
    study, labels, base = c.study, c.labels, c.base
    others = [lab for lab in labels if lab != base.label]
    kind = "paired on common random numbers" if c.is_paired else "unpaired (Welch)"
    parts = [
        f"<h1>{html.escape(study.title or study.name or base.config.name)}</h1>",
        f"<p>{html.escape(study.question)}</p>" if study.question else "",
        _header(c, sweep_dir),
        _summary_html(c),
        "<h2>KPIs (mean and 95 % confidence interval)</h2>",
        '<p class="note">Hover a KPI for its definition.</p>',
        kpi_html(c.table, labels, base.label, base.config),
        f"<h2>Differences with the baseline ({html.escape(base.label)})</h2>",
        f'<p class="note">Differences {kind}; * : the 95 % interval excludes zero; '
        '<span class="better">green</span>: better for that KPI, <span class="worse">red'
        "</span>: worse (a lower cost is better, a lower FCR worse).</p>",
        paired_html(c.diff, others, base.config),
        net_html(c.net, others),
    ]
    if not c.diff.empty:
        parts.append(img(differences_figure(c, study.x), "differences with the baseline"))
    if study.x and all(isinstance(j.x, int | float) for j in c.jobs):
        parts += [
            f"<h2>KPIs against {html.escape(study.x)}</h2>",
            '<p class="note">Each point with its own scenario\'s 95 % interval: overlapping '
            "intervals do not mean no difference; the paired chart above tests that.</p>",
            img(curves(c, study.x), "curves"),
        ]
    parts += ["<h2>Workforce: headcount, paid hours, FTE</h2>", headcount_html(c.headcount, labels)]
    parts += [
        "<h2>Service level by interval</h2>",
        img(by_interval(c.jobs, "service_level", "service level (%)", 100), "service level"),
        "<h2>Occupancy by interval</h2>",
        img(by_interval(c.jobs, "occupancy", "occupancy (%)", 100), "occupancy"),
        "<h2>Wait distribution</h2>",
        img(waits(c.jobs), "waits"),
    ]
    if _has_costs(c.jobs):
        parts += [
            "<h2>Costs (window totals)</h2>",
            cost_html(c.jobs),
            "<h2>Cost against quality</h2>",
            img(trade_off(c.jobs), "cost vs FCR and churn"),
        ]
    if study.analysis:
        title, body = _analysis(study.analysis)(c.jobs)
        parts += [f"<h2>{html.escape(title)}</h2>", body]
    body = "\n".join(p for p in parts if p)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(study.title or study.name or 'comparison')}</title>"
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )


def write_comparison(c: Comparison, folder: Path, source: Path) -> list[Path]:
    """Write ``report.html`` and ``report.xlsx`` of ``c`` into ``folder`` (each atomically)."""
    from sim.report.excel import write_excel

    folder = Path(folder)
    path = folder / "report.html"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(render_comparison(c, source), encoding="utf-8")
    tmp.replace(path)
    return [path, write_excel(c, folder / "report.xlsx")]


def write_report(sweep_dir: Path, study: StudyConfig, allow_mixed: bool = False) -> Path:
    """Write ``report.html`` and ``report.xlsx`` for the current sweep's finished jobs.

    Raises ValueError when no job has finished, and
    :class:`sim.study.compare.MixedRunsError` when the jobs do not share
    seed, replications and horizon (unless ``allow_mixed``).
    """
    return write_sweep_report(sweep_dir, study, allow_mixed)[1][0]


def write_sweep_report(
    sweep_dir: Path, study: StudyConfig, allow_mixed: bool = False
) -> tuple[Comparison, list[Path]]:
    """The comparison of a sweep folder's current jobs, and the report files written."""
    sweep_dir = Path(sweep_dir)
    jobs = load_jobs(sweep_dir)
    if not jobs:
        raise ValueError(f"no finished job in {sweep_dir}")
    c = build(jobs, study, allow_mixed, strict=False)
    return c, write_comparison(c, sweep_dir, sweep_dir)
