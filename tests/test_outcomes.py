"""Resolution, repeats, FCR, satisfaction, churn and costs."""

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

from sim import load_config
from sim.config import DistKind, DistributionConfig, OutcomesConfig, RepeatConfig
from sim.core.entities import FRUSTRATION, Case
from sim.metrics.stats import paired_difference
from sim.outcomes.satisfaction import ScoreParams, Scorer, churn_probability, score_case
from sim.runner import run_experiment, run_replication
from tests.journey_helpers import demand_config

Z = stats.norm.ppf(1 - 0.001 / 2)


def outcome_config(**kw):
    kw.setdefault("keep_records", True)
    cfg = demand_config(**kw)
    for ch in cfg.channels.values():
        ch.patience = None  # nobody abandons: every contact is served
    cfg.outcomes = OutcomesConfig(enabled=True, resolution={"default": 0.7})
    cfg.__post_init__()
    return cfg


@pytest.fixture(scope="module")
def plain():
    return run_experiment(outcome_config(replications=3))


def test_fcr_equals_the_resolution_probability_when_nothing_interferes(plain):
    cases = plain.cases[plain.cases.closed == 1]
    n = len(cases)
    assert abs(cases.fcr.sum() - 0.7 * n) <= Z * np.sqrt(n * 0.7 * 0.3)
    assert (cases.fcr_measured >= cases.fcr).all()  # measured FCR can only be higher


def test_cases_add_up_to_their_contacts(plain):
    c, cases = plain.contacts, plain.cases
    per_issue = c[c.outcome != "transferred"].groupby(["replication", "issue_id"]).size()
    k = cases.set_index(["replication", "case_id"]).contacts
    assert (per_issue.reindex(k.index) == k).all()
    assert cases.contacts.max() <= 5 and (cases.closed == 1).mean() > 0.95
    resolved = c[c.resolved]
    assert (resolved.outcome.isin(["served", "self_served"])).all()


def test_unresolved_issues_count_customers_once(plain):
    """issues_unresolved = issues in the window not resolved, from the case table."""
    r = plain.replications
    got = r[(r.scope == "all") & (r.metric == "issues_unresolved")].set_index("replication").value
    cases = plain.cases[plain.cases.t_first >= plain.config.warmup]
    want = cases[cases.resolved == 0].groupby("replication").size()
    assert (got.reindex(want.index) == want).all() and len(want) == 3
    contacts = r[(r.scope == "all") & (r.metric == "unresolved")].set_index("replication").value
    assert (got >= contacts).all()  # nobody abandons here: unresolved issues, served contacts


def test_repeat_contacts_arrive_after_the_configured_delay():
    cfg = outcome_config(replications=2, horizon=2880.0)
    cfg.outcomes.repeat = RepeatConfig(
        p_return={"unresolved": 1.0},
        delay=DistributionConfig(kind=DistKind.exponential, mean=180.0),
    )
    c = run_experiment(cfg).contacts.sort_values(["replication", "issue_id", "attempt"])
    prev = c.groupby(["replication", "issue_id"]).t_end.shift(1)
    gaps = (c.t_arrival - prev).dropna().to_numpy()
    assert len(gaps) > 500
    assert stats.kstest(gaps, "expon", args=(0, 180.0)).pvalue > 0.001
    assert (c.groupby(["replication", "issue_id"]).channel.nunique() == 1).all()  # same channel


def test_cost_total_is_the_sum_of_its_parts(plain):
    r = plain.replications
    cost = r[r.scope == "cost"].pivot(index="replication", columns="metric", values="value")
    parts = ["labour", "governance", "self_service", "ivr", "telephony", "bonus_malus", "hiring"]
    assert np.allclose(cost[parts].sum(axis=1), cost["total"])
    vendors = [m for m in cost.columns if m.startswith("labour:")]
    assert np.allclose(cost[vendors].sum(axis=1), cost["labour"])
    offered = r[(r.scope == "all") & (r.metric == "offered")].set_index("replication")["value"]
    assert np.allclose(cost["per_contact"], cost["total"] / offered)


def test_churn_falls_when_service_improves_under_common_random_numbers():
    base = load_config("default", ["replications=8", "keep_records=false", "progress=false"])
    better = dataclasses.replace(
        base, agents={k: dataclasses.replace(g) for k, g in base.agents.items()}
    )
    better.agents["voice_agents"].count += 6
    better.agents["digital_team"].count += 3
    diff = paired_difference(run_experiment(base).replications, run_experiment(better).replications)
    d = diff.set_index(["scope", "metric"])
    assert d.loc[("churn", "customers_lost_issues"), "ci_high"] < 0
    assert d.loc[("all", "satisfaction"), "ci_low"] > 0


def test_an_issue_draws_its_own_mood_churn_and_survey_uniforms():
    """Case draws follow the issue, not the order cases end (common random numbers).

    With more agents, cases end in another order; an issue served the same way in
    both (resolved at once, no wait, matched by source and arrival) keeps its
    satisfaction. Drawn in order of case ends, only about 10 % of them would.
    """
    base = load_config("default", ["replications=1", "keep_records=true", "progress=false"])
    better = dataclasses.replace(
        base, agents={k: dataclasses.replace(g) for k, g in base.agents.items()}
    )
    better.agents["voice_agents"].count += 6
    a, b = (run_replication(cfg, 0).cases for cfg in (base, better))

    def simple(c):
        return c[(c.resolved == 1) & (c.contacts == 1) & (c.transfers == 0) & (c.wait == 0)]

    same = simple(a).merge(simple(b), on=["segment", "reason", "t_first"], suffixes=("_a", "_b"))
    assert len(same) > 1000
    assert (same.satisfaction_a == same.satisfaction_b).mean() > 0.6


