"""Validation rules for the agent stress model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.config.checks.common import _finite, check_non_negative, check_positive, require

if TYPE_CHECKING:
    from sim.config.schema import Config

UNIT = (
    "baseline",
    "per_contact",
    "threshold",
    "quality_sensitivity",
    "learning_quality",
    "courtesy_sensitivity",
)
NON_NEGATIVE = (
    "angry_wait",
    "angry_wait_cap",
    "angry_repeat",
    "angry_transfer",
    "busy_rate",
    "shift_rate",
    "handle_sensitivity",
    "absence_sensitivity",
    "attrition_sensitivity",
    "hiring_delay",
    "cap_pause",
)
POSITIVE = ("recovery_tau", "break_tau", "chronic_days", "learning_days", "long_shift_hours")
FACTORS = ("night_factor", "long_shift_factor", "rotation_factor")


def check_stress(c: Config) -> None:
    """Ranges of every stress parameter, and reasons that exist."""
    s, p = c.stress, "stress"
    for key in UNIT:
        v = getattr(s, key)
        require(_finite(v) and 0 <= v <= 1, f"{p}.{key}", "must be in [0, 1]", v)
    for key in NON_NEGATIVE:
        check_non_negative(getattr(s, key), f"{p}.{key}")
    for key in POSITIVE:
        check_positive(getattr(s, key), f"{p}.{key}")
    for key in FACTORS:
        v = getattr(s, key)
        require(_finite(v) and v >= 1, f"{p}.{key}", "must be >= 1 (a load multiplier)", v)
    require(
        0 <= s.attrition_annual < 1,
        f"{p}.attrition_annual",
        "must be in [0, 1) (a yearly share)",
        s.attrition_annual,
    )
    require(
        0 < s.learning_start <= 1,
        f"{p}.learning_start",
        "must be in (0, 1] (a new hire's efficiency)",
        s.learning_start,
    )
    require(0 < s.occupancy_cap <= 1, f"{p}.occupancy_cap", "must be in (0, 1]", s.occupancy_cap)
    for reason, w in s.difficult.items():
        require(
            reason in c.demand.reasons,
            f"{p}.difficult.{reason}",
            f"must be a contact reason, one of {sorted(c.demand.reasons)}",
            reason,
        )
        check_non_negative(w, f"{p}.difficult.{reason}")
    if s.enabled and s.occupancy_cap < 1:
        require(s.cap_pause > 0, f"{p}.cap_pause", "must be > 0 with an occupancy cap", s.cap_pause)
