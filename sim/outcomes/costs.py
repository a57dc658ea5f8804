"""Costs and revenue lost, as pure functions of a replication's KPIs (EUR).

Modelled, per replication over the statistics window:

- agent labour: each group's worked hours (scheduled plus overtime) at its
  vendor's hourly price, or its handled contacts at a per-contact price;
  groups without a vendor at ``costs.inhouse_hour``;
- in-house governance of the operation: ``governance_share`` of the agent
  hours at ``governance_rate`` (seed 002: keep ~5 % of direct FTE in-house
  for forecasting, staffing, quality and vendor review);
- self-service attempts, IVR minutes and telephony minutes (phone lines are
  the channels with an IVR);
- each outsourced vendor's bonus/malus on a quality KPI of the contacts it
  served, as a share of its bill;
- hiring and training of new agents (``hires``, from the stress model);
- proactive outbound campaigns: messages and dial attempts at their unit
  cost (``outbound/cost``, :mod:`sim.metrics.outbound`; the agents' time on
  outbound calls is in their labour);
- cost per contact, per resolved issue and per managed customer (total cost
  / active customers, for the period and per month), by channel with labour
  allocated by handle minutes;
- customers lost: churn after issues plus the base's background churn, and
  the monthly revenue they took with them.

Not modelled: facilities, IT licences, management above governance, taxes.
"""

from __future__ import annotations

import math

import pandas as pd

from sim.config import Config, Pricing, VendorLocation

MONTH = 30 * 1440.0
YEAR = 365 * 1440.0


def _get(k: dict, scope: str, metric: str) -> float:
    v = k.get((scope, metric), 0.0)
    return 0.0 if v != v else v  # NaN -> 0


def labour(cfg: Config, k: dict, length: float) -> dict[str, float]:
    """Agent cost per vendor (``inhouse`` for groups without one)."""
    out: dict[str, float] = {}
    for name, g in cfg.agents.items():
        scope = f"group:{name}"
        hours = (_get(k, scope, "mean_staffed") + _get(k, scope, "overtime")) * length / 60
        vendor = cfg.vendors.get(g.vendor)
        if vendor is None:
            cost, key = hours * cfg.outcomes.costs.inhouse_hour, "inhouse"
        elif vendor.pricing is Pricing.per_contact:
            cost, key = _get(k, scope, "served") * vendor.price, g.vendor
        else:
            cost, key = hours * vendor.price, g.vendor
        out[key] = out.get(key, 0.0) + cost
    return out


def agent_hours(cfg: Config, k: dict, length: float) -> float:
    """Worked agent hours of all groups."""
    return sum(
        (_get(k, f"group:{n}", "mean_staffed") + _get(k, f"group:{n}", "overtime")) * length / 60
        for n in cfg.agents
    )


def bonus_malus(cfg: Config, k: dict, bills: dict[str, float]) -> float:
    """Sum of the outsourced vendors' quality adjustments (positive = paid to them)."""
    bm = cfg.outcomes.costs.bonus_malus
    if bm.per_point == 0:
        return 0.0
    total = 0.0
    for name, v in cfg.vendors.items():
        if v.location is VendorLocation.inhouse or name not in bills:
            continue
        metric = "p_resolved" if bm.kpi.value == "resolution" else "service_level"
        kpi = k.get((f"vendor:{name}", metric), math.nan)
        if kpi == kpi:
            share = max(-bm.cap, min(bm.cap, bm.per_point * (kpi - bm.target) * 100))
            total += share * bills[name]
    return total


def channel_costs(cfg: Config, k: dict) -> dict[str, float]:
    """Self-service, IVR and telephony cost of each channel."""
    c = cfg.outcomes.costs
    out = {}
    for name, ch in cfg.channels.items():
        scope = f"channel:{name}"
        ss = _get(k, scope, "tried_self_service") * c.self_service.get(
            name, c.self_service.get("default", 0.0)
        )
        phone = ch.ivr is not None
        ivr = _get(k, scope, "front_minutes") * c.ivr_minute if phone else 0.0
        line = _get(k, scope, "line_minutes") * c.telephony_minute if phone else 0.0
        out[name] = (ss, ivr, line)
    return out


def cost_rows(cfg: Config, kpis: pd.DataFrame) -> list[tuple[str, str, float]]:
    """Cost, churn and revenue rows ``(scope, metric, value)`` of one replication."""
    k = {(s, m): v for s, m, v in kpis[["scope", "metric", "value"]].itertuples(index=False)}
    length = cfg.horizon - cfg.warmup
    c = cfg.outcomes.costs
    bills = labour(cfg, k, length)
    per_channel = channel_costs(cfg, k)
    parts = {
        "labour": sum(bills.values()),
        "governance": c.governance_share * agent_hours(cfg, k, length) * c.governance_rate,
        "self_service": sum(v[0] for v in per_channel.values()),
        "ivr": sum(v[1] for v in per_channel.values()),
        "telephony": sum(v[2] for v in per_channel.values()),
        "bonus_malus": bonus_malus(cfg, k, bills),
        "hiring": _get(k, "all", "hires") * c.hiring,
        "outbound": _get(k, "outbound", "cost"),
    }
    total = sum(parts.values())
    rows = [("cost", m, v) for m, v in parts.items()] + [
        ("cost", f"labour:{n}", v) for n, v in bills.items()
    ]
    rows += _unit_costs(cfg, k, total, length)
    rows += _channel_rows(cfg, k, parts["labour"], per_channel)
    rows += _churn_rows(cfg, k, length)
    return rows


def _unit_costs(cfg: Config, k: dict, total: float, length: float) -> list[tuple[str, str, float]]:
    customers = cfg.demand.customers
    nan = float("nan")
    return [
        ("cost", "total", total),
        (
            "cost",
            "per_contact",
            total / k[("all", "offered")] if k.get(("all", "offered")) else nan,
        ),
        (
            "cost",
            "per_resolved_issue",
            total / k[("all", "resolved")] if k.get(("all", "resolved")) else nan,
        ),
        ("cost", "per_managed_customer", total / customers if customers else nan),
        (
            "cost",
            "per_managed_customer_month",
            total * MONTH / length / customers if customers else nan,
        ),
    ]


def _channel_rows(cfg: Config, k: dict, labour_total: float, per_channel: dict) -> list:
    handle = {n: _get(k, f"channel:{n}", "handle_minutes") for n in cfg.channels}
    all_handle = sum(handle.values())
    rows = []
    for n in cfg.channels:
        share = labour_total * handle[n] / all_handle if all_handle else 0.0
        total = share + sum(per_channel[n])
        offered = _get(k, f"channel:{n}", "offered")
        rows += [
            (f"cost:channel:{n}", "total", total),
            (f"cost:channel:{n}", "per_contact", total / offered if offered else float("nan")),
        ]
    return rows


def _churn_rows(cfg: Config, k: dict, length: float) -> list[tuple[str, str, float]]:
    ch = cfg.outcomes.churn
    background = cfg.demand.customers * (1 - (1 - ch.annual_base) ** (length / YEAR))
    issues = _get(k, "all", "churned")
    lost = issues + background
    return [
        ("churn", "customers_lost_issues", issues),
        ("churn", "customers_lost_background", background),
        ("churn", "customers_lost", lost),
        ("churn", "revenue_lost_month", lost * ch.arpu_month),
        ("churn", "revenue_lost_year", lost * ch.arpu_month * 12),
    ]