PENALTY = dict.fromkeys(("wait", "unresolved", "transfer", "extra_contact", "frustration"), 0.0)


def test_survey_noise_is_drawn_for_surveyed_cases_only():
    o = OutcomesConfig().churn
    case = Case(0, 0, 0, 0, 0.0, contacts=1, u=[0.5, 0.5, 0.5])
    for share, taken in ((0.0, 0), (1.0, 1)):
        p = ScoreParams(
            0.6, 0.2, 0.2, (7.0,), (7.0, 1.5), PENALTY, share, o.intercept,
            o.dissatisfaction, o.unresolved, o.repeat, o.reference, courtesy=(6.0,),
            language=(0.0,),
        )  # fmt: skip
        noise = iter([[-1.0, -2.0, -3.0, 1.0], [9.0] * 4])  # the first row if surveyed
        sc = score_case(p, case, True, 0, case.u, noise)
        assert sc.surveyed == taken and next(noise)[0] == (-1.0 if taken == 0 else 9.0)
        assert sc.satisfaction == pytest.approx(0.6 * 10 + 0.2 * 7 + 0.2 * 7)  # mood at its mean
        # answers: 10 - 1, 10 - 2, 10 - 3 and courtesy 6 (no agent, mood at its mean) + 1
        assert (sc.survey == pytest.approx((9 + 8 + 7 + 7) / 4)) if taken else math.isnan(sc.survey)


def test_the_hot_path_scorer_gives_score_case_s_numbers_bit_for_bit():
    """Scorer.score (one call per ended case) against the reference score_case.

    Random cases over every input the score reads, loyalty on (so ``retained``
    varies) and half of them surveyed; floats are compared with ``==``.
    """
    o = OutcomesConfig().churn
    pen = {"wait": 1.0, "unresolved": 4.0, "transfer": 1.0, "extra_contact": 2.0}
    p = ScoreParams(
        0.6, 0.2, 0.2, (7.0, 6.5), (7.0, 1.5), {**pen, "frustration": 1.0}, 0.5, o.intercept,
        2.1, o.unresolved, o.repeat, o.reference, courtesy=(8.0, 7.0, 8.0),
        language=(0.0, 1.5, 0.0), courtesy_stress=0.3, loyalty=0.34, excellent=9.5,
    )  # fmt: skip
    rng = np.random.default_rng(7)
    scorer, seen = Scorer(p), set()
    for _ in range(2000):
        case = Case(0, int(rng.integers(2)), 0, 0, 0.0, contacts=int(rng.integers(1, 4)))
        case.transfers, case.group = int(rng.integers(2)), int(rng.integers(-1, 2))
        case.excess_wait = float(rng.exponential()) * int(rng.integers(2))
        case.stress, case.u = float(rng.random()), rng.random(3).tolist()
        case.u[1] = max(case.u[1], 0.999 * int(rng.integers(2)))  # loyalty's high end too
        resolved, info = bool(rng.integers(2)), int(rng.integers(2)) * FRUSTRATION
        z = rng.standard_normal((1, 4)).tolist()
        want = score_case(p, case, resolved, info, case.u, iter(z))
        got = scorer.score(case, resolved, info, iter(z))
        expect = (want.satisfaction, want.p_churn, int(want.churned), want.surveyed, want.survey)
        want_row = (*expect, *want.items, int(want.retained))
        pairs = zip(got, want_row, strict=True)
        assert all(a == b or (a != a and b != b) for a, b in pairs)  # NaN == NaN
        seen.add((want.surveyed, want.retained))
    assert seen == {(0, False), (0, True), (1, False), (1, True)}


def test_churn_model_reproduces_its_anchors():
    o = OutcomesConfig().churn
    p = ScoreParams(
        0.6,
        0.2,
        0.2,
        (7.0,),
        (7.0, 1.5),
        {},
        0.05,
        o.intercept,
        o.dissatisfaction,
        o.unresolved,
        o.repeat,
        o.reference,
    )
    assert churn_probability(p, 8.0, True, 1) == pytest.approx(0.05, abs=0.002)  # SQM: FCR
    assert churn_probability(p, 6.0, True, 2) == pytest.approx(0.09, abs=0.002)  # 2+ calls
    assert churn_probability(p, 3.0, False, 1) == pytest.approx(0.25, abs=0.002)  # unresolved
    assert churn_probability(p, 0.0, False, 5) == pytest.approx(0.59, abs=0.01)  # seed 000: 59 %


def test_the_base_shrinks_with_churn_and_demand_with_it():
    cfg = outcome_config(
        replications=1, keep_records=False, horizon=10 * 1440.0, interval=1440.0, drain=False
    )
    cfg.outcomes.churn.annual_base = 0.999999  # almost everybody leaves within the year
    cfg.outcomes.repeat.p_return = {}  # only new issues arrive
    res = run_experiment(cfg)
    daily = res.intervals[res.intervals.scope == "all"].offered.to_numpy()
    days = np.arange(10) + 0.5
    slope, _ = np.polyfit(days, np.log(daily), 1, w=np.sqrt(daily))
    se = 1 / np.sqrt(np.sum(daily * (days - np.average(days, weights=daily)) ** 2))
    expected = np.log(1 - 0.999999) / 365  # log-share lost per day (issue churn adds a little)
    assert expected - 4 * se - 0.005 <= slope <= expected + 4 * se
