"""Rules of the life phases (:class:`sim.config.phases.PhasesConfig`).

A phase's overrides are checked here for their form and for the keys the
phases own; whether each one composes (a known key, a value of the right
type) is checked by :mod:`sim.study.phases` before the first month runs,
since that needs the scenario files.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from sim.config.checks.common import _finite, check_non_negative, require

if TYPE_CHECKING:
    from sim.config.phases import PhaseConfig, PhasesConfig
    from sim.config.schema import Config

MOST_MONTHS = 240  # twenty years of months: beyond it a plan is no longer a plan
_OVERRIDE = re.compile(r"^\+{0,2}([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)=.*$", re.S)
_OWNED = ("demand.customers", "demand.scale", "phases", "seed")


def config_value(cfg: Any, key: str) -> Any:
    """The value at a dotted ``key`` of a configuration (attributes and dict keys).

    Raises KeyError when a part of the key is missing.
    """
    node = cfg
    for part in key.split("."):
        if dataclasses.is_dataclass(node) and part in {f.name for f in dataclasses.fields(node)}:
            node = getattr(node, part)
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(key)
    return node


def override_key(text: str) -> str | None:
    """The key of an override ``key=value`` (``+`` or ``++`` allowed); None if malformed."""
    m = _OVERRIDE.match(text) if isinstance(text, str) else None
    return m.group(1) if m else None


def owned_by_phases(key: str, headcount: list[str]) -> bool:
    """Whether the phases set ``key`` themselves (so a phase may not override it)."""
    return any(key == k or key.startswith(k + ".") for k in (*_OWNED, *headcount))


def check_phases(c: Config) -> None:
    """Check the life phases of a configuration (nothing to check when there are none)."""
    p = c.phases
    if not p.sequence:
        require(
            p.customers == 0 and not p.headcount,
            "phases.sequence",
            "must list at least one phase when phases.customers or phases.headcount is set",
            [],
        )
        return
    require(p.customers >= 1, "phases.customers", "must be >= 1 (the base at launch)", p.customers)
    require(
        c.demand.customers >= 1,
        "demand.customers",
        "must be >= 1 with life phases (the base the scenario's head counts are sized for)",
        c.demand.customers,
    )
    _check_headcount(c, p)
    names: list[str] = []
    for i, phase in enumerate(p.sequence):
        _check_phase(phase, f"phases.sequence[{i}]", p.headcount, names)
        names.append(phase.name)
    months = sum(ph.months for ph in p.sequence)
    require(
        months <= MOST_MONTHS, "phases.sequence", f"must last at most {MOST_MONTHS} months", months
    )


def _check_headcount(c: Config, p: PhasesConfig) -> None:
    for i, key in enumerate(p.headcount):
        path = f"phases.headcount[{i}]"
        require(p.headcount.index(key) == i, path, "must not repeat a key", key)
        try:
            value = config_value(c, key)
        except KeyError:
            value = None
        require(
            isinstance(value, int) and not isinstance(value, bool) and value >= 0,
            path,
            "must name a key holding a head count (a whole number >= 0) in this scenario",
            key,
        )


def _check_phase(ph: PhaseConfig, path: str, headcount: list[str], before: list[str]) -> None:
    require(
        bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", ph.name)),
        f"{path}.name",
        "must match [A-Za-z][A-Za-z0-9_]*",
        ph.name,
    )
    require(
        ph.name not in before, f"{path}.name", "must differ from the other phases' names", ph.name
    )
    require(ph.months >= 1, f"{path}.months", "must be >= 1", ph.months)
    check_non_negative(ph.gross_adds, f"{path}.gross_adds")
    require(
        _finite(ph.contact_factor) and 0 < ph.contact_factor <= 100,
        f"{path}.contact_factor",
        "must be a number in (0, 100]",
        ph.contact_factor,
    )
    for j, text in enumerate(ph.overrides):
        key = override_key(text)
        where = f"{path}.overrides[{j}]"
        require(key is not None, where, "must be an override key=value", text)
        require(
            not owned_by_phases(key, headcount),
            where,
            "must not set a key the phases set themselves (demand.customers, demand.scale, "
            "phases, seed, the head-count keys)",
            text,
        )
