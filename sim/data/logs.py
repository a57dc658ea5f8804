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

from sim.data.mapping import (
    LOG_FIELDS,
    REQUIRED,
    ColumnMapping,
    MappingError,
    check_mapping,
    load_mapping,
)
from sim.data.timeparse import clock_seconds, dates, is_clock_format, timestamps

TIME_FIELDS = ("arrival", "queue_start", "answer", "end", "ivr_entry", "ivr_exit")
HALF_DAY = 720.0


class LogError(MappingError):
    """A row of a log breaks a rule: names the file, the row, the column and the rule."""


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


def read_table(path: Path, separator: str) -> pd.DataFrame:
    """The file as a table of strings (CSV) or as stored (Parquet)."""
    if not path.is_file():
        raise LogError(f"{path}: no such file")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path)
        return pd.read_csv(path, sep=separator, dtype=str, keep_default_na=False)
    except (ValueError, OSError, pd.errors.ParserError) as err:
        raise LogError(f"{path}: cannot be read as a table ({str(err).splitlines()[0]})") from None


class _Rows:
    """Names a table position as the user sees it (the line of a CSV file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0 if path.suffix.lower() in (".parquet", ".pq") else 2

    def name(self, position: int) -> str:
        return f"row {position + self.offset}"


def _present(
    table: pd.DataFrame, columns: list[str], missing: set[str]
) -> tuple[pd.Series, pd.Series]:
    """First present value of the columns, and which column it came from (None: missing)."""
    out = pd.Series([None] * len(table), index=table.index, dtype=object)
    came = pd.Series([None] * len(table), index=table.index, dtype=object)
    for col in columns:
        raw = table[col]
        text = raw.astype(str).str.strip() if raw.dtype == object else raw
        has = raw.notna() & ~(text.isin(missing) | (text.astype(str) == ""))
        take = out.isna() & has
        out[take], came[take] = raw[take], col
    return out, came


def _check_columns(
    table: pd.DataFrame, m: ColumnMapping, path: Path, fields: tuple[str, ...]
) -> None:
    wanted = [(f, c) for f in fields for c in m.sources(f)] + (
        [("date", m.date["column"])] if m.date else []
    )
    for name, col in wanted:
        if col not in table.columns:
            shown = ", ".join(map(str, table.columns[:12]))
            raise LogError(
                f"{path}: column {col!r} (mapped as {name}) is not in the file "
                f"(its columns: {shown})"
            )


@dataclass
class _Problems:
    """Rows that break a rule: (rule, column, positions, values)."""

    found: list[tuple[str, str, np.ndarray, pd.Series]]

    def add(self, rule: str, column: str, bad: np.ndarray, values: pd.Series) -> None:
        if bad.any():
            self.found.append((rule, column, np.flatnonzero(bad), values))


def _minutes(table: pd.DataFrame, m: ColumnMapping, problems: _Problems) -> tuple[pd.Series, dict]:
    """Day of each row and, per time field, minutes after that day's midnight (and its source)."""
    missing = set(m.missing)
    raw, came = {}, {}
    for f in TIME_FIELDS:
        if m.sources(f):
            raw[f], came[f] = _present(table, m.sources(f), missing)
    clock = bool(m.date) or is_clock_format(m.time_format)
    if clock:
        day = _day_column(table, m, problems)
        values = {f: _clock_field(v, came[f], problems) for f, v in raw.items()}
    else:
        stamps = {f: _stamp_field(v, came[f], m, problems) for f, v in raw.items()}
        day = stamps["arrival"].dt.normalize()
        values = {f: (s - day).dt.total_seconds().to_numpy() / 60.0 for f, s in stamps.items()}
        return day, values
    return day, _after_midnight(values)


def _day_column(table: pd.DataFrame, m: ColumnMapping, problems: _Problems) -> pd.Series:
    col = m.date["column"]
    day, bad = dates(table[col].astype(str), m.date.get("format", "%Y-%m-%d"))
    fmt = m.date.get("format", "%Y-%m-%d")
    problems.add(f"unparseable date (expected {fmt})", col, bad, table[col])
    return day


def _clock_field(values: pd.Series, came: pd.Series, problems: _Problems) -> np.ndarray:
    text = values.astype(object).where(values.notna(), None)
    secs, bad = clock_seconds(text.fillna("").astype(str))
    bad = bad & values.notna().to_numpy()
    problems.add("unparseable time (expected h:mm:ss)", _which(came, bad), bad, values)
    return secs / 60.0


def _stamp_field(
    values: pd.Series, came: pd.Series, m: ColumnMapping, problems: _Problems
) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    parsed, bad = timestamps(values.fillna("").astype(str), m.time_format, m.timezone)
    bad = bad & values.notna().to_numpy()
    problems.add(f"unparseable time (expected {m.time_format})", _which(came, bad), bad, values)
    return parsed


def _which(came: pd.Series, bad: np.ndarray) -> str:
    cols = came[bad].dropna()
    return str(cols.iloc[0]) if len(cols) else ""


def _after_midnight(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Times of day after the contact's first time by more than 12 h back: the next day."""
    first = values.get("ivr_entry", values["arrival"])
    first = np.where(np.isnan(first), values["arrival"], first)
    out = {}
    for f, v in values.items():
        out[f] = np.where(v < first - HALF_DAY, v + 1440.0, v)
    return out


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


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return "an empty cell"
    return repr(value)
