"""Composing ``configs/`` with Hydra, and every composition error as one line.

``compose_config`` is the one way a configuration is composed, for the
command line (:mod:`sim.cli`) and the Python API (:func:`sim.api.load_config`)
alike, so both give the same messages. Before Hydra reads anything, the
config-group choices of the overrides (``scenario=``, ``experiment=``, ...)
must be plain names of files inside ``configs/`` or inside a ``--config-dir``
the user gave; names starting with ``_`` are private (``experiment=_common``).
After composition, any key that the schema does not know is an error, also
one added with ``+`` (which Hydra would otherwise let through silently).

Hydra's and OmegaConf's multi-line errors (unknown key, wrong type, bad
enum value, unknown scenario, malformed YAML with its file and line,
ambiguous sweep values) become a :class:`~sim.errors.ConfigError` with one
line naming the key, the value and the rule, with "did you mean" where the
schema has a close key.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, ListConfig
from omegaconf.errors import OmegaConfBaseException

from sim.checks import is_safe_name
from sim.errors import ConfigError
from sim.typecheck import article, field_types, kind_words, schema_words

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
HYDRA_GROUPS = ("hydra/",)  # Hydra's own groups (launchers, sweepers): Hydra checks those


def search_dirs(user_dir: str | Path | None = None) -> list[Path]:
    """Where config files are looked up: ``configs/``, then a user's ``--config-dir``."""
    dirs = [CONFIG_DIR]
    if user_dir is not None:
        path = Path(user_dir).expanduser().resolve()
        if not path.is_dir():
            raise ConfigError(f"--config-dir must name an existing folder, got {str(user_dir)!r}")
        dirs.append(path)
    return dirs


def options(group: str, dirs: Sequence[Path]) -> list[str]:
    """Public config files of a group (``scenario``), by name, in every search folder."""
    names = {p.stem for d in dirs for p in (d / group).glob("*.yaml") if not p.stem.startswith("_")}
    return sorted(names)


def _groups(dirs: Sequence[Path]) -> set[str]:
    return {p.name for d in dirs for p in d.iterdir() if p.is_dir() and p.name != "hydra"}


def _choice_values(override: Any) -> list[str]:
    if override.is_sweep_override() and override.is_discrete_sweep():
        return [str(v) for v in override.sweep_string_iterator()]
    if override.is_delete():
        return []
    return [str(override.get_value_element_as_str())]


