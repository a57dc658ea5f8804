"""Shared by the loaders: reading a table, naming its rows, first present values, problems.

A ``LogError`` names the file, the row (the line of a CSV file, counting the
header as line 1; the position in a Parquet file), the column and the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.data.mapping import ColumnMapping, MappingError


class LogError(MappingError):
    """A row of a log breaks a rule: names the file, the row, the column and the rule."""


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


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return "an empty cell"
    return repr(value)
