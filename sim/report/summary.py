"""Plain-language summaries of a comparison, generated from its numbers.

One paragraph per compared scenario: which differences with the baseline are
significant (the 95 % interval excludes zero), how large they are (absolute
and relative to the baseline), whether each is better or worse for that KPI,
and the net value when costs are modelled. Nothing is said that the paired
table does not show; differences that are not significant are named as such.
"""

from __future__ import annotations

import math

import pandas as pd

from sim.report.names import judged, kpi_label
from sim.report.text import PERCENT, _fmt


def diff_text(metric: str, value: float) -> str:
    """A difference in the KPI's unit: percentage points for shares, signed."""
    if math.isnan(value):
        return ""
    if metric in PERCENT:
        return f"{100 * value:+.2f} pts"
    text = _fmt(metric, abs(value))
    return ("-" if value < 0 else "+") + text


def _relative(value: float, base: float) -> str:
    if math.isnan(base) or base == 0:
        return ""
    return f", {100 * value / abs(base):+.1f} %"


def _phrase(r: pd.Series, base_mean: float, cfg) -> str:
    verb = "raises" if r["mean"] > 0 else "lowers"
    label = kpi_label(r.scope, r.metric, cfg)
    size = diff_text(r.metric, abs(r["mean"])).lstrip("+")
    rel = "" if r.metric in PERCENT else _relative(r["mean"], base_mean)
    ci = f"95 % CI {diff_text(r.metric, r.ci_low)} to {diff_text(r.metric, r.ci_high)}"
    return f"{verb} {label} by {size} ({ci}{rel})"


def job_summary(
    label: str,
    base_label: str,
    diff: pd.DataFrame,
    base_means: dict[tuple[str, str], float],
    net: pd.Series | None = None,
    cfg=None,
    paired: bool = True,
) -> str:
    """One paragraph: ``label`` against ``base_label`` from its rows of ``diff``.

    Significant differences are grouped as better, worse (for that KPI) and
    neither (volumes, occupancy), largest relative change first within each
    group; the KPIs without a significant difference are listed last.
    """
    rows = diff[diff.job == label]
    how = "paired on common random numbers" if paired else "unpaired: the runs do not share seeds"
    groups: dict[str, list[str]] = {"better": [], "worse": [], "neutral": [], "same": []}
    for _, r in rows.iterrows():
        verdict = judged(r.metric, r["mean"], bool(r.significant))
        if not r.significant:
            groups["same"].append(kpi_label(r.scope, r.metric, cfg))
            continue
        base = base_means.get((r.scope, r.metric), math.nan)
        groups[verdict if verdict in groups else "neutral"].append(_phrase(r, base, cfg))
    parts = [f"{label} against {base_label} ({how})."]
    for key, head in (("better", "Better"), ("worse", "Worse"), ("neutral", "Also")):
        if groups[key]:
            parts.append(f"{head}: it " + "; it ".join(groups[key]) + ".")
    if groups["same"]:
        parts.append("No significant difference: " + ", ".join(groups["same"]) + ".")
    if not any(groups[k] for k in ("better", "worse", "neutral")):
        parts.append("No KPI compared differs significantly.")
    if net is not None:
        parts.append(net_sentence(net))
    return " ".join(parts)


def net_sentence(net: pd.Series) -> str:
    """The net value in words: saving against a year of revenue lost to extra churn."""
    ci = f"95 % CI EUR {net.ci_low:,.0f} to {net.ci_high:,.0f}"
    if net.significant:
        verdict = (
            "the saving outweighs the churn it causes"
            if net["mean"] > 0
            else ("the revenue lost to churn outweighs the saving")
        )
    else:
        verdict = "the saving and the churn it costs cannot be told apart"
    return (
        f"Net value (window cost saving minus a year of revenue of the extra customers lost): "
        f"EUR {net['mean']:,.0f} ({ci}): {verdict}."
    )


def summaries(
    labels: list[str],
    base_label: str,
    diff: pd.DataFrame,
    table: pd.DataFrame,
    net: pd.DataFrame,
    cfg=None,
    paired: bool = True,
) -> dict[str, str]:
    """The paragraph of every non-baseline job."""
    base_rows = table[table.job == base_label]
    base_means = {
        (s, m): v
        for s, m, v in zip(base_rows.scope, base_rows.metric, base_rows["mean"], strict=True)
    }
    out = {}
    for lab in labels:
        if lab == base_label:
            continue
        n = net[net.job == lab] if not net.empty else net
        out[lab] = job_summary(
            lab, base_label, diff, base_means, n.iloc[0] if len(n) else None, cfg, paired
        )
    return out
