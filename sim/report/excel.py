"""The tables of a comparison as an Excel workbook (openpyxl), for readers who work in Excel.

Sheets: ``Summary`` (the plain-language paragraphs and the run settings),
``KPIs`` (mean and 95 % interval per scenario), ``Differences`` (with the
baseline, coloured by better / worse for the KPI), ``Net value``,
``Workforce`` (headcount, paid hours, FTE) and ``Costs``. Values are numbers
in the unit the column names (shares as fractions formatted as %), so that
they can be charted or summed in the workbook.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.report.comparison import Comparison
from sim.report.names import judged, kpi_label, name_of, scope_label
from sim.report.text import PERCENT

FILLS = {"better": "DDF3D5", "worse": "F8D7D7"}


def _kpi_sheet(c: Comparison) -> pd.DataFrame:
    rows = []
    for _, r in c.table.iterrows():
        n = name_of(r.metric)
        rows.append(
            {
                "KPI": kpi_label(r.scope, r.metric, c.base.config),
                "scenario": r.job,
                "mean": r["mean"],
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "theory": r.theory,
                "definition": n.definition,
                "scope": r.scope,
                "metric": r.metric,
            }
        )
    return pd.DataFrame(rows)


def _diff_sheet(c: Comparison) -> pd.DataFrame:
    rows = []
    for _, r in c.diff.iterrows():
        rows.append(
            {
                "KPI": kpi_label(r.scope, r.metric, c.base.config),
                "scenario": r.job,
                "difference": r["mean"],
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "significant": bool(r.significant),
                "verdict": judged(r.metric, r["mean"], bool(r.significant)),
                "paired": c.is_paired,
                "scope": r.scope,
                "metric": r.metric,
            }
        )
    return pd.DataFrame(rows)


def _workforce_sheet(c: Comparison) -> pd.DataFrame:
    if c.headcount.empty:
        return pd.DataFrame(columns=["scope"])
    wide = c.headcount.pivot_table(index=["scope", "metric"], columns="job", values="mean")
    wide = wide[[lab for lab in c.labels if lab in wide.columns]].reset_index()
    wide.insert(0, "where", wide.scope.map(lambda s: scope_label(s) or s))
    return wide


def _cost_sheet(c: Comparison) -> pd.DataFrame:
    rows = []
    for j in c.jobs:
        k = j.kpis[j.kpis.scope.isin(["cost", "churn"])]
        for _, r in k.iterrows():
            rows.append(
                {"scenario": j.label, "item": r.metric, "scope": r.scope, "mean": r["mean"]}
            )
    frame = pd.DataFrame(rows, columns=["scenario", "item", "scope", "mean"])
    if frame.empty:
        return frame
    wide = frame.pivot_table(index=["scope", "item"], columns="scenario", values="mean")
    return wide[[lab for lab in c.labels if lab in wide.columns]].reset_index()


def _summary_sheet(c: Comparison) -> pd.DataFrame:
    b = c.base.config
    lines = [
        ("comparison", c.study.title or c.study.name or "comparison"),
        ("baseline", c.base.label),
        ("scenario", f"{b.name}: {b.description}"),
        ("replications", b.replications),
        ("seed", b.seed),
        ("horizon (min)", b.horizon),
        ("differences", "paired (common random numbers)" if c.is_paired else "unpaired (Welch)"),
    ]
    lines += [(f"summary: {lab}", text) for lab, text in c.text.items()]
    return pd.DataFrame(lines, columns=["item", "value"])


def _net_sheet(c: Comparison) -> pd.DataFrame:
    cols = ["scenario", "net value (EUR)", "ci_low", "ci_high", "significant"]
    if c.net.empty:
        return pd.DataFrame(columns=cols)
    out = c.net[["job", "mean", "ci_low", "ci_high", "significant"]].copy()
    out.columns = cols
    return out


def write_excel(c: Comparison, path: Path) -> Path:
    """Write the workbook to ``path`` (through a temporary file, then renamed)."""
    from openpyxl.styles import Font, PatternFill

    sheets = {
        "Summary": _summary_sheet(c),
        "KPIs": _kpi_sheet(c),
        "Differences": _diff_sheet(c),
        "Net value": _net_sheet(c),
        "Workforce": _workforce_sheet(c),
        "Costs": _cost_sheet(c),
    }
    tmp = Path(path).with_suffix(".tmp.xlsx")
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            ws = writer.sheets[name]
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for col in ws.columns:
                width = max(len(str(v.value or "")) for v in col[:50])
                ws.column_dimensions[col[0].column_letter].width = min(60, max(10, width + 2))
        _style_shares(
            writer.sheets["KPIs"], sheets["KPIs"], ("mean", "ci_low", "ci_high", "theory")
        )
        _style_shares(
            writer.sheets["Differences"], sheets["Differences"], ("difference", "ci_low", "ci_high")
        )
        ws, frame = writer.sheets["Differences"], sheets["Differences"]
        for i, verdict in enumerate(frame.get("verdict", []), start=2):
            if verdict in FILLS:
                fill = PatternFill("solid", fgColor=FILLS[verdict])
                for cell in ws[i]:
                    cell.fill = fill
    tmp.replace(path)
    return Path(path)


def _style_shares(ws, frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """Shares shown as percentages (the cells keep the fraction)."""
    if frame.empty:
        return
    index = {name: k + 1 for k, name in enumerate(frame.columns)}
    for row, metric in enumerate(frame["metric"], start=2):
        if metric not in PERCENT:
            continue
        for name in columns:
            ws.cell(row=row, column=index[name]).number_format = "0.00%"
