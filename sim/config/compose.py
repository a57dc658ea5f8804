"""Composing ``configs/`` with Hydra, and every composition error as one line.

``compose_config`` is the one way a configuration is composed, for the
command line (:mod:`sim.cli`) and the Python API (:func:`sim.config.load.load_config`)
alike, so both give the same messages. Before Hydra reads anything, the
config-group choices of the overrides (``scenario=``, ``experiment=``, ...)
must be plain names of files inside ``configs/`` or inside a ``--config-dir``
the user gave; names starting with ``_`` are private (``experiment=_common``).
After composition, any key that the schema does not know is an error, also
one added with ``+`` (which Hydra would otherwise let through silently).

Hydra's and OmegaConf's multi-line errors (unknown key, wrong type, bad
enum value, unknown scenario, malformed YAML with its file and line,
ambiguous sweep values) become a :class:`~sim.config.errors.ConfigError` with one
line naming the key, the value and the rule, with "did you mean" where the
schema has a close key.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config.checks.common import is_safe_name
from sim.config.errors import ConfigError
from sim.config.typecheck import (
    DURATION_WORDS,
    article,
    field_types,
    kind_words,
    optional_of,
    schema_words,
)

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"
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


def compose_plain(
    overrides: Sequence[str],
    dirs: Sequence[Path] = (CONFIG_DIR,),
    hydra_node: bool = False,
    config_name: str = "config",
) -> DictConfig:
    """Hydra's composition, its errors as one line; no other check."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    extra = [f"hydra.searchpath=[{quote('file://' + str(d))}]" for d in dirs[1:]]
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return compose(config_name, [*extra, *overrides], return_hydra_config=hydra_node)
    except Exception as err:  # Hydra wraps everything; translate() keeps what a user can fix
        raise translate(err, dirs) from None
    finally:
        GlobalHydra.instance().clear()


def compose_config(
    overrides: Sequence[str] = (),
    user_dir: str | Path | None = None,
    hydra_node: bool = False,
    config_name: str = "config",
) -> DictConfig:
    """Compose the configuration as the command line would, checking it on the way.

    ``hydra_node`` keeps the ``hydra`` block (output folders, sweep parameters).
    New entries of the scenario's dicts (``+agents.extra={count:3,skills:[chat]}``)
    are added through their schema (:func:`with_new_entries`).
    """
    from sim.config.schema import register_configs

    dirs = search_dirs(user_dir)
    check_choices(overrides, dirs)
    register_configs(entries=False)  # the entry schemas only if an override adds an entry
    overrides = with_new_entries(overrides, lambda o: compose_plain(o, dirs, False, config_name))
    cfg = compose_plain(overrides, dirs, hydra_node, config_name)
    check_known_keys(cfg)
    return cfg


# ---- new entries of dicts of schema objects (+agents.extra={...}) --------------------------


def _levels(parts: Sequence[str]) -> list[tuple[int, type]]:
    """Positions in a key path that name an entry of a dict of schema objects, and its type."""
    from sim.config.schema import Config

    found, tp = [], Config
    for i, part in enumerate(parts):
        tp = optional_of(tp)[0]
        if dataclasses.is_dataclass(tp):
            tp = field_types(tp).get(part)
            if tp is None:
                break
        elif typing.get_origin(tp) is dict:
            tp = optional_of(typing.get_args(tp)[1])[0]
            if not dataclasses.is_dataclass(tp):
                break
            found.append((i, tp))
        else:
            break
    return found


