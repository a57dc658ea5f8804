"""Confidence intervals of bounded KPIs stay inside their bounds and still cover."""

import math

import numpy as np
import pandas as pd
import pytest

from sim.metrics.kpis import BOUNDS, POSITIVE, UNIT
from sim.metrics.stats import (
    bounded_interval,
    kpi_bounds,
    paired_difference,
    summarise_replications,
    t_interval,
)

TRIALS = 2000  # binomial standard error of a 95 % coverage: 0.5 points


def _per_rep(metric, values, scope="all"):
    return pd.DataFrame(
        {"replication": range(len(values)), "scope": scope, "metric": metric, "value": values}
    )


def _ci(frame):
    r = frame.iloc[0]
    return r["mean"], r.ci_low, r.ci_high


def test_every_bounded_kpi_has_its_range():
    assert kpi_bounds("wait_p90") == POSITIVE and kpi_bounds("asa") == POSITIVE
    for share in ("service_level", "p_abandon", "fcr", "occupancy", "churn_rate"):
        assert kpi_bounds(share) == UNIT
    assert kpi_bounds("satisfaction") == (0.0, 10.0)
    assert kpi_bounds("bonus_malus") == (-math.inf, math.inf)  # can be negative
    assert kpi_bounds("p_resolved") == UNIT  # resolved / handled (served + self-served)
    assert all(lo < hi for lo, hi in BOUNDS.values())


def test_a_skewed_percentile_from_few_replications_stays_positive():
    values = [600.0, 900.0, 4850.0]  # seconds: one bad day among three
    _, plain_low, plain_high = t_interval(values)
    assert plain_low < 0  # what the issue saw: wait_p90 2116 s [-729.6 s, 4962 s]
    mean, low, high = _ci(summarise_replications(_per_rep("wait_p90", values)))
    assert mean == pytest.approx(np.mean(values))
    assert 0 < low < mean < high
    assert high > plain_high  # longer on the side away from the bound, as the skew is


def test_a_service_level_near_one_stays_below_one():
    values = [0.99, 1.0, 0.97, 0.80]
    assert t_interval(values)[2] > 1
    mean, low, high = _ci(summarise_replications(_per_rep("service_level", values)))
    assert 0 < low < mean < high < 1
    # replications on the bound are fine as long as their mean is not
    mean, low, high = _ci(summarise_replications(_per_rep("p_abandon", [0.0, 0.0, 0.03])))
    assert 0 < low < mean < high < 1


def test_a_mean_on_the_bound_keeps_its_zero_width_interval():
    assert bounded_interval([0.0, 0.0, 0.0], UNIT) == (0.0, 0.0, 0.0)
    assert bounded_interval([1.0, 1.0], UNIT) == (1.0, 1.0, 1.0)
    m, lo, hi = bounded_interval([5.0], POSITIVE)  # one replication: no interval
    assert m == 5.0 and math.isnan(lo) and math.isnan(hi)


def test_paired_differences_of_shares_stay_in_minus_one_one_and_of_waits_stay_plain():
    a = pd.concat([_per_rep("service_level", [0.0, 0.1, 0.0]), _per_rep("asa", [1.0, 2.0, 9.0])])
    b = pd.concat([_per_rep("service_level", [1.0, 0.95, 0.5]), _per_rep("asa", [1.5, 1.0, 1.0])])
    d = paired_difference(a, b).set_index("metric")
    sl = d.loc["service_level"]
    assert t_interval([1.0, 0.85, 0.5])[2] > 1
    assert -1 < sl.ci_low < sl["mean"] < sl.ci_high < 1
    # a difference of waits is unbounded: the plain interval, even across zero
    assert (d.loc["asa"].ci_low, d.loc["asa"].ci_high) == pytest.approx(
        t_interval([0.5, -1.0, -8.0])[1:]
    )


def test_intervals_far_from_the_bounds_are_the_plain_t_interval():
    rng = np.random.default_rng(3)
    for metric, values in (
        ("asa", rng.normal(30, 2, 10)),
        ("service_level", rng.normal(0.8, 0.02, 10)),
        ("bonus_malus", rng.normal(-5, 9, 4)),  # unbounded: never transformed
    ):
        assert _ci(summarise_replications(_per_rep(metric, values))) == t_interval(values)


def _coverage(draw, mu, bounds, n, seed):
    """Share of TRIALS intervals covering ``mu``, that of the plain ones, share transformed."""
    rng = np.random.default_rng(seed)
    covered = plain_covered = transformed = 0
    for _ in range(TRIALS):
        x = draw(rng, n)
        _, lo, hi = bounded_interval(x, bounds)
        _, plo, phi = t_interval(x)
        covered += lo <= mu <= hi
        plain_covered += plo <= mu <= phi
        transformed += (lo, hi) != (plo, phi)
    return covered / TRIALS, plain_covered / TRIALS, transformed / TRIALS


@pytest.mark.parametrize(
    ("draw", "mu", "bounds"),
    [
        (lambda rng, n: rng.exponential(2.0, n), 2.0, POSITIVE),  # waits: skewed, near 0
        (lambda rng, n: rng.beta(19, 1, n), 0.95, UNIT),  # a service level near 1
    ],
)
def test_the_transformed_interval_still_covers_near_95_percent(draw, mu, bounds):
    covered, plain, transformed = _coverage(draw, mu, bounds, n=3, seed=11)
    assert transformed > 0.5  # the case exercises the transform
    assert covered == pytest.approx(0.95, abs=0.02)
    # closer to 95 % than the plain interval, which under-covers skewed values (clipping
    # the plain interval to the bounds would not change its coverage)
    assert plain < 0.92 and covered > plain + 0.03


def test_the_plain_case_covers_near_95_percent_unchanged():
    covered, plain, transformed = _coverage(
        lambda rng, n: rng.normal(10.0, 1.0, n), 10.0, POSITIVE, n=5, seed=12
    )
    assert transformed == 0
    assert covered == plain == pytest.approx(0.95, abs=0.015)
