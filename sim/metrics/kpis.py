"""KPI definitions and the per-replication KPI tables.

Scopes: ``all``; ``live`` and ``deferred``; ``queue:<name>``,
``channel:<name>``, ``segment:<name>``, ``reason:<name>``; ``group:<name>``
and ``vendor:<name>`` for agent groups.

``live`` holds the contacts of live channels (voice, chat: a customer on the
line) and the queues' own (textbook) arrivals; ``deferred`` those of deferred
channels (e-mail, social: a backlog answered within hours). ``all`` holds
both, so in a scenario with deferred channels its waits, ASA, service level,
abandonment and mean queue are a mix of seconds on the phone and hours in a
mailbox (the ASA of ``all`` rises when the IVR deflects calls, because
e-mails weigh more): read them per mode. ``all`` stays for volumes, shares
of the contacts offered (self-service, blocking, switching), handle time,
occupancy and costs, and for textbook scenarios, where ``live`` is ``all``.
A mode scope is present when the scenario has contacts of that mode; its
``mean_queue`` only when each of its queues is fed by that mode alone.

``sl_threshold``: the service-level threshold (minutes) of the scope, a row
beside ``service_level``; NaN where the scope mixes thresholds (``live`` with
voice at 20 s and chat at 60 s: each contact counts against its own channel's),
:mod:`sim.metrics.thresholds` names them.

Definitions (``queued`` = legs that entered a queue; a transferred contact
has one leg per queue it visited):

- ``offered``: contacts arriving in the window; ``arrival_rate`` per minute.
- ``p_block`` = blocked / offered (IVR ports or queue capacity); ``p_balk``
  = balked / offered (found no idle agent and hung up at once, without
  joining the queue: neither queued nor abandoned).
- ``p_self_served`` = resolved by IVR or self-service / offered
  (deflection or containment); ``p_switch``, ``p_give_up`` likewise.
- ``escalated``: contacts that failed self-service and reached an agent queue.
- ``p_abandon`` = abandoned / queued; ``p_wait`` = legs that had to wait /
  live legs; ``service_level`` = answered within the threshold / live legs,
  where live legs are the queued ones minus accepted callbacks.
- ``mean_wait``: over live queued legs whose wait is known (an abandoned leg
  waited until it left); ``asa``: mean wait of answered live legs;
  ``wait_p50/p90/p95`` from a histogram with bins 1.2 % wide.
- ``aht``: mean handle time of served legs.
- ``contacts_per_issue`` and ``frustration``: means over issues that ended.
- ``unresolved``: contacts that ended without service (gave up, abandoned,
  blocked, balked) or were still waiting at the end. With repeat contacts one customer
  can count several times; the outcome model's ``issues_unresolved`` (issues
  not resolved, open ones included) counts customers.
- ``p_callback_offer`` and ``p_callback``: callbacks offered and accepted /
  queued; ``callback_wait``: mean time from queue entry to the call back
  (:mod:`sim.routing.callback`). Callbacks stay in ``queued`` and ``mean_queue``
  (they hold a place in line) but not in the live wait KPIs above.
- ``mean_queue``: time-average number waiting; ``occupancy`` = busy agent
  time / worked agent time (scheduled plus ``overtime``, the time agents
  spend finishing a contact after their hours); ``backlog`` (intervals): waiting at the end of
  the interval, ``backlog_age``: their mean time waited so far.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from sim.metrics.aggregates import (
    PERCENTILES,
    F,
    Partial,
    Strata,
    Window,
    fold_array,
    fold_intervals,
    percentile,
    period_slots,
    with_modes,
)
from sim.metrics.outbound import SUMMED as OUTBOUND_SUMMED

Bounds = tuple[float, float]
UNBOUNDED: Bounds = (-math.inf, math.inf)
UNIT: Bounds = (0.0, 1.0)
POSITIVE: Bounds = (0.0, math.inf)
SHARES = (
    "p_block",
    "p_balk",
    "p_self_served",
    "p_switch",
    "p_give_up",
    "p_abandon",
    "p_wait",
    "p_callback_offer",
    "p_callback",
    "service_level",
    "occupancy",
    "fcr",
    "fcr_measured",
    "resolution_rate",
    "p_resolved",  # resolved / handled (served by an agent or self-served)
    "repeat_rate",
    "churn_rate",
    "stress_mean",
    "stress_p90",
    "high_stress_share",
    "contact_rate",
)
NON_NEGATIVE = (
    "offered",
    "queued",
    "served",
    "abandoned",
    "blocked",
    "open",
    "self_served",
    "switched",
    "gave_up",
    "transferred",
    "escalated",
    "overflowed",
    "tried_self_service",
    "callback_offered",
    "callbacks",
    "balked",
    "handle_minutes",
    "front_minutes",
    "line_minutes",
    "unresolved",
    "arrival_rate",
    "mean_wait",
    "asa",
    "aht",
    *(f"wait_p{p}" for p in PERCENTILES),
    "contacts_per_issue",
    "frustration",
    "callback_wait",
    "mean_queue",
    "mean_busy",
    "mean_staffed",
    "overtime",
    "sl_threshold",
    "issues",
    "issues_open",
    "issues_unresolved",
    "issue_contacts",
    "issue_wait",
    "surveyed",
    "churned",
    "retained",
    "resolved",
    "absent_days",
    "leavers",
    "hires",
    "attrition_annual",
    "customers_lost",
    "customers_lost_issues",
    "customers_lost_background",
    "revenue_lost_month",
    "revenue_lost_year",
    "total",
    "labour",
    "governance",
    "self_service",
    "ivr",
    "telephony",
    "hiring",
    "per_contact",
    "per_resolved_issue",
    "per_managed_customer",
    "per_managed_customer_month",
    # proactive outbound (sim.metrics.outbound)
    "outbound",
    *OUTBOUND_SUMMED,
    "attempts_per_hour",
)
# The range of each KPI's value: confidence intervals stay inside it (sim.metrics.stats).
# KPIs not listed (e.g. bonus_malus, which can be negative) are unbounded.
BOUNDS: dict[str, Bounds] = (
    dict.fromkeys(NON_NEGATIVE, POSITIVE)
    | dict.fromkeys(SHARES, UNIT)
    | dict.fromkeys(("satisfaction", "survey_satisfaction"), (0.0, 10.0))
    | dict.fromkeys(
        ("survey_wait", "survey_accuracy", "survey_ability", "survey_courtesy"), (1.0, 10.0)
    )
    | dict.fromkeys(("p_churn", "net_churn_rate"), (-1.0, 1.0))  # loyalty can push them below 0
)

COUNTS = (
    "offered",
    "queued",
    "served",
    "abandoned",
    "blocked",
    "open",
    "self_served",
    "switched",
    "gave_up",
    "transferred",
    "escalated",
    "overflowed",
    "tried_self_service",
    "callback_offered",
    "callbacks",
    "balked",
)


def ratio(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """A / b, NaN where b is 0."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.divide(a, b, out=np.full(np.broadcast(a, b).shape, np.nan), where=b > 0)


