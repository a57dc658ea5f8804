"""Reader-facing names of KPIs and scopes: label, unit, one-line definition, which way is better.

The tables keep the raw ``scope``/``metric`` keys (they are the stable
interface of ``kpis.csv``); reports show :func:`kpi_label` and colour a
difference by :func:`direction`, so that a saving is green and a longer wait
red, whatever its sign. Definitions follow :mod:`sim.metrics.kpis`,
:mod:`sim.outcomes` and :mod:`sim.workforce.headcount`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.config import Config
from sim.metrics.thresholds import sl_threshold_text


@dataclass(frozen=True)
class Name:
    """How a metric reads: its label, unit, which way is better (+1, -1, 0) and definition."""

    label: str
    unit: str
    better: int
    definition: str


HIGHER, LOWER, NEUTRAL = 1, -1, 0
NAMES: dict[str, Name] = {
    "offered": Name("Contacts offered", "contacts", NEUTRAL, "Contacts arriving in the window."),
    "served": Name("Contacts served", "contacts", NEUTRAL, "Contacts handled by an agent."),
    "service_level": Name(
        "Service level",
        "%",
        HIGHER,
        "Share of live queued contacts answered within the threshold.",
    ),
    "p_abandon": Name(
        "Abandonment", "%", LOWER, "Share of queued contacts that hung up before an answer."
    ),
    "p_block": Name("Blocked", "%", LOWER, "Share of offered contacts refused (busy signal)."),
    "p_balk": Name("Balked", "%", LOWER, "Share that hung up at once on finding a queue."),
    "p_wait": Name("Had to wait", "%", LOWER, "Share of live contacts that waited at all."),
    "asa": Name("Average speed of answer", "s", LOWER, "Mean wait of answered live contacts."),
    "mean_wait": Name("Mean wait", "s", LOWER, "Mean wait of live queued contacts."),
    "wait_p50": Name("Median wait", "s", LOWER, "50th percentile of the wait."),
    "wait_p90": Name("Wait, 90th percentile", "s", LOWER, "9 in 10 waited at most this."),
    "wait_p95": Name("Wait, 95th percentile", "s", LOWER, "19 in 20 waited at most this."),
    "aht": Name("Average handle time", "min", LOWER, "Mean agent time per served contact."),
    "occupancy": Name("Agent occupancy", "%", NEUTRAL, "Busy time over worked agent time."),
    "p_self_served": Name(
        "Self-service containment", "%", HIGHER, "Share resolved by IVR or self-service."
    ),
    "p_switch": Name("Channel switch", "%", NEUTRAL, "Share that moved to another channel."),
    "fcr": Name("First-contact resolution", "%", HIGHER, "Issues resolved at the first contact."),
    "fcr_measured": Name(
        "FCR as measured", "%", HIGHER, "FCR as a survey or repeat window would measure it."
    ),
    "resolution_rate": Name("Resolution rate", "%", HIGHER, "Issues resolved in the end."),
    "repeat_rate": Name("Repeat contacts", "%", LOWER, "Contacts that repeat an earlier issue."),
    "satisfaction": Name(
        "Satisfaction", "score 0-10", HIGHER, "Mean satisfaction score of issues."
    ),
    "survey_satisfaction": Name(
        "Survey satisfaction", "score 1-10", HIGHER, "Mean survey answer of surveyed contacts."
    ),
    "churn_rate": Name("Churn after an issue", "%", LOWER, "Share of issues whose customer left."),
    "customers_lost": Name(
        "Customers lost", "customers", LOWER, "Churn after issues plus background churn."
    ),
    "revenue_lost_month": Name(
        "Monthly revenue lost", "EUR", LOWER, "Customers lost times monthly revenue per user."
    ),
    "revenue_lost_year": Name(
        "Yearly revenue lost", "EUR", LOWER, "Customers lost times twelve months of revenue."
    ),
    "total": Name("Total cost", "EUR", LOWER, "All costs of the window."),
    "labour": Name("Labour cost", "EUR", LOWER, "Agents' paid hours (or contacts) at price."),
    "per_contact": Name("Cost per contact", "EUR", LOWER, "Total cost over offered contacts."),
    "per_resolved_issue": Name(
        "Cost per resolved issue", "EUR", LOWER, "Total cost over resolved issues."
    ),
    "per_managed_customer_month": Name(
        "Cost per managed customer-month",
        "EUR",
        LOWER,
        "Total cost per customer of the base, per month.",
    ),
    "headcount": Name("Headcount", "agents", NEUTRAL, "Agents on the roster."),
    "paid_hours": Name("Paid hours", "h", NEUTRAL, "Scheduled plus overtime hours in the window."),
    "fte": Name("FTE", "FTE", NEUTRAL, "Paid hours over one full-time agent's hours."),
    "net_value": Name(
        "Net value",
        "EUR",
        HIGHER,
        "Cost saving in the window minus a year of revenue of the extra customers lost.",
    ),
    "stress_mean": Name("Mean stress", "0-1", LOWER, "Agents' stress level, on shift."),
    "sl_threshold": Name(
        "Service-level threshold", "min", NEUTRAL, "The wait that counts as in time."
    ),
    "mean_staffed": Name("Agents staffed", "agents", NEUTRAL, "Agents on shift, on average."),
    # proactive outbound (sim.metrics.outbound)
    "messages": Name(
        "Messages sent", "messages", NEUTRAL, "Proactive messages sent, or accounts to call."
    ),
    "reached": Name("Customers reached", "customers", HIGHER, "Messages read, or holders reached."),
    "prevented": Name(
        "Inbound contacts prevented", "contacts", HIGHER, "New inbound contacts not made."
    ),
    "created": Name(
        "Inbound contacts created", "contacts", NEUTRAL, "Inbound contacts a campaign made."
    ),
    "attempts": Name("Outbound calls", "calls", NEUTRAL, "Agent dial attempts."),
    "right_party": Name(
        "Right-party contacts", "calls", HIGHER, "Attempts answered by the account holder."
    ),
    "contact_rate": Name(
        "Contact rate", "%", HIGHER, "Right-party contacts over agent dial attempts."
    ),
    "attempts_per_hour": Name(
        "Outbound calls per agent-hour", "calls/h", HIGHER, "Attempts per hour spent dialing."
    ),
    "outbound_minutes": Name(
        "Outbound agent time", "min", NEUTRAL, "Agent minutes on outbound attempts."
    ),
    "outbound": Name("Outbound cost", "EUR", LOWER, "Proactive messages and dial attempts."),
    "cost": Name("Outbound cost", "EUR", LOWER, "Messages times their price, or attempts."),
}
AGENT_METRICS = {"headcount", "paid_hours", "fte", "mean_staffed", "occupancy", "stress_mean"}
SCOPES = {
    "all": "All contacts",
    "live": "Live channels",
    "deferred": "Deferred channels",
    "cost": "",
    "churn": "",
    "outbound": "Proactive outbound",
}
SCOPE_KINDS = {
    "channel": "",
    "queue": "queue",
    "group": "group",
    "vendor": "vendor",
    "segment": "segment",
    "reason": "reason",
    "outbound": "campaign",
}


def name_of(metric: str) -> Name:
    """The metric's :class:`Name` (its own key when none is known)."""
    base = metric.split(":", 1)[0]
    if metric in NAMES:
        return NAMES[metric]
    if base in NAMES:  # labour:<vendor>
        n = NAMES[base]
        return Name(f"{n.label} ({metric.split(':', 1)[1]})", n.unit, n.better, n.definition)
    return Name(metric.replace("_", " "), "", NEUTRAL, "")