def parse_overrides(overrides: Sequence[str]) -> list[Any]:
    """Hydra's parse of the overrides; a syntax error is one line."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    try:
        return OverridesParser.create().parse_overrides(list(overrides))
    except OverrideParseException as err:
        first = str(err).strip().splitlines()[0]
        raise ConfigError(f"cannot read the override {err.override!r}: {first}") from None


def check_choices(overrides: Sequence[str], dirs: Sequence[Path]) -> None:
    """Config-group choices must be plain, public names of files in the search folders."""
    groups = _groups(dirs)
    for o in parse_overrides(overrides):
        group = o.key_or_group.lstrip("/")
        if group not in groups or o.package:
            continue
        for value in _choice_values(o):
            if value == "null":
                continue
            known = options(group, dirs)
            if not is_safe_name(value) or value.startswith("_") or value not in known:
                raise ConfigError(f"unknown {group} {value!r} (available: {', '.join(known)})")


def compose_config(
    overrides: Sequence[str] = (),
    user_dir: str | Path | None = None,
    hydra_node: bool = False,
    config_name: str = "config",
) -> DictConfig:
    """Compose the configuration as the command line would, checking it on the way.

    ``hydra_node`` keeps the ``hydra`` block (output folders, sweep parameters).
    """
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from sim.config import register_configs

    dirs = search_dirs(user_dir)
    check_choices(overrides, dirs)
    register_configs()
    extra = [f"hydra.searchpath=[{quote('file://' + str(d))}]" for d in dirs[1:]]
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = compose(config_name, [*extra, *overrides], return_hydra_config=hydra_node)
    except Exception as err:  # Hydra wraps everything; translate() keeps what a user can fix
        raise translate(err, dirs) from None
    finally:
        GlobalHydra.instance().clear()
    check_known_keys(cfg)
    return cfg


def quote(value: str) -> str:
    """A value written as a Hydra override, quoted."""
    if "$" in value:
        raise ConfigError(f"a path must not contain '$', got {value!r}")
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# ---- unknown keys ------------------------------------------------------------------------


def _suggest(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_key(path: str, known: Sequence[str], where: str) -> ConfigError:
    """The error of a key the schema does not have."""
    key = path.rsplit(".", 1)[-1]
    return ConfigError(f"{path} is not a key of {where}{_suggest(key, known)}")


def _where(cls: type, root: bool) -> str:
    return "the configuration" if root else article(schema_words(cls.__name__))


def _walk(node: Any, tp: Any, path: str) -> None:
    """Keys of ``node`` (a composed DictConfig) that the schema type ``tp`` does not know."""
    from sim.typecheck import _optional

    tp, _ = _optional(tp)
    if isinstance(node, DictConfig) and dataclasses.is_dataclass(tp):
        fields = field_types(tp)
        for key in node:
            sub = f"{path}.{key}" if path else str(key)
            if key not in fields:
                if not (path == "" and key == "hydra"):
                    raise unknown_key(sub, list(fields), _where(tp, path == ""))
                continue
            _walk(node._get_node(key), fields[key], sub)
    elif isinstance(node, DictConfig) and getattr(tp, "__origin__", None) is dict:
        item = tp.__args__[1]
        for key in node:
            _walk(node._get_node(key), item, f"{path}.{key}")
    elif isinstance(node, ListConfig) and getattr(tp, "__origin__", None) is list:
        item = tp.__args__[0]
        for i in range(len(node)):
            _walk(node._get_node(i), item, f"{path}[{i}]")


def check_known_keys(cfg: DictConfig) -> None:
    """Raise ConfigError on the first key that the schema does not know (``+`` typos too)."""
    from sim.config import Config

    _walk(cfg, Config, "")


# ---- translation of Hydra's and OmegaConf's errors ----------------------------------------

_CONVERT = re.compile(r"Value '(.*)' of type '(\w+)' could not be converted to (\w+)")
_BOOL = re.compile(r"Value '(.*)' is not a valid bool")
_ENUM = re.compile(r"Invalid value '(.*)', expected one of \[(.*)\]")
_SUBCLASS = re.compile(r"Invalid type assigned: (\w+) is not a subclass of (\w+)\. value: (.*)")
_NOT_OPTIONAL = re.compile(r"field '(.*)' is not Optional")
_MERGING = re.compile(r"Error merging override (.*)")
_IN_FILE = re.compile(r"In '([^']+)': ")
_TYPE_WORDS = {"Integer": int, "Float": float, "Boolean": bool, "String": str}


def _override_key(message: str) -> str | None:
    m = _MERGING.search(message)
    return m.group(1).split("=", 1)[0].lstrip("+~") if m else None


def _shown(value: str, type_name: str) -> str:
    """A value as the API's messages show it: numbers bare, text quoted."""
    return value if type_name in ("int", "float", "bool") else repr(value)


def _field_type(err: OmegaConfBaseException) -> Any:
    cls, key = getattr(err, "object_type", None), getattr(err, "key", None)
    if dataclasses.is_dataclass(cls) and key in field_types(cls):
        return field_types(cls)[key]
    return None