def contact_metrics(c: np.ndarray, length: ArrayLike) -> dict[str, np.ndarray]:
    """KPIs from FIELDS sums ``c`` (last axis) over a period of ``length`` minutes."""
    get = {name: c[..., i] for name, i in F.items()}
    out = {name: get[name] for name in COUNTS}
    live = get["queued"] - get["callbacks"]  # queued legs whose caller stayed on the line
    return out | {
        "handle_minutes": get["handle_sum"],
        "front_minutes": get["front_minutes"],
        "line_minutes": get["line_minutes"],
        # one denominator in every scope: legs handled (by an agent or self-service),
        # the only legs that can resolve an issue; so 0 <= p_resolved <= 1
        "p_resolved": ratio(get["resolved"], get["served"] + get["self_served"]),
        "unresolved": get["gave_up"]
        + get["abandoned"]
        + get["blocked"]
        + get["balked"]
        + get["open"],
        "arrival_rate": ratio(get["offered"], length),
        "p_block": ratio(get["blocked"], get["offered"]),
        "p_balk": ratio(get["balked"], get["offered"]),
        "p_self_served": ratio(get["self_served"], get["offered"]),
        "p_switch": ratio(get["switched"], get["offered"]),
        "p_give_up": ratio(get["gave_up"], get["offered"]),
        "p_abandon": ratio(get["abandoned"], get["queued"]),
        "p_wait": ratio(get["waited"], live),
        "service_level": ratio(get["answered_in_sl"], live),
        "mean_wait": ratio(get["wait_sum"], get["wait_known"]),
        "asa": ratio(get["answer_wait_sum"], get["answered"]),
        "aht": ratio(get["handle_sum"], get["served"]),
        "contacts_per_issue": ratio(get["attempts_sum"], get["issues_closed"]),
        "frustration": ratio(get["frustration_sum"], get["issues_closed"]),
        "p_callback_offer": ratio(get["callback_offered"], get["queued"]),
        "p_callback": ratio(get["callbacks"], get["queued"]),
        "callback_wait": ratio(get["callback_wait_sum"], get["callback_answered"]),
    }