def render(value: Any) -> str:
    """A Python value written in Hydra's override grammar."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(render(v) for v in value) + "]"
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _flatten(path: str, value: Any) -> Iterator[tuple[str, Any]]:
    """Leaf assignments of a value given to a schema object or a dict of them."""
    parts = path.split(".")
    levels = dict(_levels(parts))
    tp = _type_at(parts)
    goes_deeper = dataclasses.is_dataclass(tp) or (
        typing.get_origin(tp) is dict
        and dataclasses.is_dataclass(optional_of(typing.get_args(tp)[1])[0])
    )
    if isinstance(value, dict) and value and goes_deeper:
        for key, sub in value.items():
            yield from _flatten(f"{path}.{key}", sub)
    elif len(parts) - 1 not in levels or not isinstance(value, dict):
        yield path, value


def _type_at(parts: Sequence[str]) -> Any:
    from sim.config.schema import Config

    tp: Any = Config
    for part in parts:
        tp = optional_of(tp)[0]
        if dataclasses.is_dataclass(tp):
            tp = field_types(tp).get(part)
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
        if tp is None:
            return None
    return tp


# Mappings whose keys are names of the scenario (channels, reasons) that a what-if sets
# without '+': their keys are checked by the rules (sim.config.checks), not by Hydra.
OPEN_MAPPINGS = ("demand.scale",)


def with_open_mappings(overrides: Sequence[str]) -> list[str]:
    """``demand.scale.chat=2`` and ``demand.scale={chat:2}`` as ``++demand.scale.chat=2``.

    Hydra refuses a key that a mapping does not have yet unless it is added
    with ``+`` (and ``+`` refuses one the scenario sets already); ``++`` adds
    or replaces. A whole mapping given at once is merged key by key into the
    scenario's (a factor it does not name keeps its value).
    """
    out = []
    for text, o in zip(overrides, parse_overrides(overrides), strict=True):
        key = o.key_or_group
        base = next((m for m in OPEN_MAPPINGS if key == m or key.startswith(m + ".")), None)
        if base is None or o.is_delete() or o.is_force_add() or o.package:
            out.append(text)
        elif key == base and not o.is_sweep_override() and isinstance(o.value(), dict):
            out += [f"++{key}.{k}={render(v)}" for k, v in o.value().items()]
        elif key != base:
            out.append("++" + text.lstrip("+"))
        else:
            out.append(text)
    return out


def with_new_entries(overrides: Sequence[str], compose_base: Any) -> list[str]:
    """Overrides that add entries to dicts of schema objects, in a form Hydra can compose.

    Hydra cannot give a plain mapping to a dict typed by a schema
    (``dict is not a subclass of AgentGroupConfig``). So
    ``+agents.extra={count:3}`` becomes ``+schema/AgentGroupConfig@agents.extra=base``
    (the schema's defaults, registered here by :func:`sim.config.register_configs`
    the first time an entry is added) and ``agents.extra.count=3``; an entry the
    scenario has already is only assigned. ``compose_base(overrides)`` composes
    without the additions, to see which entries exist. Keys of :data:`OPEN_MAPPINGS` are set first
    (:func:`with_open_mappings`).
    """
    overrides = with_open_mappings(overrides)
    parsed = parse_overrides(overrides)
    adds = [o for o in parsed if o.is_add() and _levels(o.key_or_group.split("."))]
    if not adds:
        return list(overrides)
    from sim.config.schema import register_configs

    register_configs(entries=True)  # the +schema/<Class>@entry=base below compose from these
    pairs = zip(overrides, parsed, strict=True)
    base = compose_base([t for t, o in pairs if o not in adds and not o.is_sweep_override()])
    out, made = [], set()
    for text, o in zip(overrides, parsed, strict=True):
        if o not in adds:
            out.append(text)
            continue
        key = o.key_or_group
        leaves = (
            [(key, o.get_value_element_as_str())]
            if o.is_sweep_override()
            else [(p, render(v)) for p, v in _flatten(key, o.value())]
        )
        for path in [key, *(p for p, _ in leaves)]:  # the entries, outermost first
            parts = path.split(".")
            for i, tp in _levels(parts):
                entry = ".".join(parts[: i + 1])
                if entry not in made and OmegaConf.select(base, entry) is None:
                    out.append(f"+schema/{tp.__name__}@{entry}=base")
                made.add(entry)
        out += [f"{path}={shown}" for path, shown in leaves]
    return out


def quote(value: str) -> str:
    """A value written as a Hydra override, quoted."""
    if "$" in value:
        raise ConfigError(f"a path must not contain '$', got {value!r}")
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# ---- unknown keys ------------------------------------------------------------------------


def _suggest(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_key(path: str, cls: Any) -> ConfigError:
    """The error of a key that the schema class ``cls`` (or a scenario's dict) does not have."""
    key = path.rsplit(".", 1)[-1]
    if dataclasses.is_dataclass(cls):
        where = (
            "a configuration key" if "." not in path else f"{schema_words(cls.__name__)} setting"
        )
        if "." in path:
            where = article(where)
        return ConfigError(f"{path} is not {where}{_suggest(key, list(field_types(cls)))}")
    return ConfigError(f"{path} is not a key here")


def missing_entry(path: str, known: Sequence[str]) -> ConfigError:
    """The error of an entry (a queue, a group...) that the scenario does not define."""
    names = ", ".join(known) if known else "none"
    close = _suggest(path.rsplit(".", 1)[-1], known)
    return ConfigError(
        f"{path} is not defined in this scenario (defined: {names}){close}; "
        f"add a new one with +{path}={{...}}"
    )


def _walk(node: Any, tp: Any, path: str) -> None:
    """Keys of ``node`` (a composed DictConfig) that the schema type ``tp`` does not know."""
    tp, _ = optional_of(tp)
    if isinstance(node, DictConfig) and dataclasses.is_dataclass(tp):
        fields = field_types(tp)
        for key in node:
            sub = f"{path}.{key}" if path else str(key)
            if key not in fields:
                if not (path == "" and key == "hydra"):
                    raise unknown_key(sub, tp)
                continue
            _walk(node._get_node(key), fields[key], sub)
    elif isinstance(node, DictConfig) and typing.get_origin(tp) is dict:
        item = typing.get_args(tp)[1]
        for key in node:
            _walk(node._get_node(key), item, f"{path}.{key}")
    elif isinstance(node, ListConfig) and typing.get_origin(tp) is list:
        item = typing.get_args(tp)[0]
        for i in range(len(node)):
            _walk(node._get_node(i), item, f"{path}[{i}]")


def check_known_keys(cfg: DictConfig) -> None:
    """Raise ConfigError on the first key that the schema does not know (``+`` typos too)."""
    from sim.config.schema import Config

    _walk(cfg, Config, "")


# ---- translation of Hydra's and OmegaConf's errors ----------------------------------------

_CONVERT = re.compile(r"Value '(.*)' of type '(\w+)' could not be converted to (\w+)")
_BOOL = re.compile(r"Value '(.*)' is not a valid bool")
_STRING = re.compile(r"Cannot convert '\w+' to string: '(.*)'")
_ENUM = re.compile(r"Invalid value '(.*)', expected one of \[(.*)\]")
_SUBCLASS = re.compile(r"Invalid type assigned: (\w+) is not a subclass of (\w+)\. value: (.*)")
_NOT_OPTIONAL = re.compile(r"field '(.*)' is not Optional")
_UNION = re.compile(r"Value '(.*?)' (?:of type '(\w+)' )?is incompatible with type hint 'Union")
_NOT_IN = re.compile(r"Key '(.*)' (?:not in '(\w+)'|is not in struct)")
_MERGING = re.compile(r"Error merging override (.*)")
_IN_FILE = re.compile(r"In '([^']+)': (\w+) raised while composing config:")
_FULL_KEY = re.compile(r"^\s*full_key: (.*)$", re.M)
_OBJECT = re.compile(r"^\s*object_type=(\w+)", re.M)
_TYPE_WORDS = {"Integer": int, "Float": float, "Boolean": bool, "String": str}


def _override_key(message: str) -> str | None:
    m = _MERGING.search(message)
    return m.group(1).split("=", 1)[0].lstrip("+~") if m else None


def _shown(value: str, type_name: str) -> str:
    """A value as the API's messages show it: numbers bare, text quoted."""
    return value if type_name in ("int", "float", "bool") else repr(value)


def _schema_class(name: str | None) -> Any:
    import sim.config

    cls = getattr(sim.config, name or "", None)
    return cls if dataclasses.is_dataclass(cls) else None


def _rule(msg: str, cls: Any, key: str) -> tuple[str, str] | None:
    """``(rule, value)`` of the first line of an OmegaConf validation message."""
    if m := _CONVERT.search(msg):
        rule = f"must be {kind_words(_TYPE_WORDS.get(m.group(3), str))}"
        return rule, _shown(m.group(1), m.group(2))
    if m := _BOOL.search(msg):
        return f"must be {kind_words(bool)}", repr(m.group(1))
    if m := _STRING.search(msg):
        return f"must be {kind_words(str)}", m.group(1)
    if m := _ENUM.search(msg):
        names = ", ".join(sorted(n.strip() for n in m.group(2).split(",")))
        return f"must be one of {names}", repr(m.group(1))
    if m := _SUBCLASS.search(msg):
        return f"must be {kind_words(_schema_class(m.group(2)) or m.group(2))}", m.group(3)
    if m := _UNION.search(msg):  # a duration key (int | float | str), the only union
        value = "null" if m.group(1) == "None" else _shown(m.group(1), m.group(2) or "")
        return f"must be {DURATION_WORDS}", value
    if _NOT_OPTIONAL.search(msg):
        tp = field_types(cls).get(key) if cls is not None else None
        return (f"must be {kind_words(tp)}" if tp is not None else "must not be null"), "null"
    return None


def omegaconf_message(text: str, key: str | None = None, err: Any = None) -> str:
    """One line from an OmegaConf error's text (its first line, ``full_key``, ``object_type``)."""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    msg = lines[0].strip() if lines else type(err).__name__
    full = _FULL_KEY.search(text)
    path = key or (full.group(1).strip() if full else "") or getattr(err, "full_key", "") or ""
    obj = _OBJECT.search(text)
    cls = getattr(err, "object_type", None) or _schema_class(obj.group(1) if obj else None)
    if _NOT_IN.search(msg):
        if not dataclasses.is_dataclass(cls):
            parent = getattr(err, "parent_node", None)
            return str(missing_entry(path, list(parent.keys()) if parent is not None else []))
        return str(unknown_key(path, cls))
    found = _rule(msg, cls if dataclasses.is_dataclass(cls) else None, path.rsplit(".", 1)[-1])
    if found is not None:
        return f"{path} {found[0]}, got {found[1]}"
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
    if m := _IN_FILE.match(text):  # an error inside a config file: its text carries the details
        body = text.split("\n", 1)[1] if "\n" in text else ""
        return ConfigError(f"{_config_file(m.group(1), dirs)}: {omegaconf_message(body)}")
    if isinstance(cause, OmegaConfBaseException):
        return ConfigError(omegaconf_message(str(cause), _override_key(text), cause))
    first = next((line for line in text.splitlines() if line.strip()), type(err).__name__)
    return ConfigError(" ".join(first.split()))
