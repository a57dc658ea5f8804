"""Terminal report: the KPI table with confidence intervals and theory.

With deferred channels (e-mail, social) in the scenario, the headline splits:
volumes, shares of the contacts offered, handle time and occupancy over
``all``, and the waiting KPIs (abandonment, service level, ASA, waits, queue)
for ``live`` and ``deferred`` apart, never mixed (:mod:`sim.metrics.kpis`).
Every service level carries its threshold (:mod:`sim.metrics.thresholds`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from sim.metrics.thresholds import MODES, sl_threshold_text

if TYPE_CHECKING:
    from sim.config import Config
    from sim.metrics.results import Results

SHOWN = (
    "offered",
    "served",
    "p_self_served",
    "p_switch",
    "p_abandon",
    "p_block",
    "p_balk",
    "p_wait",
    "service_level",
    "asa",
    "mean_wait",
    "wait_p90",
    "p_callback_offer",
    "p_callback",
    "callback_wait",
    "aht",
    "mean_queue",
    "occupancy",
)
# The KPIs of SHOWN that mix live and deferred contacts in ``all``: shown per mode.
WAITING = {
    "p_abandon",
    "p_wait",
    "service_level",
    "asa",
    "mean_wait",
    "wait_p90",
    "p_callback_offer",
    "p_callback",
    "callback_wait",
    "mean_queue",
}
DEFERRED_SHOWN = ("p_abandon", "service_level", "asa", "mean_wait", "wait_p90", "mean_queue")
CALLBACK_KPIS = {"p_callback_offer", "p_callback", "callback_wait"}  # shown when offered
SHOWN_IF_ANY = {"p_balk"}  # shown when it happened
PERCENT = {
    "p_callback_offer",
    "p_callback",
    "p_abandon",
    "p_block",
    "p_balk",
    "p_wait",
    "service_level",
    "occupancy",
    "p_self_served",
    "p_switch",
    "fcr",
    "fcr_measured",
    "resolution_rate",
    "repeat_rate",
    "churn_rate",
    "p_resolved",
    "high_stress_share",
    "attrition_annual",
    "contact_rate",
}
OUTBOUND = (
    ("outbound", "messages"),
    ("outbound", "reached"),
    ("outbound", "prevented"),
    ("outbound", "created"),
    ("outbound", "attempts"),
    ("outbound", "contact_rate"),
    ("outbound", "attempts_per_hour"),
    ("outbound", "cost"),
)
OUTBOUND_COUNTS = ("messages", "reached", "prevented", "created", "attempts", "right_party")
STRESS = (
    ("all", "stress_mean"),
    ("all", "stress_p90"),
    ("all", "high_stress_share"),
    ("all", "absent_days"),
    ("all", "leavers"),
    ("all", "hires"),
    ("all", "attrition_annual"),
)
STRESS_BY_GROUP = ("stress_mean", "stress_p90", "high_stress_share")
OUTCOMES = (
    ("all", "issues"),
    ("all", "fcr"),
    ("all", "fcr_measured"),
    ("all", "resolution_rate"),
    ("all", "issue_contacts"),
    ("all", "repeat_rate"),
    ("all", "satisfaction"),
    ("all", "survey_satisfaction"),
    ("all", "churn_rate"),
    ("churn", "customers_lost"),
    ("churn", "revenue_lost_month"),
    ("cost", "total"),
    ("cost", "labour"),
    ("cost", "governance"),
    ("cost", "self_service"),
    ("cost", "ivr"),
    ("cost", "telephony"),
    ("cost", "outbound"),
    ("cost", "per_contact"),
    ("cost", "per_resolved_issue"),
    ("cost", "per_managed_customer_month"),
)
MONEY = {
    "total",
    "labour",
    "governance",
    "self_service",
    "ivr",
    "telephony",
    "outbound",
    "cost",
    "revenue_lost_month",
}
UNIT_MONEY = {"per_contact", "per_resolved_issue", "per_managed_customer_month"}
SECONDS = {"asa", "mean_wait", "wait_p90"}
MINUTES = {"aht", "callback_wait"}


def _fmt(metric: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if metric in PERCENT:
        return f"{100 * value:.2f} %"
    if metric in SECONDS:
        return f"{60 * value:.1f} s" if abs(value) < 1e5 else f"{60 * value:.3g} s"
    if metric in ("offered", "served", "overflowed", "unresolved", "issues", "customers_lost"):
        return f"{value:,.0f}"
    if metric in ("absent_days", "leavers", "hires", *OUTBOUND_COUNTS):
        return f"{value:,.1f}"
    if metric in MONEY:
        return f"EUR {value:,.0f}"
    if metric in UNIT_MONEY:
        return f"EUR {value:.3f}"
    if metric in MINUTES:
        return f"{value:.2f} min"
    return f"{value:.3f}"


def _fmt_in(metric: str, value: float, scope: str) -> str:
    """``_fmt``, but the waits of deferred contacts (hours, not seconds) in minutes or hours."""
    if scope != "deferred" or metric not in SECONDS or value is None or math.isnan(value):
        return _fmt(metric, value)
    return f"{value:.1f} min" if abs(value) < 600 else f"{value / 60:.2f} h"


def interval_text(kpis: pd.DataFrame, scope: str, metric: str, scale: float, fmt: str) -> str:
    """``mean [low, high]`` of one KPI of a table indexed by (scope, metric), scaled."""
    r = kpis.loc[(scope, metric)]
    mean, low, high = (fmt.format(scale * v) for v in (r["mean"], r.ci_low, r.ci_high))
    return f"{mean} [{low}, {high}]"


def metric_label(metric: str, scope: str, cfg: Config | None) -> str:
    """A KPI's name for reading: ``service_level`` carries its threshold (``within 20 s``)."""
    if metric != "service_level" or cfg is None:
        return metric
    within = sl_threshold_text(cfg, scope)
    return f"{metric} within {within}" if within else metric


