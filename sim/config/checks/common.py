"""The building blocks of the configuration's rules, shared by every domain's checks.

Each rule raises :class:`~sim.config.errors.ConfigError` (a ``ValueError``)
whose message names the key path, the rule and the offending value, e.g.
``queues.calls.service.mean must be > 0, got -1.0``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sim.config.base import DAY, DistKind
from sim.config.errors import ConfigError

if TYPE_CHECKING:
    from sim.config.base import ArrivalConfig, DistributionConfig

__all__ = ["ConfigError"]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_SAFE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,119}$")
SAFE_RULE = "must be a plain name (letters, digits, '_', '-', '.'; no '..'; at most 120 characters)"
_RESERVED = {"all"}
MIX_TOLERANCE = 1e-6
LONGEST = 1e12  # minutes (1.9 million years): sums of such durations stay far from overflow


def require(ok: bool, path: str, rule: str, value: Any) -> None:
    """Raise ConfigError ``"<path> <rule>, got <value>"`` unless ``ok``."""
    if not ok:
        raise ConfigError(f"{path} {rule}, got {value!r}")


def require_name(value: Any, allowed: Iterable[str], path: str, what: str) -> None:
    """Require ``value`` to be one of ``allowed``; ``what`` names them ("a queue")."""
    names = sorted(allowed)
    require(value in names, path, f"must name {what} ({names})", value)


def is_safe_name(value: object) -> bool:
    """Whether ``value`` can name a folder without leaving its parent (no '/', no '..')."""
    return isinstance(value, str) and bool(_SAFE.match(value)) and ".." not in value


def check_safe_name(value: object, path: str) -> None:
    """Require a name that is safe as a folder or file name."""
    require(is_safe_name(value), path, SAFE_RULE, value)


def _finite(x: float) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


def check_positive(x: float, path: str) -> None:
    """Require a finite number > 0."""
    require(_finite(x) and x > 0, path, "must be a finite number > 0", x)


def check_non_negative(x: float, path: str) -> None:
    """Require a finite number >= 0."""
    require(_finite(x) and x >= 0, path, "must be a finite number >= 0", x)


def check_probability(x: float, path: str) -> None:
    """Require a number in [0, 1]."""
    require(_finite(x) and 0 <= x <= 1, path, "must be a probability in [0, 1]", x)


def check_mix(weights: list[float], path: str) -> None:
    """Require non-negative weights summing to 1."""
    for i, w in enumerate(weights):
        check_non_negative(w, f"{path}[{i}]")
    total = float(sum(weights))
    require(abs(total - 1.0) <= MIX_TOLERANCE, path, "must sum to 1", total)


def check_distribution(d: DistributionConfig, path: str, *, allow_infinite: bool = False) -> None:
    """Check one duration distribution (a mean beyond LONGEST would overflow the clock)."""
    if d.mean is None:
        require(allow_infinite, f"{path}.mean", "must be a number (null only for patience)", None)
        return
    if _finite(d.mean):
        require(d.mean <= LONGEST, f"{path}.mean", f"must be at most {LONGEST:g} minutes", d.mean)
    if d.kind is DistKind.deterministic:
        check_non_negative(d.mean, f"{path}.mean")
    elif d.kind not in (DistKind.empirical, DistKind.trace):
        check_positive(d.mean, f"{path}.mean")
    if d.kind in (DistKind.lognormal, DistKind.gamma):
        check_positive(d.cv, f"{path}.cv")
    if d.kind in (DistKind.empirical, DistKind.trace):
        _check_empirical(d, path)


def _check_empirical(d: DistributionConfig, path: str) -> None:
    require(len(d.values) > 0, f"{path}.values", "must list at least one value", d.values)
    for i, v in enumerate(d.values):
        check_non_negative(v, f"{path}.values[{i}]")
    if d.weights:
        require(
            d.kind is DistKind.empirical, f"{path}.weights", "apply to empirical only", d.kind.name
        )
        require(
            len(d.weights) == len(d.values),
            f"{path}.weights",
            f"must have one weight per value ({len(d.values)})",
            len(d.weights),
        )
        check_mix(d.weights, f"{path}.weights")


def check_arrival(a: ArrivalConfig, path: str, horizon: float) -> None:
    """Check an arrival process.

    A profile repeats every ``len(profile) * profile_interval`` minutes, so,
    as for ``demand.profile``, it must have a positive entry, and its period
    must cover the horizon or be a whole number of days (a daily or weekly
    cycle); any other length would repeat a partial day without a word.
    """
    check_non_negative(a.rate, f"{path}.rate")
    check_positive(a.profile_interval, f"{path}.profile_interval")
    for i, m in enumerate(a.profile):
        check_non_negative(m, f"{path}.profile[{i}]")
    if a.profile:
        require(sum(a.profile) > 0, f"{path}.profile", "must have a positive entry", a.profile)
        check_cycle(a.profile, a.profile_interval, horizon, f"{path}.profile")
    check_non_negative(a.busyness_cv, f"{path}.busyness_cv")
    for i, t in enumerate(a.times):
        check_non_negative(t, f"{path}.times[{i}]")
        if i:
            require(
                t >= a.times[i - 1], f"{path}.times[{i}]", "must not precede the previous time", t
            )


def check_cycle(profile: list[float], interval: float, horizon: float, path: str) -> None:
    """A cyclic profile covers the horizon or a whole number of days (no partial day repeats)."""
    period = len(profile) * interval
    days = period / DAY
    require(
        period >= horizon - 1e-9 or abs(days - round(days)) < 1e-9,
        path,
        f"must cover the horizon ({horizon:g} min) or a whole number of days: "
        f"{len(profile)} entries of {interval:g} min cover {period:g} min",
        len(profile),
    )


def check_hours(hours: list[float], path: str) -> None:
    """A daily window ``[start, end]`` in minutes from midnight, or empty."""
    if not hours:
        return
    require(len(hours) == 2, path, "must be [start, end] in minutes from midnight", hours)
    start, end = hours
    require(0 <= start < 1440, f"{path}[0]", "must be in [0, 1440)", start)
    require(start < end <= start + 1440, f"{path}[1]", "must be in (start, start + 1440]", end)


def check_names(names: list[str], path: str) -> None:
    """Require identifier-like, non-reserved names."""
    for n in names:
        require(bool(_NAME.match(n)), f"{path}.{n}", "name must match [A-Za-z][A-Za-z0-9_]*", n)
        require(n not in _RESERVED, f"{path}.{n}", f"name is reserved ({sorted(_RESERVED)})", n)
