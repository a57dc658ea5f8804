"""The perceived-quality survey, vendor bonus/malus, vendor locations and loyalty.

Every effect is checked against the same scenario without it, on common random
numbers (same seed, named streams): what the feature does not touch stays equal
to the last digit, what it touches moves in the expected direction.
"""

import dataclasses
import math

import numpy as np
import pytest

from sim import load_config, run_experiment
from sim.config import BonusMalusConfig, LocationConfig, QualityKpi, SchemeConfig
from sim.outcomes.costs import term_share

SURVEY_ITEMS = ["survey_wait", "survey_accuracy", "survey_ability", "survey_courtesy"]


def wind(*overrides: str):
    """The Wind-like scenario, two replications, records kept."""
    return load_config("wind", ["replications=2", "keep_records=true", *overrides])


def run(cfg):
    cfg.__post_init__()
    return run_experiment(cfg)


def kpi(res, scope: str, metric: str) -> np.ndarray:
    r = res.replications
    return r[(r.scope == scope) & (r.metric == metric)].sort_values("replication").value.to_numpy()


def surveyed(res):
    c = res.cases
    return c[c.surveyed == 1].set_index(["replication", "case_id"]).sort_index()


@pytest.fixture(scope="module")
def base():
    return run(wind())


def test_survey_answers_are_sampled_and_counted_by_vendor(base):
    s = surveyed(base)
    assert len(s) > 400
    assert s[SURVEY_ITEMS].notna().all().all()
    assert ((s[SURVEY_ITEMS] >= 1) & (s[SURVEY_ITEMS] <= 10)).all().all()
    assert np.allclose(s.survey_score, s[SURVEY_ITEMS].mean(axis=1))
    per_vendor = sum(kpi(base, f"vendor:{v}", "surveyed") for v in ("inhouse", "onshore_bpo"))
    per_vendor += kpi(base, "vendor:offshore_bpo", "surveyed")
    nobody = s[s.group.isna()].groupby("replication").size().reindex([0, 1], fill_value=0)
    window = base.cases[(base.cases.surveyed == 1) & (base.cases.t_first >= 0)]
    assert (per_vendor + nobody.to_numpy() == window.groupby("replication").size()).all()


def test_a_courteous_group_raises_its_courtesy_scores_and_nothing_else(base):
    cfg = wind()
    cfg.outcomes.satisfaction.courtesy = {"default": 8.0, "voice_onshore": 9.5}
    res = run(cfg)
    a, b = surveyed(base), surveyed(res)
    assert a.index.equals(b.index)  # same customers surveyed: nothing else moved
    onshore = a.group == "voice_onshore"
    assert (b.survey_courtesy[onshore] >= a.survey_courtesy[onshore]).all()
    assert b.survey_courtesy[onshore].mean() > a.survey_courtesy[onshore].mean() + 0.8
    assert b[~onshore][SURVEY_ITEMS].equals(a[~onshore][SURVEY_ITEMS])
    assert (
        kpi(res, "vendor:onshore_bpo", "survey_courtesy")
        > kpi(base, "vendor:onshore_bpo", "survey_courtesy")
    ).all()
    assert np.array_equal(kpi(res, "all", "fcr"), kpi(base, "all", "fcr"))


@pytest.fixture(scope="module")
def stressed():
    """Stress on: perceived courtesy not sensitive to it, and sensitive."""
    calm, tense = wind("stress=call_center"), wind("stress=call_center")
    calm.stress.courtesy_sensitivity = 0.0
    tense.stress.courtesy_sensitivity = 0.5
    return run(calm), run(tense)


def test_stress_lowers_courtesy_scores(stressed):
    calm, tense = (surveyed(r) for r in stressed)
    assert calm.index.equals(tense.index)
    served = calm.group.notna()
    assert (tense.survey_courtesy[served] <= calm.survey_courtesy[served]).all()
    assert tense.survey_courtesy[served].mean() < calm.survey_courtesy[served].mean() - 0.3
    others = ["survey_wait", "survey_accuracy", "survey_ability"]
    assert tense[others].equals(calm[others])  # only courtesy depends on stress
    assert np.array_equal(
        kpi(stressed[0], "all", "stress_mean"), kpi(stressed[1], "all", "stress_mean")
    )


def test_a_term_pays_a_bonus_above_target_and_takes_a_malus_below():
    k = {
        ("vendor:v", "service_level"): 0.75,
        ("vendor:v", "fcr"): 0.80,
        ("vendor:v", "survey_satisfaction"): 8.0,
        ("vendor:v", "survey_courtesy"): 9.0,
    }
    sl = BonusMalusConfig(kpi=QualityKpi.service_level, target=0.8, per_point=0.005, cap=0.05)
    assert term_share(sl, k, "v") == pytest.approx(-0.025)  # 5 points below: malus
    fcr = BonusMalusConfig(kpi=QualityKpi.fcr, target=0.7, per_point=0.01, cap=0.05)
    assert term_share(fcr, k, "v") == pytest.approx(0.05)  # 10 points above, capped at 5 %
    survey = BonusMalusConfig(kpi=QualityKpi.survey, target=8.5, per_point=0.02, cap=0.05)
    assert term_share(survey, k, "v") == pytest.approx(-0.01)  # half a point below
    polite = BonusMalusConfig(kpi=QualityKpi.courtesy, target=8.0, per_point=0.02, cap=0.05)
    assert term_share(polite, k, "v") == pytest.approx(0.02)
    assert term_share(sl, k, "w") == 0.0  # not measured: nothing paid


def _only(term: BonusMalusConfig):
    cfg = wind()
    cfg.outcomes.costs.schemes = {v: SchemeConfig([term]) for v in ("onshore_bpo", "offshore_bpo")}
    return run(cfg)


