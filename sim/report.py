"""Terminal report: the KPI table with confidence intervals and theory."""

from __future__ import annotations

import math

import pandas as pd

SHOWN = (
    "offered",
    "served",
    "p_abandon",
    "p_block",
    "p_wait",
    "service_level",
    "asa",
    "mean_wait",
    "wait_p90",
    "aht",
    "mean_queue",
    "occupancy",
)
PERCENT = {"p_abandon", "p_block", "p_wait", "service_level", "occupancy"}
SECONDS = {"asa", "mean_wait", "wait_p90"}


def _fmt(metric: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if metric in PERCENT:
        return f"{100 * value:.2f} %"
    if metric in SECONDS:
        return f"{60 * value:.1f} s"
    if metric in ("offered", "served"):
        return f"{value:,.0f}"
    if metric == "aht":
        return f"{value:.2f} min"
    return f"{value:.3f}"


def kpi_table(kpis: pd.DataFrame, scopes: list[str] | None = None) -> pd.DataFrame:
    """KPIs formatted for reading: one row per (scope, metric)."""
    rows = []
    for scope in scopes or ["all"]:
        part = kpis[(kpis.scope == scope) & kpis.metric.isin(SHOWN)].set_index("metric")
        for metric in SHOWN:
            if metric not in part.index:
                continue
            r = part.loc[metric]
            ci = (
                ""
                if math.isnan(r.ci_low)
                else f"[{_fmt(metric, r.ci_low)}, {_fmt(metric, r.ci_high)}]"
            )
            theory = _fmt(metric, r.get("theory", float("nan")))
            rows.append((scope, metric, _fmt(metric, r["mean"]), ci, theory))
    return pd.DataFrame(rows, columns=["scope", "KPI", "mean", "95% CI", "theory"])


def text(results) -> str:
    """The report printed at the end of a run."""
    cfg = results.config
    scopes = ["all", *cfg.queues] if len(cfg.queues) > 1 else ["all"]
    table = kpi_table(results.kpis, scopes)
    if table["theory"].eq("").all():
        table = table.drop(columns="theory")
    head = (
        f"{cfg.name}: {cfg.description}\n{cfg.replications} replications, "
        f"horizon {cfg.horizon:g} min, warm-up {cfg.warmup:g} min"
    )
    lines = [head, table.to_string(index=False)]
    if results.baseline is not None and len(results.baseline):
        lines += [
            "Erlang staffing baseline (each queue alone, SL target):",
            results.baseline.to_string(index=False),
        ]
    return "\n".join(lines)