def scope_label(scope: str) -> str:
    """``channel:voice`` -> ``Voice``; ``group:voice_agents`` -> ``group voice agents``."""
    if scope in SCOPES:
        return SCOPES[scope]
    kind, _, rest = scope.partition(":")
    if kind == "cost" and rest:
        return scope_label(rest)
    pretty = rest.replace("_", " ")
    prefix = SCOPE_KINDS.get(kind, kind)
    return f"{prefix} {pretty}".strip() if prefix else pretty.capitalize()


def kpi_label(scope: str, metric: str, cfg: Config | None = None) -> str:
    """A KPI as a reader names it, with its unit and the service-level threshold."""
    n = name_of(metric)
    where = "All agents" if scope == "all" and metric in AGENT_METRICS else scope_label(scope)
    text = f"{where}: {n.label}" if where else n.label
    if metric == "service_level" and cfg is not None:
        within = sl_threshold_text(cfg, scope)
        text += f" within {within}" if within else ""
    return f"{text} ({n.unit})" if n.unit else text


def direction(metric: str) -> int:
    """+1 when a higher value is better, -1 when lower is, 0 when neither."""
    return name_of(metric).better


def judged(metric: str, mean: float, significant: bool) -> str:
    """``better``, ``worse`` or ``same`` for a difference with the baseline."""
    if not significant or math.isnan(mean) or mean == 0 or direction(metric) == 0:
        return "same" if direction(metric) else "neutral"
    return "better" if mean * direction(metric) > 0 else "worse"
