"""Outcomes of issues: resolution, repeat contacts, satisfaction and churn.

Every contact of the demand model belongs to a :class:`Case` (the customer's
issue). When a contact ends:

- served: resolved with probability ``resolution[reason]`` x the agent
  group's resolution multiplier on the queue x its vendor's factor x
  ``transfer_factor`` per transfer; self-served: resolved;
- not resolved (served unresolved, abandoned, blocked, gave up): the customer
  comes back with probability ``p_return`` after ``delay`` on a channel of
  ``channel_mix`` (a new contact of the same case), unless the case has had
  ``max_contacts`` contacts; otherwise the case ends unresolved;
- switched (self-service failure, closed channel): the journey brings it back.

When a case ends its satisfaction (0-10, PosteMobile's weighted mean of the
service received, the customer's expectation and mood, seed 000), its churn
probability (logistic in dissatisfaction, non-resolution and repeats,
calibrated to SQM 2022) and whether the customer was surveyed and churned
are drawn, and one row goes to the case log: with the group of the agent who
served its last served leg (whose courtesy the survey rates) and, if surveyed,
the four survey answers; ``retained`` marks a customer an excellent experience
kept (churn below the background rate). FCR is measured two ways: true
(resolved by the first contact) and as a centre measures it (no repeat within
``fcr_window`` after the first contact).

Choices use uniforms drawn at arrival: the contact's (resolution, return,
channel) and, when an issue starts, its case's (mood, churn, survey, from the
stream ``cases.<segment>.<reason>``); the survey answers' noise comes from the
stream ``cases``, one row per surveyed case. Not modelled: agent-declared
resolutions that turn out false, customers who contact again about a
resolved issue, churn of customers without issues beyond the background rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from sim.core.entities import (
    ABANDONED,
    BALKED,
    BLOCKED,
    CALLBACK,
    GAVE_UP,
    OPEN,
    RESOLVED,
    SELF_SERVED,
    SERVED,
    SWITCHED,
    TRANSFERRED,
    Case,
    Contact,
)
from sim.outcomes.satisfaction import ScoreParams, Scorer, block_rows

U_RESOLVE, U_RETURN, U_REPEAT_CHANNEL = 6, 7, 8
_NO_WAIT = (BLOCKED, BALKED, OPEN)  # legs that did not wait on the line
_NO_END = (TRANSFERRED, SWITCHED, OPEN)  # legs after which the case goes on
RETURN_KEY = {
    SERVED: "unresolved",
    ABANDONED: "abandoned",
    BLOCKED: "blocked",
    GAVE_UP: "gave_up",
    BALKED: "balked",
}


@dataclass
class OutcomePlan:
    """Compiled outcome parameters (indices instead of names)."""

    resolution: list[float]  # by reason
    quality: list[list[float]]  # by group and queue
    transfer_factor: float
    fcr_window: float
    p_return: dict[int, float]  # by outcome code
    delay: Iterator[float]
    repeat_cum: list[tuple[int, float]]  # (channel code, -1 = same; cumulative probability)
    max_contacts: int
    expected_wait: list[float]  # by channel
    score: ScoreParams
    case_rng: np.random.Generator  # the survey answers' noise


class CaseLog:
    """One row per ended (or, at the end of the run, open) case, sent on in chunks."""

    CHUNK = 65536

    def __init__(self, sink: Callable[[list[tuple]], None]) -> None:
        self.rows: list[tuple] = []
        self.sink = sink

    def add(self, row: tuple) -> None:
        """Log a case row."""
        self.rows.append(row)
        if len(self.rows) >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        """Send the pending rows to the sink."""
        if self.rows:
            self.sink(self.rows)
            self.rows = []


class OutcomeModel:
    """Decides resolutions and repeats, and logs ended cases."""

    def __init__(
        self, plan: OutcomePlan, record: Callable, sink: Callable[[list[tuple]], None]
    ) -> None:
        self.plan = plan
        self.record_contact = record
        self.again: Callable = lambda old, channel, delay: None  # set by the front door
        self.log = CaseLog(sink)
        self.live: dict[int, Case] = {}
        self.churned = 0
        self.quality_hook: Callable | None = None  # (agent, now) -> resolution multiplier (stress)
        self.stress_hook: Callable | None = None  # agent -> its stress now (courtesy)
        self.channel_of_kind: list[int] = []  # set by the model
        self._noise = block_rows(plan.case_rng.standard_normal, 4)  # one row per survey
        self._scorer = Scorer(plan.score)

    def record(self, c: Contact, outcome: int, t_end: float) -> None:
        """A contact (leg) ended: decide what it means for its case, then log it.

        Inline (hot path): the wait of a leg that waited on the line (not blocked,
        still waiting or called back) and a served leg's agent (courtesy's subject).
        """
        case = c.case
        if case is None:
            self.record_contact(c, outcome, t_end)
            return
        self.live[case.id] = case
        if c.queue >= 0 and outcome not in _NO_WAIT and not c.info & CALLBACK:
            # the leg's wait in queue, up to its answer (NaN: not answered) or end
            wait = (c.t_answer if c.t_answer == c.t_answer else t_end) - c.t_queue
            case.wait += wait
            excess = wait / self.plan.expected_wait[self.channel_of_kind[c.kind]] - 1.0
            if excess > 0.0:
                case.excess_wait += excess
        if outcome == TRANSFERRED:
            case.transfers += 1
        else:
            case.contacts += 1
        if outcome == SERVED:
            resolved = self._resolved(c)
            case.group = c.agent.group
            case.stress = self.stress_hook(c.agent) if self.stress_hook is not None else 0.0
        else:
            resolved = outcome == SELF_SERVED
        if resolved:
            c.info |= RESOLVED
        self.record_contact(c, outcome, t_end)
        if outcome in _NO_END:
            return
        if resolved or not self._comes_back(c, case, outcome):
            self._end(c, case, resolved, t_end)

    def _resolved(self, c: Contact) -> bool:
        """Whether a served leg resolved its case."""
        p = self.plan.resolution[c.case.reason] * self.plan.quality[c.agent.group][c.queue]
        p *= self.plan.transfer_factor**c.case.transfers
        if self.quality_hook is not None:
            p *= self.quality_hook(c.agent, c.t_answer)
        return c.path[U_RESOLVE] < p

    def _comes_back(self, c: Contact, case: Case, outcome: int) -> bool:
        p = self.plan.p_return.get(outcome, 0.0)
        if case.contacts >= self.plan.max_contacts or c.path[U_RETURN] >= p:
            return False
        channel = next(ch for ch, cum in self.plan.repeat_cum if c.path[U_REPEAT_CHANNEL] < cum)
        self.again(c, channel, next(self.plan.delay))
        return True

    def _end(self, c: Contact, case: Case, resolved: bool, t_end: float) -> None:
        """The case is over: score it (:class:`Scorer`) and log its row."""
        del self.live[case.id]
        scores = self._scorer.score(case, resolved, c.info, self._noise)
        self.churned += scores[2] - scores[-1]  # churned - retained
        fcr = resolved and case.contacts == 1
        measured = not case.repeat_in_window
        rows = self.log.rows
        rows.append((*_case_fields(case, t_end, 1, resolved, fcr, measured), *scores))
        if len(rows) >= self.log.CHUNK:
            self.log.flush()

    def base_share(self, customers: int, annual_base: float) -> Callable[[float], float]:
        """Share of the base still customers at time t: background decay minus issue churn."""
        return _BaseShare(self, customers, annual_base)

    def close_open(self) -> None:
        """End of run: cases still going are logged as open (no outcome yet)."""
        nan = math.nan
        for case in sorted(self.live.values(), key=lambda k: k.id):
            row = _row(case, nan, 0, False, False, False, nan, nan, False, 0, nan)
            self.log.add((*row, nan, nan, nan, nan, 0))
        self.live.clear()
        self.log.flush()


class _BaseShare:
    """``share(t)`` of :meth:`OutcomeModel.base_share` as an object: a closure does not pickle."""

    def __init__(self, model: OutcomeModel, customers: int, annual_base: float) -> None:
        self.model, self.customers, self.annual_base = model, customers, annual_base

    def __call__(self, t: float) -> float:
        year = 365 * 1440.0
        return max(0.0, (1 - self.annual_base) ** (t / year) - self.model.churned / self.customers)


def _row(
    case: Case, t_end: float, closed: int, resolved: bool, fcr: bool, measured: bool, *scores
) -> tuple:
    """A case-log row up to ``survey_score`` (see :data:`CASE_COLUMNS`)."""
    sat, p_churn, churned, surveyed, survey = scores
    fields = _case_fields(case, t_end, closed, resolved, fcr, measured)
    return (*fields, sat, p_churn, int(churned), surveyed, survey)


def _case_fields(
    case: Case, t_end: float, closed: int, resolved: bool, fcr: bool, measured: bool
) -> tuple:
    """A case-log row's fields from ``case_id`` to ``wait`` (see :data:`CASE_COLUMNS`)."""
    return (
        case.id,
        case.segment,
        case.reason,
        case.channel,
        case.group,
        case.t_first,
        t_end,
        closed,
        int(resolved),
        int(fcr),
        int(measured),
        case.contacts,
        case.transfers,
        case.wait,
    )


CASE_COLUMNS = (
    "case_id",
    "segment",
    "reason",
    "channel",
    "group",
    "t_first",
    "t_end",
    "closed",
    "resolved",
    "fcr",
    "fcr_measured",
    "contacts",
    "transfers",
    "wait",
    "satisfaction",
    "p_churn",
    "churned",
    "surveyed",
    "survey_score",
    "survey_wait",
    "survey_accuracy",
    "survey_ability",
    "survey_courtesy",
    "retained",
)
