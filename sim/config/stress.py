"""Schema of the agent stress model (minutes; stress is a number in [0, 1])."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StressConfig:
    """Per-agent stress and its effects; see :mod:`sim.workforce.stress` for the dynamics.

    Attributes:
        enabled: switch the model on.
        baseline: resting stress, recovered towards when idle or off.
        per_contact: stress added by a handled contact, as a share of the gap to 1.
        difficult: extra weight of a contact by reason (conflict, sales pressure).
        angry_wait: extra weight per expected wait the customer waited beyond it.
        angry_wait_cap: most expected waits beyond it that count (a customer
            is only so angry).
        angry_repeat: extra weight per earlier contact of the issue.
        angry_transfer: extra weight for a transferred contact.
        busy_rate: share of the gap to 1 added per hour of work without a pause.
        shift_rate: share of the gap to 1 added per hour on shift.
        night_factor: load multiplier for work between 22:00 and 06:00.
        long_shift_hours: hours on shift after which load is multiplied by ``long_shift_factor``.
        rotation_factor: load multiplier on a day whose shift start differs from the day before.
        recovery_tau: time constant of recovery while idle at the desk.
        break_tau: time constant of recovery during breaks and time off.
        chronic_days: time constant, in days, of the chronic strain that follows
            the daily mean stress and drives absence and attrition.
        handle_sensitivity: handle time is multiplied by ``1 + handle_sensitivity x stress``.
        quality_sensitivity: resolution is multiplied by ``1 - quality_sensitivity x stress``.
        courtesy_sensitivity: the courtesy a surveyed customer perceives is
            multiplied by ``1 - courtesy_sensitivity x stress`` (the agent's stress as
            it ended the issue's last served leg).
        threshold: stress above which time is reported as "high stress".
        absence_sensitivity: extra probability of missing a day per unit of chronic strain.
        attrition_annual: yearly attrition at zero stress (shared/CALIBRATION.md: 30-45 %).
        attrition_sensitivity: attrition hazard multiplied by ``1 + sensitivity x strain``.
        hiring_delay: days before a leaver's seat is filled.
        learning_start: a new hire's efficiency at day 0 (Cinareo: 53 % in month 1).
        learning_days: time constant of the learning curve (proficient after 8-12 months).
        learning_quality: share of the efficiency gap that also lowers resolution.
        occupancy_cap: after a contact, an agent busy more than this share of its
            time on shift pauses ``cap_pause`` minutes (1 = no cap).
        cap_pause: length of that pause.
    """

    enabled: bool = False
    baseline: float = 0.1
    per_contact: float = 0.015
    difficult: dict[str, float] = field(default_factory=dict)
    angry_wait: float = 0.5
    angry_wait_cap: float = 3.0
    angry_repeat: float = 0.5
    angry_transfer: float = 0.5
    busy_rate: float = 0.05
    shift_rate: float = 0.02
    night_factor: float = 1.5
    long_shift_hours: float = 8.0
    long_shift_factor: float = 1.5
    rotation_factor: float = 1.3
    recovery_tau: float = 30.0
    break_tau: float = 20.0
    chronic_days: float = 14.0
    handle_sensitivity: float = 0.3
    quality_sensitivity: float = 0.2
    courtesy_sensitivity: float = 0.2
    threshold: float = 0.6
    absence_sensitivity: float = 0.1
    attrition_annual: float = 0.35
    attrition_sensitivity: float = 2.0
    hiring_delay: float = 14.0
    learning_start: float = 0.53
    learning_days: float = 120.0
    learning_quality: float = 0.5
    occupancy_cap: float = 1.0
    cap_pause: float = 2.0