def _value_rule(msg: str, err: OmegaConfBaseException) -> tuple[str, str] | None:
    """``(rule, value)`` of an OmegaConf validation message (its first line)."""
    if m := _CONVERT.search(msg):
        rule = f"must be {kind_words(_TYPE_WORDS.get(m.group(3), str))}"
        return rule, _shown(m.group(1), m.group(2))
    if m := _BOOL.search(msg):
        return f"must be {kind_words(bool)}", repr(m.group(1))
    if m := _ENUM.search(msg):
        names = ", ".join(sorted(n.strip() for n in m.group(2).split(",")))
        return f"must be one of {names}", repr(m.group(1))
    if m := _SUBCLASS.search(msg):
        return f"must be {kind_words(_dataclass_named(m.group(2)))}", m.group(3).strip()
    if _NOT_OPTIONAL.search(msg):
        tp = _field_type(err)
        return (f"must be {kind_words(tp)}" if tp is not None else "must not be null"), "null"
    return None


def _dataclass_named(name: str) -> Any:
    import sim.config

    return getattr(sim.config, name, name)


def _omegaconf_message(err: OmegaConfBaseException, key: str | None) -> str:
    msg = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    path = key or getattr(err, "full_key", None) or ""
    if type(err).__name__ in ("ConfigKeyError", "ConfigAttributeError"):
        cls = getattr(err, "object_type", None)
        known = list(field_types(cls)) if dataclasses.is_dataclass(cls) else []
        where = _where(cls, "." not in path) if dataclasses.is_dataclass(cls) else "its block"
        return str(unknown_key(path, known, where))
    found = _value_rule(msg, err)
    if found is not None:
        rule, value = found
        return f"{path} {rule}, got {value}"
    return f"{path}: {msg}" if path else msg


def _config_file(ref: str, dirs: Sequence[Path]) -> str:
    for d in dirs:
        p = d / f"{ref}.yaml"
        if p.is_file():
            return str(p)
    return f"{ref}.yaml"


def _yaml_message(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    where = f"{mark.name} line {mark.line + 1}, column {mark.column + 1}" if mark else "a YAML file"
    hint = ""
    if "\\t" in problem or "'\\t'" in repr(problem):
        hint = " (a tab: indent with spaces)"
    context = getattr(err, "context", None)
    cmark = getattr(err, "context_mark", None)
    if context and cmark is not None and (mark is None or cmark.line != mark.line):
        hint += f" ({context} that starts at line {cmark.line + 1})"
    return f"{where}: {problem}{hint}"


def translate(err: BaseException, dirs: Sequence[Path] = (CONFIG_DIR,)) -> ConfigError:
    """One-line ConfigError for an error raised while composing or converting a configuration."""
    from hydra.errors import MissingConfigException

    if isinstance(err, ConfigError):
        return err
    for e in (err, err.__cause__, err.__context__):
        if isinstance(e, yaml.YAMLError):
            return ConfigError(_yaml_message(e))
    text = str(err).strip()
    if isinstance(err, MissingConfigException):
        m = re.search(r"Could not find '([^']+)'", text)
        missing = m.group(1) if m else str(err.missing_cfg_file)
        group, _, name = missing.rpartition("/")
        known = ", ".join(o for o in (err.options or []) if not o.startswith("_"))
        return ConfigError(f"unknown {group or 'config'} {name!r} (available: {known})")
    if "Ambiguous value for argument" in text:
        arg = re.search(r"argument '(.*?)'\n", text + "\n")
        shown = arg.group(1) if arg else text.splitlines()[0]
        return ConfigError(
            f"{shown} lists several values: add -m (--multirun) to sweep over them, "
            "or write a list as key=[a,b]"
        )
    cause = err if isinstance(err, OmegaConfBaseException) else err.__cause__
    prefix = ""
    if m := _IN_FILE.match(text):
        prefix = _config_file(m.group(1), dirs) + ": "
    if isinstance(cause, OmegaConfBaseException):
        return ConfigError(prefix + _omegaconf_message(cause, _override_key(text)))
    first = next((line for line in text.splitlines() if line.strip()), type(err).__name__)
    return ConfigError(prefix + " ".join(first.split()))
