"""Issue-level statistics: the case log, its reduction and its KPIs.

One row per case (the customer's issue) when it ends, or when the run ends
with it still open. Rows are converted and reduced in chunks like contact
records (:mod:`sim.metrics.records`), by stratum (all, segment, reason, channel of
the first contact) and interval of the first contact.

KPIs (over cases whose first contact is in the window; rates over cases
that ended): ``issues``, ``fcr`` (resolved by the first contact),
``fcr_measured`` (no repeat within the FCR window, as a centre measures it),
``resolution_rate``, ``issue_contacts`` (contacts per case), ``repeat_rate``
(repeat contacts / contacts), ``satisfaction`` (0-10), ``survey_satisfaction``
(mean of the sampled survey), ``churned`` and ``churn_rate``, ``p_churn``
(extra defection net of loyalty, can be negative), ``retained`` (customers an
excellent experience kept) and ``net_churn_rate`` ((churned - retained) /
ended issues: below 0 when excellent service keeps more customers than the
issues lose); the four survey items ``survey_wait``, ``survey_accuracy``,
``survey_ability``, ``survey_courtesy`` (means over surveyed issues, 1-10).

Issues are also counted by the agent ``group`` who served their last served
leg and by its ``vendor`` (issues no agent served are in neither); those
scopes carry only :data:`AGENT_CASE_METRICS` (the vendor's FCR and survey
scores its bonus/malus is tied to), the rest being contact KPIs there.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from sim.metrics.aggregates import Strata, Window, fold_array, period_slots, span
from sim.metrics.records import Columns
from sim.metrics.reduce import add_by_slot, arrival_slots
from sim.outcomes.resolution import CASE_COLUMNS

CASE_DIMS = ("all", "segment", "reason", "channel", "group", "vendor")
SURVEY_ITEMS = ("survey_wait", "survey_accuracy", "survey_ability", "survey_courtesy")
CASE_REALS = ("t_first", "t_end", "wait", "satisfaction", "p_churn", "survey_score", *SURVEY_ITEMS)
AGENT_CASE_METRICS = (
    "fcr",
    "satisfaction",
    "surveyed",
    "survey_satisfaction",
    *SURVEY_ITEMS,
    "churn_rate",
    "net_churn_rate",
)
# Summed per stratum: a count of issues, then the numeric case columns from "closed" on.
CASE_FIELDS = ("issues", *CASE_COLUMNS[CASE_COLUMNS.index("closed") :])


class CaseSink:
    """Collects case rows and reduces them in chunks into per-stratum sums."""

    def __init__(
        self, win: Window, strata: Strata, keep: Callable[[Columns], Columns] | None
    ) -> None:
        self.win = win
        self.strata = strata
        self.keep = keep  # what of a chunk is kept (None: nothing; identity: all)
        self.sums = {
            d: np.zeros((strata.size(d), win.n_intervals + 1, len(CASE_FIELDS))) for d in CASE_DIMS
        }
        self.chunks: list[Columns] = []

    def add_rows(self, rows: list[tuple]) -> None:
        """Reduce (and keep, if asked) a batch of case rows."""
        if not rows:
            return
        width = len(CASE_COLUMNS)  # fromiter over the flattened rows: faster than np.array
        flat = np.fromiter(itertools.chain.from_iterable(rows), float, len(rows) * width)
        table = flat.reshape(len(rows), width)
        cols = {k: table[:, i] for i, k in enumerate(CASE_COLUMNS)}
        reduce_cases(self.sums, cols, self.win, self.strata.vendor_of_group)
        if self.keep is not None:
            self.chunks.append(self.keep(cols))


def _values(cols: Columns) -> list[np.ndarray]:
    closed = cols["closed"] == 1
    done = np.where(closed, 1.0, 0.0)
    asked = cols["surveyed"] == 1
    survey = np.nan_to_num(cols["survey_score"]) * asked
    return [
        np.ones(len(closed)),
        done,
        cols["resolved"],
        cols["fcr"],
        cols["fcr_measured"],
        cols["contacts"] * done,
        cols["transfers"] * done,
        cols["wait"] * done,
        np.nan_to_num(cols["satisfaction"]) * done,
        np.nan_to_num(cols["p_churn"]) * done,
        cols["churned"],
        cols["surveyed"],
        survey,
        *(np.nan_to_num(cols[k]) * asked for k in SURVEY_ITEMS),
        cols["retained"],
    ]


def reduce_cases(
    sums: dict[str, np.ndarray], cols: Columns, win: Window, vendor_of_group: np.ndarray
) -> None:
    """Add a chunk of cases into ``sums`` (by stratum, interval of first contact, window).

    The chunk is reduced over the intervals its first contacts cover only, then
    added into those slots of ``sums``: the cost does not grow with the horizon.
    """
    t = cols["t_first"]
    if not len(t):
        return
    part = span(win, float(np.min(t)), float(np.max(t)))
    lo, n = part.first, part.n_intervals
    idx, w, inside = arrival_slots(t, part)
    values = _values(cols)
    group = cols["group"].astype(np.int64)
    keys = {
        "all": np.zeros(len(t), dtype=np.int64),
        "segment": cols["segment"].astype(np.int64),
        "reason": cols["reason"].astype(np.int64),
        "channel": cols["channel"].astype(np.int64),
        "group": group,
        "vendor": np.where(group >= 0, vendor_of_group[np.maximum(group, 0)], -1),
    }
    for dim in CASE_DIMS:
        if sums[dim].shape[0]:
            out = np.zeros((sums[dim].shape[0], n + 1, len(CASE_FIELDS)))
            add_by_slot(out, np.where(inside, keys[dim], -1), idx, w, values)
            sums[dim][:, lo : lo + n] += out[:, :n]
            sums[dim][:, -1] += out[:, -1]


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else float("nan")


def case_metrics(s: np.ndarray) -> dict[str, float]:
    """Issue KPIs from CASE_FIELDS sums."""
    g = dict(zip(CASE_FIELDS, s, strict=True))
    return {
        "issues": g["issues"],
        "issues_open": g["issues"] - g["closed"],
        "issues_unresolved": g["issues"] - g["resolved"],  # customers not helped (or not yet)
        "fcr": _ratio(g["fcr"], g["closed"]),
        "fcr_measured": _ratio(g["fcr_measured"], g["closed"]),
        "resolution_rate": _ratio(g["resolved"], g["closed"]),
        "issue_contacts": _ratio(g["contacts"], g["closed"]),
        "repeat_rate": _ratio(g["contacts"] - g["closed"], g["contacts"]),
        "issue_wait": _ratio(g["wait"], g["closed"]),
        "satisfaction": _ratio(g["satisfaction"], g["closed"]),
        "survey_satisfaction": _ratio(g["survey_score"], g["surveyed"]),
        "surveyed": g["surveyed"],
        "p_churn": _ratio(g["p_churn"], g["closed"]),
        "churned": g["churned"],
        "churn_rate": _ratio(g["churned"], g["closed"]),
        "retained": g["retained"],
        "net_churn_rate": _ratio(g["churned"] - g["retained"], g["closed"]),
        "resolved": g["resolved"],
        **{k: _ratio(g[k], g["surveyed"]) for k in SURVEY_ITEMS},
    }


def case_kpis(sums: dict[str, np.ndarray], strata: Strata) -> list[tuple[str, str, float]]:
    """Window KPIs of the cases, as (scope, metric, value) rows."""
    rows = []
    for dim in CASE_DIMS:
        agents = dim in ("group", "vendor")
        for k, name in enumerate(strata.names[dim]):
            scope = "all" if dim == "all" else f"{dim}:{name}"
            kpis = case_metrics(sums[dim][k, -1]).items()
            rows += [(scope, m, float(v)) for m, v in kpis if not agents or m in AGENT_CASE_METRICS]
    return rows


PERIOD_CASE_METRICS = ("issues", "fcr", "fcr_measured", "resolution_rate", "satisfaction")
PERIOD_CASE_METRICS += ("repeat_rate", "churn_rate")


def case_period_columns(
    sums: dict[str, np.ndarray], win: Window, strata: Strata, bounds: np.ndarray
) -> pd.DataFrame:
    """Issue KPIs per period (day, week, month; ``bounds``: their starts in minutes).

    For the scopes ``all`` and ``channel:<name>``.

    Rows ``scope, t_start`` and :data:`PERIOD_CASE_METRICS`, by the period of each
    case's first contact (an interval belongs to the period it starts in), to be
    joined onto the day, week and month tables. Sums over the period, then ratios.
    """
    edges = win.edges
    starts = period_slots(edges, bounds)[1]
    frames = []
    for dim in ("all", "channel"):
        folded = fold_array(sums[dim], starts, win.n_intervals)
        for k, name in enumerate(strata.names[dim]):
            rows = [case_metrics(folded[k, j]) for j in range(len(starts))]
            frame = {m: [r[m] for r in rows] for m in PERIOD_CASE_METRICS}
            scope = "all" if dim == "all" else f"channel:{name}"
            frames.append(pd.DataFrame({"scope": scope, "t_start": edges[starts], **frame}))
    return pd.concat(frames, ignore_index=True)


def cases_frame(chunks: Sequence[Columns], replication: int, strata: Strata) -> pd.DataFrame:
    """The per-case table, names instead of codes."""
    if not chunks:
        return pd.DataFrame(columns=["replication", *CASE_COLUMNS])
    cols = {k: np.concatenate([c[k] for c in chunks]) for k in CASE_COLUMNS}
    frame = pd.DataFrame(cols)
    frame.insert(0, "replication", replication)
    for dim in ("segment", "reason", "channel", "group"):
        frame[dim] = pd.Categorical.from_codes(cols[dim].astype(int), strata.names[dim])
    for k in CASE_COLUMNS:
        if k not in CASE_DIMS and k not in CASE_REALS:  # ids, counts and flags
            frame[k] = frame[k].astype(np.int64)
    return frame.sort_values("case_id", ignore_index=True)
