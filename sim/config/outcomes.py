"""Schemas of the outcome and economics model: resolution, repeats, satisfaction, churn, costs.

Minutes throughout (delays, windows); money in EUR. The defaults are
calibrated in the field comments of configs/outcomes/default.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from sim.config.base import DistKind, DistributionConfig


class QualityKpi(Enum):
    """Quality KPI a vendor's bonus/malus is tied to (measured on the contacts it served)."""

    resolution = "resolution"
    service_level = "service_level"
    fcr = "fcr"  # issues resolved at the first contact, of those its agents closed
    survey = "survey"  # mean survey score, 1-10 (the target too)
    courtesy = "courtesy"  # mean courtesy item of the survey, 1-10 (the target too)


@dataclass
class RepeatConfig:
    """Customers whose issue is not resolved come back (same issue, a new contact).

    Attributes:
        p_return: probability of coming back by how the contact ended
            (``unresolved`` served, ``abandoned``, ``blocked``, ``gave_up``,
            ``balked``; balked callers return as the abandoned ones unless given).
        delay: time until the new contact (from the end of the previous one).
        channel_mix: channel of the new contact; ``same`` = the same channel.
        max_contacts: an issue stops (unresolved) after this many contacts.
    """

    p_return: dict[str, float] = field(
        default_factory=lambda: {
            "unresolved": 0.8,
            "abandoned": 0.6,
            "blocked": 0.7,
            "gave_up": 0.3,
        }
    )
    delay: DistributionConfig = field(
        default_factory=lambda: DistributionConfig(kind=DistKind.lognormal, mean=1440.0, cv=1.0)
    )
    channel_mix: dict[str, float] = field(default_factory=lambda: {"same": 1.0})
    max_contacts: int = 5


@dataclass
class SatisfactionConfig:
    """Satisfaction of an issue, 0-10: a weighted mean (PosteMobile's definition, seed 000).

    ``service`` = 10 minus penalties (waiting beyond the expected wait, not
    resolved, each transfer, each extra contact, each frustration point);
    ``expectation`` = the segment's prior expectation; ``mood`` = the
    customer's mood, drawn per issue. The weights must sum to 1.

    Attributes:
        weights: of service, expectation and mood.
        expectation: by segment (``default``), 0-10.
        mood: mean and standard deviation of the mood (normal, clipped to 0-10).
        expected_wait: waiting the customer finds normal, by channel; a
            channel not listed uses its own service-level threshold (the
            promise customers learn to expect).
        penalty: points lost per unit: ``wait`` (per expected wait exceeded),
            ``unresolved``, ``transfer``, ``extra_contact``, ``frustration``.
        survey_share: share of closed issues answering the post-contact survey.
        courtesy: true courtesy (1-10) of the agents of each group (``default``
            for groups not listed), before the customer's mood and the agent's
            stress; 8 = the mood mean + 1 of the default survey.
    """

    weights: dict[str, float] = field(
        default_factory=lambda: {"service": 0.6, "expectation": 0.2, "mood": 0.2}
    )
    expectation: dict[str, float] = field(default_factory=lambda: {"default": 7.0})
    mood: list[float] = field(default_factory=lambda: [7.0, 1.5])
    expected_wait: dict[str, float] = field(default_factory=dict)
    penalty: dict[str, float] = field(
        default_factory=lambda: {
            "wait": 1.0,
            "unresolved": 4.0,
            "transfer": 1.0,
            "extra_contact": 2.0,
            "frustration": 1.0,
        }
    )
    survey_share: float = 0.05
    courtesy: dict[str, float] = field(default_factory=lambda: {"default": 8.0})


@dataclass
class ChurnConfig:
    """Customers lost.

    Every customer of the base leaves at ``annual_base`` a year. When an
    issue ends, the customer's defection probability is ``logistic(intercept
    + dissatisfaction x (10 - S) / 10 + unresolved x U + repeat x (contacts -
    1))``; the part above ``reference`` (the defection of customers whose
    issue was resolved at the first contact, already in the background rate)
    is the extra churn the service caused, drawn per issue.

    Attributes:
        annual_base: background yearly churn of the whole base.
        intercept, dissatisfaction, unresolved, repeat: logistic coefficients.
        reference: defection probability already in the background rate.
        arpu_month: revenue per customer per month (lost when a customer leaves).
        loyalty: after an excellent experience, the share of the background
            defection (``reference``) that does not happen: the customer stays
            with probability ``loyalty x reference`` more than the base rate says
            (seed 000, Brand Loyalty Survey 2012: 34 % stay loyal when rewarded
            with excellent service). 0 (the default) = off.
        excellent: service score (0-10) from which an experience is excellent.
    """

    annual_base: float = 0.17
    reference: float = 0.05
    intercept: float = -3.344
    dissatisfaction: float = 2.0
    unresolved: float = 0.845
    repeat: float = 0.216
    arpu_month: float = 12.0
    loyalty: float = 0.0
    excellent: float = 9.5


