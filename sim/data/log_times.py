"""The time fields of a contact log: each row's day and its times in minutes after that midnight.

Times of day (with a date column) or timestamps (optionally converted to a
time zone). A time of day more than 12 hours before the contact's first
time belongs to the next day (a call crossing midnight).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.data.mapping import ColumnMapping
from sim.data.readers import _present, _Problems
from sim.data.timeparse import clock_seconds, dates, is_clock_format, timestamps

TIME_FIELDS = ("arrival", "queue_start", "answer", "end", "ivr_entry", "ivr_exit")
HALF_DAY = 720.0


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
