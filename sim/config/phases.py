"""Schema of customer-care life phases: months of a growing base under changing policies.

Seed 001 (Wind, 2010) describes three phases of a customer care: launch (no
history, fast gross adds, high frequency of calls, high churn, little
attention to cost efficiency and to FCR), consolidation (attention to cost:
outsourcer management, off-shoring) and maturity (cost efficiency measured
as the "cost per managed customer", customer satisfaction as the driver).
A phase here is a number of months with a rate of gross adds, a factor on
the contacts per customer and its own configuration overrides (resolution,
outsourcing mix, self-service...); :mod:`sim.study.phases` simulates a
representative day of every month with that month's customer base.

Deliberately not here: the simulation of whole months (one representative
day stands for the month) and any behaviour; the rules are in
:mod:`sim.config.checks.phases`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PhaseConfig:
    """One life phase: its months and the policies in force.

    Attributes:
        name: the phase's name (a plain name, unique among the phases).
        months: months the phase lasts (each month is one representative run).
        gross_adds: customers acquired per month; the base of the next month
            is this month's plus the gross adds minus the customers lost
            (background churn and churn after issues, as simulated).
        contact_factor: multiplies every reason's contacts per customer-month
            (new customers call more: activation, first bill, set-up).
        history: whether the operator has historical data to forecast from.
            With history, head counts are sized on the month's own base; without
            (a launch), on the previous month's base, so that they lag behind
            a growing base.
        overrides: configuration overrides in force in this phase's months, in
            the command line's form (``outcomes.resolution.default=0.62``).
            The keys the phases set themselves (``demand.customers``,
            ``demand.scale``, the head-count keys, ``phases``, ``seed``) are refused.
    """

    name: str = "phase"
    months: int = 1
    gross_adds: int = 0
    contact_factor: float = 1.0
    history: bool = True
    overrides: list[str] = field(default_factory=list)


@dataclass
class PhasesConfig:
    """Life phases of the scenario (empty ``sequence`` = none; a plain run ignores them).

    Attributes:
        customers: the customer base at the start of the first phase.
        headcount: configuration keys holding head counts (``params.voice_agents``,
            ``agents.business_desk.count``) sized with the month's workload:
            ``ceil(count x sized base x contact_factor / demand.customers)``,
            the scenario's counts being sized for its own ``demand.customers``
            at a contact factor of 1. Empty = the scenario's counts every month.
        sequence: the phases, in order.
    """

    customers: int = 0
    headcount: list[str] = field(default_factory=list)
    sequence: list[PhaseConfig] = field(default_factory=list)