@dataclass
class BonusMalusConfig:
    """A vendor's bonus (or malus) tied to a quality KPI, as a share of its bill.

    ``share = clip(per_point x (KPI - target) x 100, -cap, cap)`` for shares
    (resolution, service level, FCR); for survey scores (1-10) the difference
    is in points, ``share = clip(per_point x (KPI - target), -cap, cap)``.
    ``per_point = 0`` (the default) means no bonus/malus.
    """

    kpi: QualityKpi = QualityKpi.resolution
    target: float = 0.7
    per_point: float = 0.0
    cap: float = 0.1


@dataclass
class SchemeConfig:
    """A vendor's own bonus/malus: terms whose shares of its bill add up."""

    terms: list[BonusMalusConfig] = field(default_factory=list)


@dataclass
class CostConfig:
    """Unit costs (EUR).

    Attributes:
        inhouse_hour: hourly cost of agents of groups without a vendor.
        self_service: per self-service attempt (chatbot, knowledge base, IVR
            self-service), by channel (``default``).
        ivr_minute: per minute in the IVR.
        telephony_minute: per minute of a contact on a channel with an IVR (a
            phone line: IVR, queue and talk).
        governance_share: in-house governance staff as a share of the direct
            (agent) hours, paid at ``governance_rate`` per hour (seed 002: ~5 %).
        hiring: per new agent (recruiting and training).
        bonus_malus: quality-linked adjustment applied to every outsourced vendor
            without a scheme of its own.
        schemes: a vendor's own bonus/malus, by vendor name: its ``terms``,
            whose shares add up (Wind, seed 001: the perceived-quality survey
            feeds the outsourcer contract's bonus/malus). Settled once per
            replication window (the period).
    """

    inhouse_hour: float = 28.0
    self_service: dict[str, float] = field(default_factory=lambda: {"default": 0.10})
    ivr_minute: float = 0.15
    telephony_minute: float = 0.02
    governance_share: float = 0.05
    governance_rate: float = 35.0
    hiring: float = 3000.0
    bonus_malus: BonusMalusConfig = field(default_factory=BonusMalusConfig)
    schemes: dict[str, SchemeConfig] = field(default_factory=dict)


@dataclass
class LocationConfig:
    """What a vendor's location changes (all 1 / 0: nothing).

    Attributes:
        price_factor: multiplies the price of its vendors.
        resolution_factor: multiplies their agents' probability of resolving.
        language: survey points lost on accuracy and ability to answer (agents
            speaking the customers' language as a second one; courtesy is not
            affected: CFI Group found offshore agents close on courtesy).
    """

    price_factor: float = 1.0
    resolution_factor: float = 1.0
    language: float = 0.0


@dataclass
class OutcomesConfig:
    """The outcome model; ``enabled: false`` leaves contacts without outcomes (textbook runs).

    ``locations`` gives, by vendor location (``inhouse``, ``onshore``,
    ``offshore``), the effects of working there (:class:`LocationConfig`).
    """

    enabled: bool = False
    resolution: dict[str, float] = field(default_factory=lambda: {"default": 0.75})
    transfer_factor: float = 0.86
    fcr_window: float = 10080.0
    repeat: RepeatConfig = field(default_factory=RepeatConfig)
    satisfaction: SatisfactionConfig = field(default_factory=SatisfactionConfig)
    churn: ChurnConfig = field(default_factory=ChurnConfig)
    costs: CostConfig = field(default_factory=CostConfig)
    locations: dict[str, LocationConfig] = field(default_factory=dict)


def location_effect(o: OutcomesConfig, vendor) -> LocationConfig:
    """The effects of where ``vendor`` (a ``VendorConfig`` or None: in-house) works."""
    where = "inhouse" if vendor is None else vendor.location.value
    return o.locations.get(where, LocationConfig())