def kpi_table(
    kpis: pd.DataFrame,
    scopes: list[str] | None = None,
    pairs: Sequence[tuple[str, str]] | None = None,
    cfg: Config | None = None,
) -> pd.DataFrame:
    """KPIs formatted for reading: one row per (scope, metric).

    With ``cfg``, each service level is labelled with its threshold.
    """
    rows = []
    index = kpis.set_index(["scope", "metric"])
    wanted = pairs or [(scope, m) for scope in scopes or ["all"] for m in SHOWN]
    for scope, metric in wanted:
        if metric in CALLBACK_KPIS and not _offered(index, scope):
            continue
        if metric in SHOWN_IF_ANY and not _happened(index, scope, metric):
            continue
        if (scope, metric) in index.index:
            r = index.loc[(scope, metric)]
            ci = (
                ""
                if math.isnan(r.ci_low)
                else f"[{_fmt_in(metric, r.ci_low, scope)}, {_fmt_in(metric, r.ci_high, scope)}]"
            )
            theory = _fmt(metric, r.get("theory", float("nan")))
            label = metric_label(metric, scope, cfg)
            rows.append((scope, label, _fmt_in(metric, r["mean"], scope), ci, theory))
    return pd.DataFrame(rows, columns=["scope", "KPI", "mean", "95% CI", "theory"])


def _happened(index: pd.DataFrame, scope: str, metric: str) -> bool:
    """Whether a KPI is above zero in ``scope``."""
    key = (scope, metric)
    return key in index.index and float(index.loc[key]["mean"]) > 0


def _offered(index: pd.DataFrame, scope: str) -> bool:
    """Whether any callback was offered in ``scope``."""
    key = (scope, "p_callback_offer")
    return key in index.index and float(index.loc[key]["mean"]) > 0


MATRIX = (
    "offered",
    "p_self_served",
    "p_switch",
    "p_block",
    "p_abandon",
    "service_level",
    "asa",
    "aht",
)


def matrix(
    kpis: pd.DataFrame,
    prefix: str,
    metrics: tuple[str, ...] = MATRIX,
    cfg: Config | None = None,
) -> pd.DataFrame:
    """One row per scope with the given prefix, one column per KPI (means, formatted).

    With ``cfg``, a ``sl_within`` column (the threshold) follows ``service_level``.
    """
    part = kpis[kpis.scope.str.startswith(prefix) & kpis.metric.isin(metrics)]
    if part.empty:
        return part
    wide = part.pivot(index="scope", columns="metric", values="mean")
    wide = wide[[m for m in metrics if m in wide.columns]]
    out = wide.apply(lambda col: col.map(lambda v, m=col.name: _fmt(m, v)))
    if cfg is not None and "service_level" in out.columns:
        within = [sl_threshold_text(cfg, scope) for scope in out.index]
        out.insert(out.columns.get_loc("service_level") + 1, "sl_within", within)
    out.index = [s.split(":", 1)[1] for s in out.index]
    return out