def agent_metrics(
    busy: ArrayLike, staffed: ArrayLike, overtime: ArrayLike, length: ArrayLike
) -> dict:
    """Agent KPIs: busy and scheduled agents on average, occupancy, overtime.

    Occupancy is busy time over worked time (scheduled plus overtime).
    """
    worked = np.asarray(staffed) + np.asarray(overtime)
    return {
        "mean_busy": ratio(busy, length),
        "mean_staffed": ratio(staffed, length),
        "occupancy": ratio(busy, worked),
        "overtime": ratio(overtime, length),
    }


def _rows(scope: str, metrics: dict) -> list[tuple[str, str, float]]:
    return [(scope, k, float(v)) for k, v in metrics.items()]


def _percentiles(hist: np.ndarray, longest: float) -> dict[str, float]:
    return {f"wait_p{p}": percentile(hist, p, longest) for p in PERCENTILES}


def scope_name(dim: str, name: str) -> str:
    """Scope label of a stratum (``all``, ``live``, ``deferred``, ``<dim>:<name>``)."""
    return name if dim in ("all", "mode") else f"{dim}:{name}"


def _mode_queue(part: Partial, strata: Strata, k: int, slots: slice | int) -> np.ndarray | None:
    """Queue-length integral of mode ``k`` (None when a queue mixes modes or has none)."""
    mine = strata.queue_mode == k
    if len(strata.queue_mode) != part.queue_time.shape[0] or (strata.queue_mode < 0).any():
        return None
    return part.queue_time[mine][:, slots].sum(axis=0)


GROUP_CONTACT_METRICS = (
    "served",
    "service_level",
    "asa",
    "aht",
    "transferred",
    "overflowed",
    "handle_minutes",
    "p_resolved",
)


def _agent_rows(
    part: Partial, win: Window, strata: Strata, staffed: np.ndarray, overtime: np.ndarray
) -> list:
    """Group and vendor scopes: the work they took, then busy, staffed and occupancy."""
    rows = []
    for dim in ("group", "vendor"):
        members = _members(strata, dim)
        for k, name in enumerate(strata.names[dim]):
            m = contact_metrics(part.counts[dim][k, -1], win.length)
            m = {key: m[key] for key in GROUP_CONTACT_METRICS}
            gs = members[k]
            m |= agent_metrics(
                part.busy_time[gs, -1].sum(),
                staffed[gs, -1].sum(),
                overtime[gs, -1].sum(),
                win.length,
            )
            rows += _rows(scope_name(dim, name), m)
    return rows


def _members(strata: Strata, dim: str) -> list[list[int]]:
    """Agent groups in each stratum of ``group`` or ``vendor``."""
    if dim == "group":
        return [[g] for g in range(len(strata.names["group"]))]
    return [
        list(np.flatnonzero(strata.vendor_of_group == v))
        for v in range(len(strata.names["vendor"]))
    ]


def replication_kpis(
    part: Partial, win: Window, strata: Strata, staffed: np.ndarray, overtime: np.ndarray
) -> pd.DataFrame:
    """Window KPIs of one replication, long format ``(scope, metric, value)``.

    ``staffed`` and ``overtime`` are agent-minutes per group (per interval,
    window in the last slot); occupancy is busy time over their sum.
    """
    rows: list[tuple[str, str, float]] = []
    part = with_modes(part, strata)
    for dim in ("all", "mode", "queue", "channel", "segment", "reason"):
        for k, name in enumerate(strata.names.get(dim, [])):
            m = contact_metrics(part.counts[dim][k, -1], win.length) | _percentiles(
                part.hist[dim][k], part.wait_max[dim][k]
            )
            if dim == "queue":
                m["mean_queue"] = part.queue_time[k, -1] / win.length
            if dim == "mode" and (q := _mode_queue(part, strata, k, -1)) is not None:
                m["mean_queue"] = q / win.length
            if dim == "all":
                m["mean_queue"] = part.queue_time[:, -1].sum() / win.length
                m |= agent_metrics(
                    part.busy_time[:, -1].sum(),
                    staffed[:, -1].sum(),
                    overtime[:, -1].sum(),
                    win.length,
                )
            rows += _rows(scope_name(dim, name), m)
    rows += _agent_rows(part, win, strata, staffed, overtime)
    rows += _threshold_rows(rows, strata)
    return pd.DataFrame(rows, columns=["scope", "metric", "value"])


