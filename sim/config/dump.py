"""Configurations written as YAML, byte for byte as ``OmegaConf.save`` writes them, faster.

``OmegaConf.save`` first turns a plain mapping into a tree of OmegaConf nodes
and back (``OmegaConf.structured`` then ``to_container``), then dumps it with
PyYAML's pure-Python emitter: about 0.09 s for a scenario's whole configuration
(~15 KB), most of a trivial run's output cost. Here the plain values are dumped
directly through libyaml's emitter (``yaml.CDumper``, the pure-Python
``yaml.Dumper`` where PyYAML was built without libyaml), with OmegaConf's own
rule for strings (quoted when they would read back as a boolean or a number)
and its conversions (enums by name, tuples as lists, no YAML aliases), so the
file is the same. ``tests/test_startup_cost.py`` checks the bytes against
``OmegaConf.save`` for every ready-made scenario and a composed configuration.

Deliberately not handled: values OmegaConf could not hold either (sets, bytes,
arbitrary objects) raise ``TypeError`` naming the value.
"""

from __future__ import annotations

import dataclasses
import typing
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf._utils import OmegaConfDumper

_Emitter = getattr(yaml, "CDumper", yaml.Dumper)


class _Dumper(_Emitter):  # type: ignore[misc, valid-type]
    """PyYAML's dumper with OmegaConf's string rule and no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_Dumper.add_representer(str, OmegaConfDumper.str_representer)


def plain(value: Any) -> Any:
    """``value`` as OmegaConf's ``to_container(enum_to_str=True)`` gives it back."""
    if isinstance(value, DictConfig | ListConfig):
        return OmegaConf.to_container(value, resolve=False, enum_to_str=True)
    if isinstance(value, dict):
        return {_key(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot write {value!r} ({type(value).__name__}) in a configuration file")


def _key(key: Any) -> Any:
    return key.name if isinstance(key, Enum) else key


def to_yaml(value: Any) -> str:
    """The YAML text of a configuration (a mapping, a list, or an OmegaConf container)."""
    return yaml.dump(
        plain(value),
        Dumper=_Dumper,
        default_flow_style=False,
        allow_unicode=True,
        sort_keys=False,
    )


def save_yaml(value: Any, path: Path) -> None:
    """Write ``to_yaml(value)`` to ``path`` (UTF-8), as ``OmegaConf.save`` does."""
    path.write_text(to_yaml(value), encoding="utf-8")


# ---- and read back --------------------------------------------------------------------

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_config(path: Path) -> Any:
    """The :class:`~sim.config.Config` a run saved in ``path`` (its ``config.yaml``).

    The file is what :func:`save_yaml` wrote from the run's configuration
    (``dataclasses.asdict``): every key present, enums by name, strings that
    would read as a number or a boolean quoted. It is read with libyaml's safe
    loader and built into the schema's dataclasses directly (:func:`typed`),
    with OmegaConf's conversions (a whole number in a ``float`` field becomes
    a float, an enum is found by its name); the dataclasses' own checks run
    as they do when OmegaConf builds them. About 4 ms against 0.09 s for
    ``OmegaConf.load`` merged into ``OmegaConf.structured(Config)`` (a
    sweep's report reads one per job); ``tests/test_startup_cost.py`` checks
    that both give the same configuration for every ready-made scenario.
    A file this version cannot hold (a key the schema does not have, as in a
    file saved by another version, a section that is not a mapping, an
    unknown enum name) raises ``ValueError`` naming the file and the key;
    a value of the wrong type stops at the schema's own checks (``ConfigError``).
    """
    from sim.config.schema import Config

    with open(path, encoding="utf-8") as f:
        return typed(yaml.load(f, Loader=_Loader), Config, f"{path}: ")


def typed(value: Any, tp: Any, key: str = "") -> Any:
    """``value`` (plain YAML data) as schema type ``tp``: dataclasses built, enums by name.

    ``key`` is where ``value`` sits (``file: queues.calls.``), for the messages.
    """
    from sim.config.typecheck import field_types, kind_words, optional_of

    tp, _ = optional_of(tp)
    if value is None or tp is Any:
        return value
    if dataclasses.is_dataclass(tp):
        types = field_types(tp)
        if not isinstance(value, dict):
            raise ValueError(f"{key.rstrip('.')} must be {kind_words(tp)}, got {value!r}")
        unknown = [k for k in value if k not in types]
        if unknown:
            raise ValueError(f"{key}{unknown[0]} is not a configuration key of this ccsim")
        return tp(**{k: typed(v, types[k], f"{key}{k}.") for k, v in value.items()})
    origin = typing.get_origin(tp)
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        return [typed(v, item, key) for v in value]
    if origin is dict:
        _, item = typing.get_args(tp) or (str, Any)
        return {k: typed(v, item, f"{key}{k}.") for k, v in value.items()}
    if isinstance(tp, type) and issubclass(tp, Enum):
        if value not in tp.__members__:
            raise ValueError(f"{key.rstrip('.')} must be {kind_words(tp)}, got {value!r}")
        return tp[value]
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value