CAMPAIGN = ("messages", "reached", "prevented", "created", "attempts", "contact_rate", "cost")


def campaign_matrix(results: Results) -> pd.DataFrame:
    """One row per outbound campaign: its trigger and channel, then its KPI means."""
    out = matrix(results.kpis, "outbound:", CAMPAIGN)
    if out.empty:
        return out
    by_name = {k.name: k for k in results.config.outbound.campaigns}
    out.insert(0, "channel", [by_name[n].channel.value for n in out.index])
    out.insert(0, "trigger", [by_name[n].trigger for n in out.index])
    return out.loc[[n for n in by_name if n in out.index]]


def headline(results: Results) -> list[str]:
    """The first KPI table(s): one over ``all``, or, with deferred channels, one per mode."""
    cfg, kpis = results.config, results.kpis
    if not (kpis.scope == "deferred").any():
        table = kpi_table(kpis, ["all"], cfg=cfg)
        if table["theory"].eq("").all():
            table = table.drop(columns="theory")
        return [table.drop(columns="scope").to_string(index=False)]
    modes = {m: [c for c, ch in cfg.channels.items() if ch.mode.value == m] for m in MODES}
    blocks = (
        ("All channels", [("all", m) for m in SHOWN if m not in WAITING]),
        (
            "Live channels (" + ", ".join(modes["live"]) + ")",
            [("live", m) for m in SHOWN if m in WAITING],
        ),
        (
            "Deferred channels (" + ", ".join(modes["deferred"]) + ")",
            [("deferred", m) for m in DEFERRED_SHOWN],
        ),
    )
    lines = []
    for title, pairs in blocks:
        table = kpi_table(kpis, pairs=pairs, cfg=cfg).drop(columns="theory")
        if len(table):
            lines += [f"{title}:", table.to_string(index=False)]
    return lines


def text(results: Results) -> str:
    """The report printed at the end of a run."""
    cfg = results.config
    head = (
        f"{cfg.name}: {cfg.description}\n{cfg.replications} replications, "
        f"horizon {cfg.horizon:g} min, warm-up {cfg.warmup:g} min"
    )
    lines = [head, *headline(results)]
    if cfg.outcomes.enabled:
        out = kpi_table(results.kpis, pairs=OUTCOMES).drop(columns="theory")
        lines += ["\nOutcomes and economics (window totals):", out.to_string(index=False)]
    if cfg.outbound.enabled:
        out = kpi_table(results.kpis, pairs=OUTBOUND).drop(columns="theory")
        lines += ["\nProactive outbound (window totals):", out.to_string(index=False)]
        lines += ["\nBy campaign (means):", campaign_matrix(results).to_string()]
    if cfg.stress.enabled:
        out = kpi_table(results.kpis, pairs=STRESS).drop(columns="theory")
        by_group = matrix(results.kpis, "group:", STRESS_BY_GROUP)
        lines += ["\nAgent stress (on shift, at interval ends):", out.to_string(index=False)]
        lines += ["\nStress by group (means):", by_group.to_string()]
    for prefix, title in (("channel:", "By channel"), ("queue:", "By queue")):
        m = matrix(results.kpis, prefix, cfg=cfg)
        if len(m) > 1 or (prefix == "channel:" and len(m)):
            lines += [f"\n{title} (means):", m.to_string()]
    agent_kpis = ("served", "service_level", "aht", "mean_staffed", "occupancy", "overflowed")
    for prefix, title in (("group:", "Agent groups"), ("vendor:", "Vendors")):
        m = matrix(results.kpis, prefix, agent_kpis, cfg)
        if len(m) and (prefix == "group:" or len(m) > 1):
            lines += [f"\n{title} (means):", m.to_string()]
    if results.baseline is not None and len(results.baseline):
        lines += [
            "\nErlang staffing baseline (each queue alone, SL target):",
            results.baseline.to_string(index=False),
        ]
    return "\n".join(lines)
