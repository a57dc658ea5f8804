"""A contact log in any layout, read through a column mapping into one tidy table.

One row of the export is one contact. The tidy table keeps the contacts that
asked for an agent (joined the queue or were answered at once), with:

``day`` (date of the arrival), ``queue``, ``priority``, ``agent``,
``t_arrival``, ``t_queue``, ``t_answer``, ``t_end``, ``t_ivr_entry``,
``t_ivr_exit`` (minutes after that day's midnight; past 1440 for a contact
crossing midnight; NaN when it did not happen), ``outcome`` (``served``,
``abandoned``, ``blocked``, ``other``), ``wait`` (to the answer, or to the
hang-up), ``handle`` (served only) and ``row`` (where it was in the file).

Rules, each naming the file, the row, the column and the rule when broken:
every mapped column exists; times and dates can be read; outcome codes are
known to the mapping; a served contact has an answer time; the answer is not
before the arrival (beyond ``tolerance`` seconds of clock skew, which are
set to the arrival and counted); the end is not before the answer or the
arrival. With ``on_error: stop`` (the default) the first broken rule stops
the load; with ``drop`` such rows are dropped and counted. Rows the mapping
says to ignore (``PHANTOM`` calls) and contacts that hung up before joining
the queue (in the IVR) are dropped and counted too: :attr:`LoadedLog.dropped`.

Not handled: contacts spread over several rows (one row per leg), clock
changes within a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.data.log_times import _minutes
from sim.data.mapping import (
    LOG_FIELDS,
    REQUIRED,
    ColumnMapping,
    check_mapping,
    load_mapping,
)
from sim.data.readers import (
    LogError,
    _check_columns,
    _present,
    _Problems,
    _Rows,
    _shown,
    read_table,
)


@dataclass
class LoadedLog:
    """The tidy contacts of a log, where they came from, and what was dropped and why."""

    contacts: pd.DataFrame
    source: Path
    mapping: ColumnMapping
    rows: int
    dropped: pd.DataFrame  # reason ("dropped: ..." or "kept: ..."), rows

    @property
    def days(self) -> list[pd.Timestamp]:
        """The calendar days of the log."""
        return sorted(self.contacts["day"].unique())

    def summary(self) -> str:
        """What was read, kept and dropped, in a few lines."""
        lines = [f"{self.source}: {self.rows:,} rows, {len(self.contacts):,} contacts kept"]
        lines += [f"  {r.rows:,} {r.reason}" for r in self.dropped.itertuples()]
        return "\n".join(lines)


def _outcomes(table: pd.DataFrame, m: ColumnMapping, problems: _Problems) -> pd.Series:
    col = m.sources("outcome")[0]
    codes = table[col].astype(str).str.strip()
    meaning = codes.map(m.outcomes) if m.outcomes else codes
    bad = (
        meaning.isna().to_numpy()
        | ~meaning.isin(("served", "abandoned", "blocked", "other", "ignore")).to_numpy()
    )
    known = ", ".join(sorted(m.outcomes)) if m.outcomes else "served, abandoned, blocked, other"
    problems.add(f"unknown outcome (known: {known}; map it under outcomes:)", col, bad, table[col])
    return meaning


def load_log(path: str | Path, mapping: Any = None, **overrides: Any) -> LoadedLog:
    """Read a contact log through a mapping (a YAML path, a dict, or keywords)."""
    path = Path(path)
    m = load_mapping(mapping, **overrides)
    where = str(mapping) if isinstance(mapping, str | Path) else "mapping"
    check_mapping(m, LOG_FIELDS, REQUIRED, where)
    table = read_table(path, m.separator)
    _check_columns(table, m, path, LOG_FIELDS)
    problems = _Problems([])
    day, t = _minutes(table, m, problems)
    outcome = _outcomes(table, m, problems)
    frame = _frame(table, m, day, t, outcome, problems)
    dropped, reasons = _dropped(frame, table, m)
    skew = _rules(frame, table, m, problems)
    bad, more = _bad_rows(problems, dropped, _Rows(path), m)
    keep = frame[~(dropped | bad)].copy()
    moved = skew[keep.index]
    keep.loc[moved, "t_answer"] = keep.loc[moved, "t_arrival"]
    reasons += [
        *more,
        (
            f"kept: answer up to {m.tolerance:g} s before the arrival, set to the arrival",
            int(moved.sum()),
        ),
    ]
    counts = pd.DataFrame([r for r in reasons if r[1]], columns=["reason", "rows"])
    return LoadedLog(_derived(keep), path, m, len(table), counts)


def _frame(
    table: pd.DataFrame,
    m: ColumnMapping,
    day: pd.Series,
    t: dict[str, np.ndarray],
    outcome: pd.Series,
    problems: _Problems,
) -> pd.DataFrame:
    missing = set(m.missing)
    n = len(table)
    agent = _present(table, m.sources("agent"), missing | set(m.agent_missing))[0]
    queue = _present(table, m.sources("queue"), missing)[0] if m.sources("queue") else None
    frame = pd.DataFrame(
        {
            "day": day.to_numpy(),
            "queue": queue.astype(str).to_numpy() if queue is not None else np.full(n, "all"),
            "priority": _priority(table, m, problems),
            "agent": agent.to_numpy(),
            "outcome": outcome.to_numpy(),
            "row": np.arange(n),
        }
    )
    names = {
        "arrival": "t_arrival",
        "queue_start": "t_queue",
        "answer": "t_answer",
        "end": "t_end",
        "ivr_entry": "t_ivr_entry",
        "ivr_exit": "t_ivr_exit",
    }
    for f, col in names.items():
        frame[col] = t.get(f, np.full(n, np.nan))
    return frame


def _priority(table: pd.DataFrame, m: ColumnMapping, problems: _Problems) -> np.ndarray:
    if not m.sources("priority"):
        return np.zeros(len(table), dtype=int)
    col = m.sources("priority")[0]
    values = pd.to_numeric(table[col], errors="coerce")
    bad = values.isna().to_numpy() | (values % 1 != 0).to_numpy()
    problems.add("priority must be a whole number", col, bad, table[col])
    return values.fillna(0).astype(int).to_numpy()


def _dropped(
    frame: pd.DataFrame, table: pd.DataFrame, m: ColumnMapping
) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """Rows the mapping ignores and contacts that never joined the queue, with their counts."""
    ignored = (frame.outcome == "ignore").to_numpy()
    col = m.sources("outcome")[0]
    codes = table.loc[ignored, col].astype(str).str.strip().value_counts()
    reasons = [
        (f"dropped: outcome {code!r} (ignored by the mapping)", int(k)) for code, k in codes.items()
    ]
    in_ivr = np.zeros(len(frame), dtype=bool)
    if m.sources("queue_start"):
        in_ivr = ((frame.outcome == "abandoned") & frame.t_queue.isna()).to_numpy() & ~ignored
        reasons.append(
            ("dropped: hung up before joining the queue (in the IVR)", int(in_ivr.sum()))
        )
    return ignored | in_ivr, reasons


def _rules(
    frame: pd.DataFrame, table: pd.DataFrame, m: ColumnMapping, problems: _Problems
) -> np.ndarray:
    """Check the order of the times; return the answers to move to the arrival (clock skew)."""
    served = (frame.outcome == "served").to_numpy()
    ended = served | (frame.outcome == "abandoned").to_numpy()
    col = {f: (m.sources(f) or [""])[0] for f in ("arrival", "answer", "end")}
    raw = {f: table[c] if c else frame["row"] for f, c in col.items()}
    arrival, answer, end = (frame[c].to_numpy() for c in ("t_arrival", "t_answer", "t_end"))
    problems.add(
        "a contact needs an arrival time", col["arrival"], np.isnan(arrival), raw["arrival"]
    )
    problems.add(
        "a served contact needs an answer time",
        col["answer"],
        served & np.isnan(answer),
        raw["answer"],
    )
    problems.add(
        "a served or abandoned contact needs an end time",
        col["end"],
        ended & np.isnan(end),
        raw["end"],
    )
    early = (arrival - answer) * 60.0
    problems.add(
        f"answer before arrival (by more than {m.tolerance:g} s)",
        col["answer"],
        early > m.tolerance,
        raw["answer"],
    )
    start = np.where(np.isnan(answer), arrival, np.maximum(answer, arrival))
    problems.add(
        "end before the answer or the arrival", col["end"], ended & (end < start - 1e-9), raw["end"]
    )
    return (early > 0) & (early <= m.tolerance)


def _bad_rows(
    problems: _Problems, dropped: np.ndarray, rows: _Rows, m: ColumnMapping
) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """Rows that break a rule (not counting rows dropped anyway); stop at the first, or count."""
    bad = np.zeros(len(dropped), dtype=bool)
    found = [(r, c, p[~dropped[p]], v) for r, c, p, v in problems.found]
    found = sorted((f for f in found if len(f[2])), key=lambda f: f[2][0])
    if found and m.on_error == "stop":
        rule, col, positions, values = found[0]
        p = positions[0]
        raise LogError(
            f"{rows.path}: {rows.name(p)}, column {col!r}: {rule}, got {_shown(values.iloc[p])}"
        )
    reasons = []
    for rule, col, positions, _ in found:
        reasons.append((f"dropped: {rule} (column {col!r})", int((~bad[positions]).sum())))
        bad[positions] = True
    return bad, reasons


def _derived(keep: pd.DataFrame) -> pd.DataFrame:
    served, abandoned = keep.outcome == "served", keep.outcome == "abandoned"
    waited = np.where(abandoned, keep.t_end - keep.t_arrival, np.nan)
    keep["wait"] = np.where(served, keep.t_answer - keep.t_arrival, waited)
    keep["handle"] = np.where(served, keep.t_end - keep.t_answer, np.nan)
    order = [
        "day",
        "queue",
        "priority",
        "agent",
        "t_arrival",
        "t_queue",
        "t_answer",
        "t_end",
        "t_ivr_entry",
        "t_ivr_exit",
        "outcome",
        "wait",
        "handle",
        "row",
    ]
    return keep[order].sort_values(["day", "t_arrival"], kind="stable").reset_index(drop=True)