@pytest.mark.parametrize("kpi_name", ["service_level", "fcr"])
def test_a_vendor_below_its_target_pays_a_malus_above_it_earns_a_bonus(base, kpi_name):
    measured = kpi(base, "vendor:offshore_bpo", kpi_name)
    term = BonusMalusConfig(kpi=QualityKpi(kpi_name), per_point=0.005, cap=0.05)
    low = _only(dataclasses.replace(term, target=float(measured.max()) + 0.02))
    high = _only(dataclasses.replace(term, target=float(measured.min()) - 0.02))
    malus, bonus = (kpi(r, "vendor:offshore_bpo", "bonus_malus") for r in (low, high))
    assert (malus < 0).all() and (bonus > 0).all()
    share = kpi(low, "vendor:offshore_bpo", "bonus_malus_share")
    want = np.clip(0.005 * (measured - measured.max() - 0.02) * 100, -0.05, 0.05)
    assert share == pytest.approx(want)
    total = sum(kpi(low, f"vendor:{v}", "bonus_malus") for v in ("onshore_bpo", "offshore_bpo"))
    assert kpi(low, "cost", "bonus_malus") == pytest.approx(total)


def test_without_schemes_no_bonus_is_paid(base):
    cfg = wind()
    cfg.outcomes.costs.schemes = {}
    res = run(cfg)
    assert (kpi(res, "cost", "bonus_malus") == 0).all()
    assert (kpi(base, "cost", "bonus_malus") != 0).all()


def _offshore(**effects):
    cfg = wind()
    cfg.outcomes.locations = {"offshore": LocationConfig(**effects)}
    return run(cfg)


def test_offshore_price_factor_scales_only_the_offshore_bill():
    cheap, full = _offshore(price_factor=0.6), _offshore()
    ratio = kpi(cheap, "cost", "labour:offshore_bpo") / kpi(full, "cost", "labour:offshore_bpo")
    assert ratio == pytest.approx([0.6, 0.6])
    for v in ("inhouse", "onshore_bpo"):
        assert np.array_equal(kpi(cheap, "cost", f"labour:{v}"), kpi(full, "cost", f"labour:{v}"))


def test_offshore_language_lowers_accuracy_and_ability_of_its_agents_only():
    foreign, native = (surveyed(_offshore(language=x)) for x in (1.5, 0.0))
    assert foreign.index.equals(native.index)
    off = foreign.group == "voice_offshore"
    for item in ("survey_accuracy", "survey_ability"):
        assert foreign[item][off].mean() < native[item][off].mean() - 0.8
        assert foreign[item][~off].equals(native[item][~off])
    assert foreign[["survey_wait", "survey_courtesy"]].equals(
        native[["survey_wait", "survey_courtesy"]]
    )


def test_offshore_resolution_factor_lowers_its_resolution():
    worse, same = _offshore(resolution_factor=0.8), _offshore()
    assert (
        kpi(worse, "vendor:offshore_bpo", "p_resolved")
        < kpi(same, "vendor:offshore_bpo", "p_resolved") - 0.05
    ).all()


@pytest.fixture(scope="module")
def loyal():
    cfg = wind()
    cfg.outcomes.churn.loyalty = 0.34
    return run(cfg)


def test_excellent_service_keeps_customers_below_the_background_rate(base, loyal):
    kept = kpi(loyal, "all", "retained")
    assert (kept > 0).all() and (kpi(base, "all", "retained") == 0).all()
    for res in (base, loyal):  # customers lost after issues are net of those kept
        net = kpi(res, "all", "churned") - kpi(res, "all", "retained")
        assert kpi(res, "churn", "customers_lost_issues") == pytest.approx(net)
    assert (kpi(loyal, "churn", "customers_lost") < kpi(base, "churn", "customers_lost")).all()
    c = loyal.cases[loyal.cases.closed == 1]
    assert (c[c.retained == 1].p_churn < 0).all()  # below the background defection
    assert c[c.retained == 1].p_churn.iloc[0] == pytest.approx(-0.34 * 0.05)
    n = len(c[c.p_churn < 0])
    assert abs(c.retained.sum() - 0.34 * 0.05 * n) < 4 * math.sqrt(n * 0.017)
    assert (kpi(loyal, "all", "net_churn_rate") < kpi(base, "all", "net_churn_rate")).all()


def test_the_excellence_threshold_decides_who_is_rewarded(loyal):
    cfg = wind()
    cfg.outcomes.churn.loyalty = 0.34
    cfg.outcomes.churn.excellent = 8.0
    easier = run(cfg)
    assert (kpi(easier, "all", "retained") > kpi(loyal, "all", "retained")).all()


def test_the_reports_show_survey_and_bonus_by_vendor(base):
    from pathlib import Path

    from sim.report.html import survey_html
    from sim.report.text import text
    from sim.study.compare import Job

    summary = text(base)
    block = summary.split("Perceived-quality survey and bonus/malus by vendor")[1]
    for word in ("offshore_bpo", "onshore_bpo", "survey_courtesy", "bonus_malus_share"):
        assert word in block.split("\n\n")[0]
    empty = base.kpis.iloc[:0]
    jobs = [Job(Path("."), "wind", None, 0, base.config, base.kpis, empty, empty, empty)]
    page = survey_html(jobs)
    assert "Survey: courtesy" in page and "Bonus/malus share" in page
    no_vendors = base.kpis[~base.kpis.scope.str.startswith("vendor:")]
    assert survey_html([dataclasses.replace(jobs[0], kpis=no_vendors)]) == ""
