import itertools
import math

import numpy as np
import pytest
from scipy import stats

from sim.config import DistKind, DistributionConfig
from sim.core.distributions import Deterministic, Trace, from_config, sampler

CASES = [
    DistributionConfig(kind=DistKind.exponential, mean=2.0),
    DistributionConfig(kind=DistKind.lognormal, mean=6.0, cv=0.8),
    DistributionConfig(kind=DistKind.gamma, mean=3.0, cv=0.5),
    DistributionConfig(kind=DistKind.gamma, mean=3.0, cv=2.0),
    DistributionConfig(kind=DistKind.empirical, values=[1.0, 2.0, 5.0], weights=[0.5, 0.3, 0.2]),
]


@pytest.mark.parametrize("cfg", CASES, ids=lambda c: c.kind.name)
def test_sample_mean_and_variance_match(cfg):
    dist = from_config(cfg)
    x = dist.sample(np.random.default_rng(11), 400_000)
    se = math.sqrt(dist.variance / len(x))
    z = stats.norm.ppf(1 - 0.001 / 2)  # 99.9 % (10 checks in this file share a 1 % budget)
    assert abs(x.mean() - dist.mean) < z * se
    # sample variance: compare with a generous bound from the 4th moment proxy
    assert x.var() == pytest.approx(dist.variance, rel=0.05)


def test_lognormal_cv_parameterisation():
    d = from_config(DistributionConfig(kind=DistKind.lognormal, mean=6.0, cv=0.8))
    sigma2 = math.log1p(0.8**2)
    x = np.log(d.sample(np.random.default_rng(3), 200_000))
    assert x.mean() == pytest.approx(math.log(6.0) - sigma2 / 2, abs=0.01)
    assert x.std() == pytest.approx(math.sqrt(sigma2), rel=0.01)


@pytest.mark.parametrize("cfg", CASES, ids=lambda c: c.kind.name)
def test_sampler_is_block_size_independent(cfg):
    dist = from_config(cfg)
    a = list(itertools.islice(sampler(dist, np.random.default_rng(5), block=7), 50))
    b = list(itertools.islice(sampler(dist, np.random.default_rng(5), block=4096), 50))
    assert a == b


def test_deterministic_and_never():
    d = from_config(DistributionConfig(kind=DistKind.deterministic, mean=2.5))
    assert list(itertools.islice(sampler(d, np.random.default_rng(0)), 3)) == [2.5] * 3
    never = from_config(DistributionConfig(mean=None))
    assert isinstance(never, Deterministic) and never.mean == math.inf


def test_trace_replays_values_in_order_cyclically():
    d = from_config(DistributionConfig(kind=DistKind.trace, values=[3.0, 1.0, 2.0]))
    assert isinstance(d, Trace)
    assert list(itertools.islice(sampler(d, np.random.default_rng(0)), 5)) == [
        3.0,
        1.0,
        2.0,
        3.0,
        1.0,
    ]
    assert d.mean == pytest.approx(2.0)
