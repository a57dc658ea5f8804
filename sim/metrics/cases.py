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
(mean of the sampled survey), ``churned`` and ``churn_rate``, ``p_churn``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.metrics.aggregates import Strata, Window
from sim.metrics.records import Columns
from sim.metrics.reduce import add_by_slot, arrival_slots
from sim.outcomes.resolution import CASE_COLUMNS

CASE_DIMS = ("all", "segment", "reason", "channel")
CASE_REALS = ("t_first", "t_end", "wait", "satisfaction", "p_churn", "survey_score")
# Summed per stratum: a count of issues, then the numeric case columns from "closed" on.
CASE_FIELDS = ("issues", *CASE_COLUMNS[CASE_COLUMNS.index("closed") :])


class CaseSink:
    """Collects case rows and reduces them in chunks into per-stratum sums."""

    def __init__(self, win: Window, strata: Strata, keep: bool) -> None:
        self.win = win
        self.strata = strata
        self.keep = keep
        self.sums = {
            d: np.zeros((strata.size(d), win.n_intervals + 1, len(CASE_FIELDS))) for d in CASE_DIMS
        }
        self.chunks: list[Columns] = []

    def add_rows(self, rows: list[tuple]) -> None:
        """Reduce (and keep, if asked) a batch of case rows."""
        if not rows:
            return
        table = np.array(rows, dtype=float).reshape(len(rows), len(CASE_COLUMNS))
        cols = {k: table[:, i] for i, k in enumerate(CASE_COLUMNS)}
        reduce_cases(self.sums, cols, self.win)
        if self.keep:
            self.chunks.append(cols)


def _values(cols: Columns) -> list[np.ndarray]:
    closed = cols["closed"] == 1
    done = np.where(closed, 1.0, 0.0)
    survey = np.nan_to_num(cols["survey_score"]) * (cols["surveyed"] == 1)
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
    ]


def reduce_cases(sums: dict[str, np.ndarray], cols: Columns, win: Window) -> None:
    """Add a chunk of cases into ``sums`` (by stratum, interval of first contact, window)."""
    t = cols["t_first"]
    idx, w, inside = arrival_slots(t, win)
    values = _values(cols)
    keys = {
        "all": np.zeros(len(t), dtype=np.int64),
        "segment": cols["segment"].astype(np.int64),
        "reason": cols["reason"].astype(np.int64),
        "channel": cols["channel"].astype(np.int64),
    }
    for dim in CASE_DIMS:
        if sums[dim].shape[0]:
            add_by_slot(sums[dim], np.where(inside, keys[dim], -1), idx, w, values)


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
        "resolved": g["resolved"],
    }


def case_kpis(sums: dict[str, np.ndarray], strata: Strata) -> list[tuple[str, str, float]]:
    """Window KPIs of the cases, as (scope, metric, value) rows."""
    rows = []
    for dim in CASE_DIMS:
        for k, name in enumerate(strata.names[dim]):
            scope = "all" if dim == "all" else f"{dim}:{name}"
            rows += [(scope, m, float(v)) for m, v in case_metrics(sums[dim][k, -1]).items()]
    return rows


def cases_frame(chunks: Sequence[Columns], replication: int, strata: Strata) -> pd.DataFrame:
    """The per-case table, names instead of codes."""
    if not chunks:
        return pd.DataFrame(columns=["replication", *CASE_COLUMNS])
    cols = {k: np.concatenate([c[k] for c in chunks]) for k in CASE_COLUMNS}
    frame = pd.DataFrame(cols)
    frame.insert(0, "replication", replication)
    for dim in CASE_DIMS[1:]:
        frame[dim] = pd.Categorical.from_codes(cols[dim].astype(int), strata.names[dim])
    for k in CASE_COLUMNS:
        if k not in CASE_DIMS and k not in CASE_REALS:  # ids, counts and flags
            frame[k] = frame[k].astype(np.int64)
    return frame.sort_values("case_id", ignore_index=True)
