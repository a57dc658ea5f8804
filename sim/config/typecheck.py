"""Types of a configuration built or changed in Python, checked against its schema.

Hydra and OmegaConf check types when a configuration is composed from YAML
and the command line; a :class:`~sim.config.Config` built in Python, or
changed after it was made (``cfg.servers = "abc"``), is checked here, with
the same one-line messages that :mod:`sim.config.compose` gives for the command
line (``servers must be a whole number, got 'abc'``).

What the schema's annotations allow: ``int``, ``float`` (an int is a
number), ``bool``, ``str``, Enums, ``X | None``, ``list[X]``,
``dict[str, X]``, ``Any`` and nested dataclasses. Nothing is converted.
"""

from __future__ import annotations

import dataclasses
import functools
import numbers
import re
import types
import typing
from enum import Enum
from typing import Any

from sim.config.errors import ConfigError

DURATION = int | float | str  # a duration key's annotation: minutes, or "365d" (config.base)
DURATION_WORDS = (
    "minutes or a duration with a unit (m, min, h, d, w), e.g. 600, '12h', '365d', '2w'"
)


def kind_words(tp: Any) -> str:
    """How a rule names a type: ``a whole number``, ``true or false``, ``one of a, b``."""
    if tp == DURATION:
        return DURATION_WORDS
    if tp is bool:
        return "true or false"
    if tp is int:
        return "a whole number"
    if tp is float:
        return "a number"
    if tp is str:
        return "a string"
    if isinstance(tp, type) and issubclass(tp, Enum):
        return "one of " + ", ".join(sorted(m.name for m in tp))
    if dataclasses.is_dataclass(tp):
        return f"a mapping of {schema_words(tp.__name__)} settings"
    if isinstance(tp, str):  # a schema class named in a message
        return f"a mapping of {schema_words(tp)} settings"
    origin = typing.get_origin(tp)
    if origin is list:
        return "a list"
    if origin is dict:
        return "a mapping"
    return str(tp)


def article(words: str) -> str:
    """``a queue``, ``an agent group``."""
    return ("an " if words[:1].lower() in "aeiou" else "a ") + words


def schema_words(class_name: str) -> str:
    """``AgentGroupConfig`` -> ``agent group``."""
    name = class_name.removesuffix("Config")
    return " ".join(w.lower() for w in re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", name)) or name


@functools.cache
def field_types(cls: type) -> dict[str, Any]:
    """Resolved annotations of a dataclass's fields."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def optional_of(tp: Any) -> tuple[Any, bool]:
    """``(X, True)`` for ``X | None``, else ``(tp, False)``."""
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return args[0], True
    return tp, False


def _fail(path: str, tp: Any, value: Any) -> None:
    raise ConfigError(f"{path} must be {kind_words(tp)}, got {value!r}")


def _scalar_ok(tp: Any, value: Any) -> bool:
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if tp is float:
        return isinstance(value, numbers.Real) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    return isinstance(value, tp)


def check_value(value: Any, tp: Any, path: str) -> None:
    """Raise ConfigError unless ``value`` fits ``tp`` (recursively)."""
    if tp is Any:
        return
    tp, optional = optional_of(tp)
    if value is None:
        if not optional:
            raise ConfigError(f"{path} must be {kind_words(tp)}, got None")
        return
    origin = typing.get_origin(tp)
    if origin is list:
        if not isinstance(value, list):
            _fail(path, tp, value)
        (item,) = typing.get_args(tp) or (Any,)
        for i, v in enumerate(value):
            check_value(v, item, f"{path}[{i}]")
    elif origin is dict:
        if not isinstance(value, dict):
            _fail(path, tp, value)
        _, item = typing.get_args(tp) or (str, Any)
        for k, v in value.items():
            if not isinstance(k, str):
                raise ConfigError(f"{path} keys must be strings, got {k!r}")
            check_value(v, item, f"{path}.{k}")
    elif dataclasses.is_dataclass(tp):
        if not isinstance(value, tp):
            _fail(path, tp, value)
        check_dataclass(value, path)
    elif not _scalar_ok(tp, value):
        _fail(path, tp, value)


def check_dataclass(obj: Any, path: str = "") -> None:
    """Check every field of a dataclass instance against its annotation."""
    for name, tp in field_types(type(obj)).items():
        check_value(getattr(obj, name), tp, f"{path}.{name}" if path else name)