def _threshold_rows(rows: list[tuple[str, str, float]], strata: Strata) -> list:
    """An ``sl_threshold`` row beside each scope's ``service_level`` (when the strata know it)."""
    return [
        (scope, "sl_threshold", strata.scope_threshold[scope])
        for scope, metric, _ in rows
        if metric == "service_level" and scope in strata.scope_threshold
    ]


def _backlog(b: np.ndarray, edges: np.ndarray) -> dict[str, np.ndarray]:
    waiting = np.cumsum(b[:, 0])
    entered = np.cumsum(b[:, 1])
    return {"backlog": waiting, "backlog_age": edges[1:] - ratio(entered, waiting)}


def interval_table(part: Partial, win: Window, strata: Strata, worked: np.ndarray) -> pd.DataFrame:
    """Per-interval KPIs (arrival-based counts, time-averaged levels), one row per scope."""
    return _table(part, win.edges, win.warmup, strata, worked)


def period_table(
    part: Partial,
    win: Window,
    strata: Strata,
    worked: np.ndarray,
    periods: tuple[np.ndarray, Sequence],
    name: str,
) -> pd.DataFrame:
    """KPIs per period (day, week, month), one row per period and scope.

    ``periods`` holds the start of each period in minutes (ascending, the first
    at 0) and its label, the value of column ``name`` (1, 2, ... for days and
    weeks, ``2027-01`` for months).

    The same KPIs as :func:`interval_table`, from the interval aggregates summed
    over the intervals of each period (an interval belongs to the period it
    starts in; with an interval that does not divide the period, edges are off
    by at most one interval). Exact sums, not means of interval KPIs: a day's
    service level is its answered-in-threshold contacts over its live legs.
    ``backlog`` is the number waiting at the period's end. What a manager's
    daily and weekly report reads (offered, service level, ASA, abandonment,
    occupancy); from the aggregates a run keeps anyway, so it costs no records.
    """
    edges = win.edges
    which, starts = period_slots(edges, periods[0])
    folded = fold_intervals(part, starts, win.n_intervals)
    cut = np.append(edges[starts], edges[-1])
    worked = fold_array(worked, starts, win.n_intervals)
    table = _table(folded, cut, win.warmup, strata, worked)
    labels = np.asarray(periods[1])[which[starts]]
    table.insert(1, name, np.tile(labels, len(table) // len(starts)))
    return table


def _table(
    part: Partial, edges: np.ndarray, warmup: float, strata: Strata, worked: np.ndarray
) -> pd.DataFrame:
    """KPIs of each slot between ``edges`` (intervals, days, weeks), one block per scope."""
    n = len(edges) - 1
    lengths = np.diff(edges)
    frames = []
    part = with_modes(part, strata)
    for dim in ("all", "mode", "queue", "channel"):
        for k, name in enumerate(strata.names.get(dim, [])):
            m = contact_metrics(part.counts[dim][k, :n], lengths) | _backlog(
                part.backlog[dim][k], edges
            )
            if dim == "queue":
                m["mean_queue"] = part.queue_time[k, :n] / lengths
            if dim == "mode" and (q := _mode_queue(part, strata, k, slice(0, n))) is not None:
                m["mean_queue"] = q / lengths
            if dim == "all":
                busy = part.busy_time[:, :n].sum(0)
                m |= {
                    "mean_queue": part.queue_time[:, :n].sum(0) / lengths,
                    "mean_busy": busy / lengths,
                    "occupancy": ratio(busy, worked[:, :n].sum(0)),
                }
            frames.append(_frame(scope_name(dim, name), edges, warmup, m))
    return pd.concat(frames, ignore_index=True)


def _frame(scope: str, edges: np.ndarray, warmup: float, metrics: dict) -> pd.DataFrame:
    columns = {"scope": scope, "t_start": edges[:-1], "t_end": edges[1:]}
    columns["in_window"] = edges[:-1] >= warmup
    columns |= {k: np.asarray(v, dtype=float) for k, v in metrics.items()}
    return pd.DataFrame(columns)  # one constructor: adding columns one by one is slow
