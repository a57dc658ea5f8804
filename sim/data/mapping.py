r"""How a centre's export maps onto the fields the loaders need: a small YAML, or keywords.

A mapping names, for each field, the column (or the columns, first present
wins) that holds it, how times are written, what marks a missing value, and
how outcome codes read. Example (the bank log that ships with the project,
``data/anonymous_bank/mapping.yaml``)::

    separator: "\\t"
    date: {column: date, format: "%y%m%d"}     # times below are times of that day
    time_format: "%H:%M:%S"
    missing: ["0:00:00"]
    columns:
      arrival: [q_start, ser_start]   # asked for an agent: joined the queue, or answered at once
      queue_start: q_start
      answer: ser_start
      end: [ser_exit, q_exit]
      outcome: outcome
      agent: server
      priority: priority
      ivr_entry: vru_entry
      ivr_exit: vru_exit
    outcomes: {AGENT: served, HANG: abandoned, PHANTOM: ignore}
    agent_missing: [NO_SERVER]

Times are either full timestamps (``time_format`` like ``%Y-%m-%d %H:%M:%S``,
or ``iso``), optionally in a ``timezone`` (converted to that zone's local
time), or times of day with a ``date`` column. A mapping that breaks a rule
raises :class:`MappingError` naming the key, the value and the rule.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.config.errors import ConfigError

OUTCOMES = ("served", "abandoned", "blocked", "other", "ignore")
LOG_FIELDS = (
    "arrival",
    "queue_start",
    "answer",
    "end",
    "outcome",
    "agent",
    "queue",
    "priority",
    "ivr_entry",
    "ivr_exit",
)
REQUIRED = ("arrival", "end", "outcome")


class MappingError(ConfigError):
    """A column mapping breaks a rule (the message names the key, the value and the rule)."""


@dataclass
class ColumnMapping:
    """Where each field of an export is, and how to read it.

    Attributes:
        columns: field -> column name, or a list of columns (the first present wins).
        separator: field separator of a CSV file (ignored for Parquet).
        date: ``{column, format}`` when the times are times of day; empty for timestamps.
        time_format: ``strptime`` format of the time columns, or ``iso``.
        timezone: the zone the times are converted to (timestamps with an offset), or empty.
        missing: values that mean "did not happen" (besides empty cells).
        outcomes: outcome code -> ``served``, ``abandoned``, ``blocked``, ``other`` or
            ``ignore`` (the row is dropped and counted).
        agent_missing: agent values that mean "no agent".
        tolerance: seconds an answer may precede the arrival (clock skew between
            systems); the answer is then taken at the arrival and counted.
        on_error: ``stop`` at the first bad row, or ``drop`` bad rows and count them.
    """

    columns: dict[str, Any] = field(default_factory=dict)
    separator: str = ","
    date: dict[str, str] = field(default_factory=dict)
    time_format: str = "iso"
    timezone: str = ""
    missing: list[str] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)
    agent_missing: list[str] = field(default_factory=list)
    tolerance: float = 2.0
    on_error: str = "stop"

    def sources(self, name: str) -> list[str]:
        """The columns of a field, first choice first (empty if not mapped)."""
        value = self.columns.get(name)
        if value is None:
            return []
        return [value] if isinstance(value, str) else list(value)


def _require(ok: bool, where: str, key: str, rule: str, value: Any) -> None:
    if not ok:
        raise MappingError(f"{where}: {key} {rule}, got {value!r}")


def check_mapping(
    m: ColumnMapping, fields: tuple[str, ...], required: tuple[str, ...], where: str
) -> None:
    """Check a mapping for a loader whose fields are ``fields``."""
    for name, value in m.columns.items():
        _require(
            name in fields, where, f"columns.{name}", f"must be one of {', '.join(fields)}", name
        )
        ok = isinstance(value, str) or (
            isinstance(value, list) and value and all(isinstance(v, str) for v in value)
        )
        _require(ok, where, f"columns.{name}", "must be a column name or a list of them", value)
    for name in required:
        _require(bool(m.sources(name)), where, f"columns.{name}", "must be mapped", None)
    for code, meaning in m.outcomes.items():
        _require(
            meaning in OUTCOMES,
            where,
            f"outcomes.{code}",
            f"must be one of {', '.join(OUTCOMES)}",
            meaning,
        )
    if m.date:
        _require(
            set(m.date) <= {"column", "format"} and "column" in m.date,
            where,
            "date",
            "must be {column: <name>, format: <strptime format>}",
            m.date,
        )
    _require(m.on_error in ("stop", "drop"), where, "on_error", "must be stop or drop", m.on_error)
    _require(m.tolerance >= 0, where, "tolerance", "must be >= 0 seconds", m.tolerance)


def load_mapping(
    source: str | Path | MappingType[str, Any] | ColumnMapping | None, **overrides: Any
) -> ColumnMapping:
    """A mapping from a YAML file, a dict, or keywords (keywords win)."""
    where = "mapping"
    if isinstance(source, ColumnMapping):
        data = dict(source.__dict__)
    elif source is None:
        data = {}
    elif isinstance(source, MappingType):
        data = dict(source)
    else:
        where = str(source)
        try:
            data = yaml.safe_load(Path(source).read_text()) or {}
        except OSError as err:
            raise MappingError(f"{source}: cannot read the mapping ({err.strerror})") from None
        except yaml.YAMLError as err:
            raise MappingError(f"{source}: not valid YAML ({str(err).splitlines()[0]})") from None
    data.update(overrides)
    known = set(ColumnMapping.__dataclass_fields__)
    for key in data:
        _require(
            key in known, where, key, f"is not a mapping key ({', '.join(sorted(known))})", key
        )
    return ColumnMapping(**data)
