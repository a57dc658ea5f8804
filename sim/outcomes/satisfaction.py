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
better service). The survey asks a sample four items like Wind's (seed 001:
wait, accuracy, ability to answer, courtesy), answered 1-10 with noise.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from sim.core.distributions import BLOCK
from sim.core.entities import FRUSTRATION


@dataclass(frozen=True)
class ScoreParams:
    """Compiled satisfaction and churn parameters."""

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
    blocks = map(lambda _: draw((BLOCK, width)).tolist(), itertools.repeat(None))
    return itertools.chain.from_iterable(blocks)


def score_case(
    p: ScoreParams,
    case,
    resolved: bool,
    info: int,
    u: Sequence[float],
    noise: Iterator[list[float]],
) -> tuple:
    """``(satisfaction, p_churn, churned, surveyed, survey_score)`` of an ended case.

    ``p_churn`` is the defection probability above the reference (the extra
    churn caused by this experience). ``u``: the case's three uniforms (mood,
    churn, survey); ``noise``: rows of four standard normals (the survey items'
    noise), one row taken per surveyed case only.
    """
    frustration = (info // FRUSTRATION) & 0xFF
    service = service_score(
        p, resolved, case.excess_wait, case.transfers, case.contacts, frustration
    )
    mood = min(10.0, max(0.0, p.mood[0] + p.mood[1] * (2 * u[0] - 1) * math.sqrt(3)))
    s = p.w_service * service + p.w_expectation * p.expectation[case.segment] + p.w_mood * mood
    p_churn = max(0.0, churn_probability(p, s, resolved, case.contacts) - p.reference)
    surveyed = u[2] < p.survey_share
    score = sum(_survey_items(p, resolved, case, mood, next(noise))) / 4 if surveyed else math.nan
    return (s, p_churn, u[1] < p_churn, int(surveyed), score)


def _survey_items(p: ScoreParams, resolved: bool, case, mood: float, z: list[float]) -> list[float]:
    """Wait, accuracy, ability, courtesy answered 1-10 (noise sd 1, rounded)."""
    pen = p.penalty
    true = (
        10.0 - pen["wait"] * case.excess_wait,
        10.0 - pen["unresolved"] * (not resolved),
        10.0 - pen["transfer"] * case.transfers - pen["extra_contact"] * max(case.contacts - 1, 0),
        mood + 1.0,
    )
    return [min(10.0, max(1.0, float(round(t + e)))) for t, e in zip(true, z, strict=True)]
