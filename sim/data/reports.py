"""ACD interval reports, staffing tables and rosters, read through a column mapping.

An **interval report** (the table every ACD exports) has a row per interval
and queue: interval start, offered, handled, abandoned, AHT, ASA, service
level, agents staffed or logged in. A **staffing table** has agents per
interval per group (fractions allowed). A **roster** has a row per agent:
group, skills, shift start and end, breaks (``12:00-12:15;15:30-15:45``);
:func:`roster_staffing` turns it into a staffing table.

The mapping is the one of :mod:`sim.data.mapping` (columns, separator, date,
time format, missing values); ``durations`` says whether AHT and ASA are in
``seconds`` or ``minutes``, ``percent`` whether the service level is in
percent. Every value that cannot be read stops the load with the file, the
row, the column and the rule. The tidy tables use minutes after the day's
midnight (``t_start``) and a ``day`` column, as the contact log does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.data.mapping import ColumnMapping, check_mapping, load_mapping
from sim.data.readers import LogError, _Rows, _shown, read_table
from sim.data.timeparse import clock_seconds, dates, is_clock_format, timestamps

INTERVAL_FIELDS = (
    "interval_start",
    "queue",
    "offered",
    "handled",
    "abandoned",
    "aht",
    "asa",
    "service_level",
    "agents",
)
STAFFING_FIELDS = ("interval_start", "group", "agents")
ROSTER_FIELDS = ("agent", "group", "skills", "shift_start", "shift_end", "breaks")
COUNTS = ("offered", "handled", "abandoned")


def _split(overrides: dict[str, Any]) -> tuple[dict[str, Any], str, bool]:
    durations = overrides.pop("durations", "seconds")
    percent = overrides.pop("percent", False)
    if durations not in ("seconds", "minutes"):
        raise LogError(f"mapping: durations must be seconds or minutes, got {durations!r}")
    return overrides, durations, bool(percent)


def _open(path: Path, mapping: Any, overrides: dict, fields: tuple, required: tuple) -> tuple:
    extra = dict(mapping) if isinstance(mapping, dict) else {}
    if isinstance(mapping, str | Path):
        import yaml

        extra = yaml.safe_load(Path(mapping).read_text()) or {}
    extra.update(overrides)
    rest, durations, percent = _split(extra)
    m = load_mapping(rest)
    check_mapping(
        m, fields, required, str(mapping) if isinstance(mapping, str | Path) else "mapping"
    )
    table = read_table(path, m.separator)
    for f in fields:
        for col in m.sources(f):
            if col not in table.columns:
                raise LogError(f"{path}: column {col!r} (mapped as {f}) is not in the file")
    return m, table, durations, percent


def _fail(path: Path, row: int, col: str, rule: str, value: Any) -> None:
    raise LogError(f"{path}: {_Rows(path).name(row)}, column {col!r}: {rule}, got {_shown(value)}")


def _numbers(table: pd.DataFrame, m: ColumnMapping, field: str, path: Path) -> np.ndarray:
    cols = m.sources(field)
    if not cols:
        return np.full(len(table), np.nan)
    raw = table[cols[0]]
    text = raw.astype(str).str.strip().str.rstrip("%")
    missing = text.isin(set(m.missing) | {""})
    values = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = (values.isna() & ~missing) | (values < 0)
    if bad.any():
        _fail(
            path,
            int(np.flatnonzero(bad.to_numpy())[0]),
            cols[0],
            "must be a number >= 0",
            raw[bad].iloc[0],
        )
    return values.to_numpy(float)


def _starts(
    table: pd.DataFrame, m: ColumnMapping, field: str, path: Path
) -> tuple[np.ndarray, np.ndarray]:
    """Day and minutes after midnight of a time column (timestamps, or times with a date)."""
    col = m.sources(field)[0]
    raw = table[col].astype(str)
    if m.date or is_clock_format(m.time_format):
        secs, bad = clock_seconds(raw)
        if bad.any():
            _fail(
                path,
                int(np.flatnonzero(bad)[0]),
                col,
                "unparseable time (expected h:mm[:ss])",
                raw[bad].iloc[0],
            )
        day = np.full(len(table), np.datetime64("NaT"), dtype="datetime64[ns]")
        if m.date:
            dcol = m.date["column"]
            parsed, dbad = dates(table[dcol].astype(str), m.date.get("format", "%Y-%m-%d"))
            if dbad.any():
                _fail(
                    path,
                    int(np.flatnonzero(dbad)[0]),
                    dcol,
                    "unparseable date",
                    table[dcol][dbad].iloc[0],
                )
            day = parsed.to_numpy()
        return day, secs / 60.0
    stamps, bad = timestamps(raw, m.time_format, m.timezone)
    if bad.any():
        _fail(
            path,
            int(np.flatnonzero(bad)[0]),
            col,
            f"unparseable time (expected {m.time_format})",
            raw[bad].iloc[0],
        )
    day = stamps.dt.normalize()
    return day.to_numpy(), ((stamps - day).dt.total_seconds() / 60.0).to_numpy()


def _text(table: pd.DataFrame, m: ColumnMapping, field: str, default: str) -> np.ndarray:
    cols = m.sources(field)
    return (
        table[cols[0]].astype(str).str.strip().to_numpy() if cols else np.full(len(table), default)
    )


def load_interval_report(path: str | Path, mapping: Any = None, **overrides: Any) -> pd.DataFrame:
    """An ACD interval report as a tidy table (durations in minutes, service level a share).

    Columns: ``day, t_start, queue, offered, handled, abandoned, aht, asa,
    service_level, agents``.
    """
    path = Path(path)
    m, table, durations, percent = _open(
        path, mapping, overrides, INTERVAL_FIELDS, ("interval_start", "offered")
    )
    day, start = _starts(table, m, "interval_start", path)
    out = pd.DataFrame({"day": day, "t_start": start, "queue": _text(table, m, "queue", "all")})
    for f in INTERVAL_FIELDS[2:]:
        out[f] = _numbers(table, m, f, path)
    scale = 1 / 60 if durations == "seconds" else 1.0
    out[["aht", "asa"]] *= scale
    if percent:
        out["service_level"] /= 100.0
    _check_counts(out, table, m, path)
    return out


def _check_counts(out: pd.DataFrame, table: pd.DataFrame, m: ColumnMapping, path: Path) -> None:
    if m.sources("handled") and m.sources("abandoned"):
        over = (out.handled + out.abandoned > out.offered + 1e-9).to_numpy()
        if over.any():
            i = int(np.flatnonzero(over)[0])
            _fail(
                path,
                i,
                m.sources("offered")[0],
                "must be at least handled + abandoned",
                table[m.sources("offered")[0]].iloc[i],
            )
    if m.sources("service_level"):
        high = (out.service_level > 1 + 1e-9).to_numpy()
        if high.any():
            i = int(np.flatnonzero(high)[0])
            col = m.sources("service_level")[0]
            _fail(
                path,
                i,
                col,
                "must be a share in [0, 1] (percent: true for percent)",
                table[col].iloc[i],
            )


def load_staffing_table(path: str | Path, mapping: Any = None, **overrides: Any) -> pd.DataFrame:
    """A staffing table as ``day, t_start, group, agents`` (fractional agents allowed)."""
    path = Path(path)
    m, table, _, _ = _open(path, mapping, overrides, STAFFING_FIELDS, ("interval_start", "agents"))
    day, start = _starts(table, m, "interval_start", path)
    agents = _numbers(table, m, "agents", path)
    return pd.DataFrame(
        {
            "day": day,
            "t_start": start,
            "group": _text(table, m, "group", "agents"),
            "agents": agents,
        }
    )


def load_roster(path: str | Path, mapping: Any = None, **overrides: Any) -> pd.DataFrame:
    """A roster as ``agent, group, skills, shift_start, shift_end, breaks`` (lists, minutes)."""
    path = Path(path)
    m, table, _, _ = _open(
        path, mapping, overrides, ROSTER_FIELDS, ("agent", "shift_start", "shift_end")
    )
    _, start = _starts(table, m, "shift_start", path)
    _, end = _starts(table, m, "shift_end", path)
    end = np.where(end <= start, end + 1440.0, end)
    skills = [s.split(";") if s else [] for s in _text(table, m, "skills", "")]
    breaks = [_breaks(b, path, i, m) for i, b in enumerate(_text(table, m, "breaks", ""))]
    names, groups = _text(table, m, "agent", ""), _text(table, m, "group", "agents")
    return pd.DataFrame(
        {
            "agent": names,
            "group": groups,
            "skills": skills,
            "shift_start": start,
            "shift_end": end,
            "breaks": breaks,
        }
    )


def _breaks(text: str, path: Path, row: int, m: ColumnMapping) -> list[tuple[float, float]]:
    out = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        a, sep, b = part.partition("-")
        secs, bad = clock_seconds(pd.Series([a, b]))
        if not sep or bad.any():
            _fail(
                path, row, m.sources("breaks")[0], "breaks must read hh:mm-hh:mm;hh:mm-hh:mm", text
            )
        out.append((secs[0] / 60.0, secs[1] / 60.0))
    return out


def roster_staffing(roster: pd.DataFrame, interval: float = 30.0) -> pd.DataFrame:
    """Agents on shift (minus breaks) per interval of the day and group, fractional."""
    n = round(1440.0 / interval)
    edges = np.arange(n + 1) * interval
    rows = []
    for group, part in roster.groupby("group", sort=True):
        level = np.zeros(n)
        for r in part.itertuples():
            spans = [(r.shift_start, r.shift_end)] + [(a, b) for a, b in r.breaks]
            for k, (a, b) in enumerate(spans):
                sign = 1.0 if k == 0 else -1.0
                for shift in (0.0, -1440.0):  # a shift past midnight counts on the same day's clock
                    level += (
                        sign
                        * np.clip(
                            np.minimum(edges[1:], b + shift) - np.maximum(edges[:-1], a + shift),
                            0,
                            None,
                        )
                        / interval
                    )
        rows += [(group, edges[i], level[i]) for i in range(n)]
    return pd.DataFrame(rows, columns=["group", "t_start", "agents"])
