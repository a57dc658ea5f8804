import numpy as np
import pytest
from scipy import stats

from sim.config import ArrivalConfig
from sim.demand.arrivals import arrival_times, invert, rate_table


def test_rate_table_repeats_profile_cyclically():
    t = rate_table(ArrivalConfig(rate=2.0, profile=[1.0, 0.0, 3.0], profile_interval=10), 75)
    assert t.interval == 10
    assert list(t.rates) == [2.0, 0.0, 6.0, 2.0, 0.0, 6.0, 2.0, 0.0]
    assert t.expected(0, 30) == pytest.approx(80.0)
    assert t.expected(5, 25) == pytest.approx(2 * 5 + 6 * 5)


def test_inversion_is_exact_for_constant_rate():
    t = rate_table(ArrivalConfig(rate=4.0), 100)
    e = np.array([0.5, 10.0, 399.0])
    assert np.allclose(invert(t, e), e / 4.0)


def test_inversion_skips_zero_rate_intervals():
    t = rate_table(ArrivalConfig(rate=1.0, profile=[1.0, 0.0, 1.0], profile_interval=10), 30)
    # epochs just past the first interval's mass land in the third interval
    assert invert(t, np.array([10.5]))[0] == pytest.approx(20.5)
    assert np.isinf(invert(t, np.array([25.0]))[0])


def _counts(cfg, horizon, reps, width):
    table = rate_table(cfg, horizon)
    edges = np.arange(0, horizon + width, width)
    counts = []
    for r in range(reps):
        times = np.fromiter(arrival_times(table, np.random.default_rng(r), horizon), float)
        assert np.all(np.diff(times) >= 0) and times.max() < horizon
        counts.append(np.histogram(times, edges)[0])
    return np.array(counts), table


def test_nhpp_counts_match_profile_and_are_poisson():
    cfg = ArrivalConfig(rate=3.0, profile=[0.5, 2.0, 0.0, 1.0], profile_interval=15)
    counts, table = _counts(cfg, 60, 4000, 15)
    expected = np.array([table.expected(a, a + 15) for a in (0, 15, 30, 45)])
    mean = counts.mean(0)
    se = np.sqrt(np.maximum(expected, 1e-12) / len(counts))
    z = stats.norm.ppf(1 - 0.001 / 2)
    assert np.all(np.abs(mean - expected) <= z * se + 1e-12)
    assert counts[:, 2].max() == 0  # zero-rate interval gets nothing
    # Poisson: variance equals mean (dispersion index within its sampling error)
    for k in (0, 1, 3):
        assert counts[:, k].var(ddof=1) / expected[k] == pytest.approx(1.0, abs=0.1)


def test_arrival_times_same_epochs_scale_with_rate():
    """Common random numbers: doubling the rate halves every arrival time."""
    a = list(arrival_times(rate_table(ArrivalConfig(rate=1.0), 100), np.random.default_rng(1), 100))
    b = list(arrival_times(rate_table(ArrivalConfig(rate=2.0), 100), np.random.default_rng(1), 100))
    assert np.allclose(np.array(b[: len(a) // 2]), np.array(a[: len(a) // 2]) / 2)


def test_zero_rate_gives_no_arrivals():
    assert (
        list(arrival_times(rate_table(ArrivalConfig(rate=0.0), 50), np.random.default_rng(1), 50))
        == []
    )
