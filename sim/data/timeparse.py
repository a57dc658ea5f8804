"""Reading the times and dates of an export, column by column, with the row of the first bad value.

Times of day (``7:02:47``) become seconds after midnight; timestamps become
pandas timestamps, converted to a time zone if asked. A value that cannot be
read is reported with its row (``BadValue``); the caller decides whether that
stops the load or drops the row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*$")


@dataclass(frozen=True)
class BadValue:
    """Rows of a column whose values could not be read, and what was expected."""

    column: str
    rows: np.ndarray  # positions in the table
    expected: str


def is_clock_format(fmt: str) -> bool:
    """Whether a ``strptime`` format is a time of day only (no date part)."""
    return fmt != "iso" and not any(code in fmt for code in ("%Y", "%y", "%m", "%d", "%j", "%b"))


def clock_seconds(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Seconds after midnight of ``h:mm[:ss]`` values (hours may pass 24), and the failing rows."""
    parts = values.str.extract(_CLOCK)
    ok = parts[0].notna().to_numpy().copy()
    h = pd.to_numeric(parts[0], errors="coerce").to_numpy(float)
    m = pd.to_numeric(parts[1], errors="coerce").to_numpy(float)
    s = pd.to_numeric(parts[2], errors="coerce").fillna(0.0).to_numpy(float)
    ok &= (m < 60) & (s < 60)
    return np.where(ok, h * 3600 + m * 60 + s, np.nan), ~ok


def timestamps(values: pd.Series, fmt: str, timezone: str) -> tuple[pd.Series, np.ndarray]:
    """Timestamps (naive, local to ``timezone`` when given) and the rows that fail."""
    kwargs = {"format": "ISO8601"} if fmt == "iso" else {"format": fmt}
    parsed = pd.to_datetime(values, errors="coerce", utc=bool(timezone), **kwargs)
    if timezone:
        parsed = parsed.dt.tz_convert(timezone).dt.tz_localize(None)
    elif getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed, parsed.isna().to_numpy()


def dates(values: pd.Series, fmt: str) -> tuple[pd.Series, np.ndarray]:
    """Calendar dates (midnights) and the rows that fail."""
    parsed = pd.to_datetime(values.str.strip(), format=fmt, errors="coerce")
    return parsed.dt.normalize(), parsed.isna().to_numpy()
