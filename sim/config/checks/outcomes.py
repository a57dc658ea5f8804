"""Validation rules for the outcome and economics model."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sim.config.checks.common import (
    check_distribution,
    check_mix,
    check_non_negative,
    check_positive,
    check_probability,
    require,
)
from sim.config.outcomes import (
    BonusMalusConfig,
    CostConfig,
    OutcomesConfig,
    QualityKpi,
    RepeatConfig,
    SatisfactionConfig,
)
from sim.config.workforce import VendorLocation

if TYPE_CHECKING:
    from sim.config.schema import Config

RETURN_KEYS = ("unresolved", "abandoned", "blocked", "gave_up", "balked")
WEIGHT_KEYS = ("service", "expectation", "mood")
PENALTY_KEYS = ("wait", "unresolved", "transfer", "extra_contact", "frustration")


def _keys(keys: Iterable[str], allowed: list[str], path: str) -> None:
    for k in keys:
        require(k in allowed, f"{path}.{k}", f"must be one of {sorted(allowed)}", k)


def check_repeat(r: RepeatConfig, c: Config) -> None:
    """Returns of unresolved customers."""
    _keys(r.p_return, list(RETURN_KEYS), "outcomes.repeat.p_return")
    for k, p in r.p_return.items():
        check_probability(p, f"outcomes.repeat.p_return.{k}")
    check_distribution(r.delay, "outcomes.repeat.delay")
    _keys(r.channel_mix, ["same", *c.channels], "outcomes.repeat.channel_mix")
    check_mix(list(r.channel_mix.values()), "outcomes.repeat.channel_mix")
    require(r.max_contacts >= 1, "outcomes.repeat.max_contacts", "must be >= 1", r.max_contacts)


def check_satisfaction(s: SatisfactionConfig, c: Config) -> None:
    """Weights, expectations, mood, expected waits and penalties."""
    p = "outcomes.satisfaction"
    require(
        set(s.weights) == set(WEIGHT_KEYS),
        f"{p}.weights",
        f"must give exactly {list(WEIGHT_KEYS)}",
        sorted(s.weights),
    )
    check_mix(list(s.weights.values()), f"{p}.weights")
    _keys(s.expectation, [*c.demand.segments, "default"], f"{p}.expectation")
    for k, v in s.expectation.items():
        require(0 <= v <= 10, f"{p}.expectation.{k}", "must be in [0, 10]", v)
    require(len(s.mood) == 2, f"{p}.mood", "must be [mean, standard deviation]", s.mood)
    require(0 <= s.mood[0] <= 10, f"{p}.mood[0]", "must be in [0, 10]", s.mood[0])
    check_non_negative(s.mood[1], f"{p}.mood[1]")
    _keys(s.expected_wait, list(c.channels), f"{p}.expected_wait")
    for k, v in s.expected_wait.items():
        check_positive(v, f"{p}.expected_wait.{k}")
    require(
        set(s.penalty) == set(PENALTY_KEYS),
        f"{p}.penalty",
        f"must give exactly {list(PENALTY_KEYS)}",
        sorted(s.penalty),
    )
    for k, v in s.penalty.items():
        check_non_negative(v, f"{p}.penalty.{k}")
    check_probability(s.survey_share, f"{p}.survey_share")
    _keys(s.courtesy, [*c.agents, "default"], f"{p}.courtesy")
    for k, v in s.courtesy.items():
        require(1 <= v <= 10, f"{p}.courtesy.{k}", "must be in [1, 10]", v)


def _check_term(t: BonusMalusConfig, path: str) -> None:
    """One bonus/malus term: a target on the KPI's scale, a non-negative rate, a sane cap."""
    if t.kpi in (QualityKpi.survey, QualityKpi.courtesy):
        require(
            1 <= t.target <= 10, f"{path}.target", "must be a survey score in [1, 10]", t.target
        )
    else:
        check_probability(t.target, f"{path}.target")
    check_non_negative(t.per_point, f"{path}.per_point")
    check_probability(t.cap, f"{path}.cap")


def check_locations(o: OutcomesConfig) -> None:
    """Location effects: known locations, positive factors, language points in [0, 9]."""
    names = [v.value for v in VendorLocation]
    _keys(o.locations, names, "outcomes.locations")
    for name, loc in o.locations.items():
        p = f"outcomes.locations.{name}"
        check_positive(loc.price_factor, f"{p}.price_factor")
        check_positive(loc.resolution_factor, f"{p}.resolution_factor")
        require(0 <= loc.language <= 9, f"{p}.language", "must be in [0, 9] points", loc.language)


def check_costs(k: CostConfig, c: Config) -> None:
    """Unit costs are non-negative; bonus/malus is a sane share."""
    p = "outcomes.costs"
    for name in ("inhouse_hour", "ivr_minute", "telephony_minute", "governance_rate", "hiring"):
        check_non_negative(getattr(k, name), f"{p}.{name}")
    check_probability(k.governance_share, f"{p}.governance_share")
    _keys(k.self_service, [*c.channels, "default"], f"{p}.self_service")
    for name, v in k.self_service.items():
        check_non_negative(v, f"{p}.self_service.{name}")
    _check_term(k.bonus_malus, f"{p}.bonus_malus")
    _keys(k.schemes, list(c.vendors), f"{p}.schemes")
    for name, scheme in k.schemes.items():
        for i, t in enumerate(scheme.terms):
            _check_term(t, f"{p}.schemes.{name}.terms[{i}]")


def check_outcomes(c: Config) -> None:
    """Check the outcome model (only when enabled)."""
    o = c.outcomes
    if not o.enabled:
        return
    _keys(o.resolution, [*c.demand.reasons, "default"], "outcomes.resolution")
    for k, v in o.resolution.items():
        check_probability(v, f"outcomes.resolution.{k}")
    require(
        "default" in o.resolution or set(c.demand.reasons) <= set(o.resolution),
        "outcomes.resolution",
        "must cover every reason or give a default",
        sorted(o.resolution),
    )
    check_probability(o.transfer_factor, "outcomes.transfer_factor")
    check_non_negative(o.fcr_window, "outcomes.fcr_window")
    check_repeat(o.repeat, c)
    check_satisfaction(o.satisfaction, c)
    ch = o.churn
    check_probability(ch.annual_base, "outcomes.churn.annual_base")
    check_probability(ch.reference, "outcomes.churn.reference")
    check_non_negative(ch.arpu_month, "outcomes.churn.arpu_month")
    check_probability(ch.loyalty, "outcomes.churn.loyalty")
    require(0 <= ch.excellent <= 10, "outcomes.churn.excellent", "must be in [0, 10]", ch.excellent)
    check_locations(o)
    check_costs(o.costs, c)
