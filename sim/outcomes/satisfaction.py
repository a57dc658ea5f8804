"""Scoring an ended case: satisfaction, churn probability, churn, survey (pure functions).

Satisfaction (0-10) is the weighted mean used by PosteMobile (seed 000) of
the service received, the customer's prior expectation and mood. The service
score starts at 10 and loses points for waiting beyond what the customer
finds normal, for an unresolved issue, for each transfer, each extra contact
and each frustration point (having to repeat information, Fonolo in seed
002; an extra call costs about 20 CSAT points out of 100, SQM 2008). Churn is
logistic in dissatisfaction, non-resolution and repeats, with defaults that
reproduce SQM 2022 (defection 5 % after FCR, 9 % after 2+ calls, 25 %
unresolved) and a worst case of 59 % (seed 000: 59 % would switch brand for
better service). An excellent experience (service score from ``excellent``)
keeps a share ``loyalty`` of the background defection from happening (seed
000: 34 % stay loyal to a brand that rewards them with excellent service), so
churn after an issue can fall below the background rate.

The survey asks a sample four items like Wind's (seed 001: wait, accuracy,
ability to answer, courtesy), answered 1-10 with noise sd 1 and rounded. The
courtesy item is about the agent of the issue's last served leg: its group's
courtesy, moved by the customer's mood and lowered by that agent's stress as
it ended the leg; accuracy and ability lose the language points of its
vendor's location (CFI Group's call-centre index: offshore agents are rated
far lower on ease of understanding, 54 % against 85 %, but close on courtesy).
Not modelled: courtesy of individual agents within a group, non-response
bias, surveys of open issues.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from sim.core.distributions import BLOCK, in_blocks
from sim.core.entities import FRUSTRATION

_SQRT3 = math.sqrt(3)


@dataclass(frozen=True)
class ScoreParams:
    """Compiled satisfaction, survey and churn parameters (survey tuples by agent group)."""

    w_service: float
    w_expectation: float
    w_mood: float
    expectation: tuple[float, ...]  # by segment
    mood: tuple[float, float]
    penalty: dict[str, float]
    survey_share: float
    intercept: float
    b_dissatisfaction: float
    b_unresolved: float
    b_repeat: float
    reference: float
    courtesy: tuple[float, ...] = ()  # by group; the last entry: issues no agent served
    language: tuple[float, ...] = ()  # by group, points; the last entry 0
    courtesy_stress: float = 0.0
    loyalty: float = 0.0
    excellent: float = 10.0


@dataclass(frozen=True)
class CaseScore:
    """What an ended case leaves: satisfaction, churn and, if surveyed, the four answers."""

    satisfaction: float
    p_churn: float  # extra defection minus the loyalty an excellent experience earns
    churned: bool
    retained: bool  # stayed although the background rate would have lost it
    surveyed: int
    items: tuple[float, float, float, float]  # wait, accuracy, ability, courtesy (NaN: none)

    @property
    def survey(self) -> float:
        """Mean of the four answers (NaN if not surveyed)."""
        return sum(self.items) / 4 if self.surveyed else math.nan


def service_score(
    p: ScoreParams,
    resolved: bool,
    excess_wait: float,
    transfers: int,
    contacts: int,
    frustration: int,
) -> float:
    """Score of the service received, 0-10."""
    pen = p.penalty
    lost = (
        pen["wait"] * excess_wait
        + pen["unresolved"] * (not resolved)
        + pen["transfer"] * transfers
        + pen["extra_contact"] * max(contacts - 1, 0)
        + pen["frustration"] * frustration
    )
    return min(10.0, max(0.0, 10.0 - lost))


def churn_probability(p: ScoreParams, satisfaction: float, resolved: bool, contacts: int) -> float:
    """Probability that the customer leaves after the case."""
    z = (
        p.intercept
        + p.b_dissatisfaction * (10.0 - satisfaction) / 10.0
        + p.b_unresolved * (not resolved)
        + p.b_repeat * max(contacts - 1, 0)
    )
    return 1.0 / (1.0 + math.exp(-z))


def block_rows(draw: Callable[[tuple[int, int]], np.ndarray], width: int) -> Iterator[list[float]]:
    """Endless rows of ``width`` values of ``draw`` (``rng.random``...), made in blocks."""
    return in_blocks(draw, (BLOCK, width))


def score_case(
    p: ScoreParams,
    case,
    resolved: bool,
    info: int,
    u: Sequence[float],
    noise: Iterator[list[float]],
) -> CaseScore:
    """The :class:`CaseScore` of an ended case.

    ``u``: the case's three uniforms (mood, churn, survey), drawn when the
    issue started; ``noise``: rows of four standard normals (the survey
    items' noise), one row taken per surveyed case only. The extra churn
    (defection above ``reference``) is drawn on the low end of the churn
    uniform, the loyalty an excellent experience earns on its high end, so
    switching loyalty on or off changes no other draw.
    """
    frustration = (info // FRUSTRATION) & 0xFF
    service = service_score(
        p, resolved, case.excess_wait, case.transfers, case.contacts, frustration
    )
    mood = min(10.0, max(0.0, p.mood[0] + p.mood[1] * (2 * u[0] - 1) * math.sqrt(3)))
    s = p.w_service * service + p.w_expectation * p.expectation[case.segment] + p.w_mood * mood
    extra = max(0.0, churn_probability(p, s, resolved, case.contacts) - p.reference)
    keep = p.loyalty * p.reference if service >= p.excellent else 0.0
    surveyed = int(u[2] < p.survey_share)
    nan = math.nan
    items = tuple(_survey_items(p, resolved, case, mood, next(noise))) if surveyed else (nan,) * 4
    return CaseScore(s, extra - keep, u[1] < extra, u[1] >= 1.0 - keep, surveyed, items)


class Scorer:
    """:func:`score_case` for the hot path: the parameters unpacked, one call per case.

    The same arithmetic in the same order (so the same floats, bit for bit:
    ``tests/test_outcomes.py`` checks it against :func:`score_case`), without
    building a :class:`CaseScore`, its items tuple or the penalty dict look-ups;
    :meth:`score` returns the case row's score fields at once. Plain numbers
    only, so a model holding one can be pickled.
    """

    __slots__ = ("_churn", "_excellent", "_keep", "_mood", "_p", "_pen", "_survey", "_w")

    def __init__(self, p: ScoreParams) -> None:
        pen = p.penalty
        self._p = p
        self._pen = (
            pen["wait"],
            pen["unresolved"],
            pen["transfer"],
            pen["extra_contact"],
            pen["frustration"],
        )
        self._w = (p.w_service, p.w_expectation, p.w_mood, p.expectation)
        self._mood = (p.mood[0], p.mood[1])
        self._churn = (p.intercept, p.b_dissatisfaction, p.b_unresolved, p.b_repeat, p.reference)
        self._keep = p.loyalty * p.reference
        self._survey = p.survey_share
        self._excellent = p.excellent

    def score(self, case, resolved: bool, info: int, noise: Iterator[list[float]]) -> tuple:
        """``(satisfaction, p_churn, churned, surveyed, survey, *items, retained)`` of a case.

        As :func:`score_case` with ``u = case.u``: ``churned`` and ``retained``
        are ints, ``survey`` the mean of the four ``items`` (NaN if not surveyed).
        ``min(10.0, max(0.0, x))`` is written as comparisons: the same value.
        """
        u = case.u
        service = self._service(case, resolved, info)
        m0, m1 = self._mood
        x = m0 + m1 * (2 * u[0] - 1) * _SQRT3
        x = x if x > 0.0 else 0.0
        mood = x if x < 10.0 else 10.0
        w_service, w_expectation, w_mood, expectation = self._w
        s = w_service * service + w_expectation * expectation[case.segment] + w_mood * mood
        intercept, b_dis, b_unres, b_rep, reference = self._churn
        extra_contacts = case.contacts - 1 if case.contacts > 1 else 0
        z = intercept + b_dis * (10.0 - s) / 10.0 + b_unres * (not resolved)
        x = 1.0 / (1.0 + math.exp(-(z + b_rep * extra_contacts))) - reference
        extra = x if x > 0.0 else 0.0
        keep = self._keep if service >= self._excellent else 0.0
        retained = int(u[1] >= 1.0 - keep)
        if u[2] < self._survey:
            items = _survey_items(self._p, resolved, case, mood, next(noise))
            return (s, extra - keep, int(u[1] < extra), 1, sum(items) / 4, *items, retained)
        nan = math.nan
        return (s, extra - keep, int(u[1] < extra), 0, nan, nan, nan, nan, nan, retained)

    def _service(self, case, resolved: bool, info: int) -> float:
        """:func:`service_score` of the case (``info``: its last leg's, for frustration)."""
        w_wait, w_unresolved, w_transfer, w_extra, w_frustration = self._pen
        lost = (
            w_wait * case.excess_wait
            + w_unresolved * (not resolved)
            + w_transfer * case.transfers
            + w_extra * (case.contacts - 1 if case.contacts > 1 else 0)
            + w_frustration * ((info // FRUSTRATION) & 0xFF)
        )
        x = 10.0 - lost
        x = x if x > 0.0 else 0.0
        return x if x < 10.0 else 10.0


def courtesy(p: ScoreParams, group: int, stress: float, mood: float) -> float:
    """True courtesy perceived of the agent (1-10 before noise): its group, mood and stress."""
    return (p.courtesy[group] + mood - p.mood[0]) * (1.0 - p.courtesy_stress * stress)


def _survey_items(p: ScoreParams, resolved: bool, case, mood: float, z: list[float]) -> list[float]:
    """Wait, accuracy, ability, courtesy answered 1-10 (noise sd 1, rounded)."""
    pen = p.penalty
    lang = p.language[case.group]
    true = (
        10.0 - pen["wait"] * case.excess_wait,
        10.0 - pen["unresolved"] * (not resolved) - lang,
        10.0
        - pen["transfer"] * case.transfers
        - pen["extra_contact"] * max(case.contacts - 1, 0)
        - lang,
        courtesy(p, case.group, case.stress, mood),
    )
    return [min(10.0, max(1.0, float(round(t + e)))) for t, e in zip(true, z, strict=True)]
