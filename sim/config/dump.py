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
