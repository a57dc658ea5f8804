"""The estimators of sim.data.estimate against data drawn from known distributions.

Each test draws a tidy contact log from a known model with a fixed seed, and checks
that the truth lies inside the returned interval, that the interval is narrow enough to
mean something, and (where cheap) that a wrong truth is rejected.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from sim.data import estimate as est

START = "2024-01-01"  # a Monday
INTERVAL = 30.0
STARTS = np.arange(0.0, 1440.0, INTERVAL)
HOURS = (STARTS + INTERVAL / 2) / 60
# per-minute arrival rate: closed at night (0-6 h), a bump peaking at 15 h
PROFILE = np.where(HOURS < 6, 0.0, 0.2 + 0.8 * np.sin(np.pi * (HOURS - 6) / 18))


def make_log(day, t_arrival, outcome, wait=None, handle=None, queue="all") -> pd.DataFrame:
    """A tidy contact log from arrivals, outcomes, waits and handle times (minutes)."""
    t_arrival = np.asarray(t_arrival, float)
    n = len(t_arrival)
    outcome = np.asarray(outcome, dtype=object)
    wait = np.full(n, np.nan) if wait is None else np.asarray(wait, float)
    handle = np.full(n, np.nan) if handle is None else np.asarray(handle, float)
    served, abandoned = outcome == "served", outcome == "abandoned"
    t_answer = np.where(served, t_arrival + wait, np.nan)
    t_end = np.where(served, t_answer + handle, np.where(abandoned, t_arrival + wait, np.nan))
    return pd.DataFrame(
        {
            "day": pd.to_datetime(np.asarray(day)).astype("datetime64[ns]"),
            "queue": queue,
            "priority": 0,
            "agent": np.where(served, "a1", None),
            "t_arrival": t_arrival,
            "t_answer": t_answer,
            "t_end": t_end,
            "outcome": outcome,
            "wait": np.where(served | abandoned, wait, np.nan),
            "handle": np.where(served, handle, np.nan),
        }
    )


def arrivals_log(rng, days=40, busyness_cv=0.0, profile=PROFILE) -> pd.DataFrame:
    """Days of a piecewise-constant Poisson process, each scaled by a gamma busyness."""
    dates = pd.date_range(START, periods=days, freq="D")
    day, times = [], []
    for date in dates:
        scale = rng.gamma(1 / busyness_cv**2, busyness_cv**2) if busyness_cv else 1.0
        counts = rng.poisson(profile * INTERVAL * scale)
        times.append(np.repeat(STARTS, counts) + rng.uniform(0, INTERVAL, counts.sum()))
        day.append(np.repeat(date, counts.sum()))
    t = np.concatenate(times)
    return make_log(np.concatenate(day), t, ["served"] * len(t), np.zeros(len(t)), np.ones(len(t)))


def daily_log(rng, days, mean, busyness_cv=0.0) -> pd.DataFrame:
    """Days whose totals are Poisson(mean x gamma busyness); arrivals spread over the day."""
    scale = rng.gamma(1 / busyness_cv**2, busyness_cv**2, days) if busyness_cv else np.ones(days)
    counts = rng.poisson(mean * scale)
    day = np.repeat(pd.date_range(START, periods=days, freq="D"), counts)
    t = rng.uniform(0, 1440, counts.sum())
    return make_log(day, t, ["served"] * len(t), np.zeros(len(t)), np.ones(len(t)))


def service_log(handle, queue="all") -> pd.DataFrame:
    n = len(handle)
    day = np.repeat(pd.Timestamp(START), n)
    t = np.linspace(0, 1400, n)
    return make_log(day, t, ["served"] * n, np.zeros(n), handle, queue=queue)


def patience_log(rng, n=5000, mean_patience=2.0, mean_offered=1.5, at_once=0.3, days=1):
    """Exponential patience against exponential offered waits (some answered at once)."""
    offered = rng.exponential(mean_offered, n) * (rng.uniform(size=n) > at_once)
    patience = rng.exponential(mean_patience, n)
    abandoned = patience < offered
    wait = np.where(abandoned, patience, offered)
    day = pd.date_range(START, periods=days, freq="D")[rng.integers(0, days, n)]
    outcome = np.where(abandoned, "abandoned", "served")
    return make_log(day, rng.uniform(0, 1440, n), outcome, wait, np.ones(n))


# ---------------------------------------------------------------- day types


def test_day_types_follow_each_scheme():
    days = pd.Series(pd.date_range(START, periods=7, freq="D"))  # Monday .. Sunday
    assert list(est.day_types(days)) == ["weekday"] * 5 + ["saturday", "sunday"]
    assert list(est.day_types(days, "day_of_week"))[::6] == ["monday", "sunday"]
    assert list(est.day_types(days, "israel")) == [
        *["weekday"] * 4,
        "friday",
        "saturday",
        "weekday",
    ]
    assert set(est.day_types(days, "all")) == {"all"}


def test_an_unknown_scheme_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match=r"'lunar'.*weekday_saturday_sunday.*israel"):
        est.day_types(pd.Series(pd.date_range(START, periods=2)), "lunar")


# ---------------------------------------------------------------- arrival rates


def covers(table: pd.DataFrame, truth) -> pd.Series:
    return table["ci_low"].le(truth) & table["ci_high"].ge(truth)


def bonferroni(intervals: int) -> float:
    return 1 - 0.05 / intervals


def test_poisson_arrival_rates_are_covered_and_narrow():
    log = arrivals_log(np.random.default_rng(1))
    rates = est.arrival_rates(log, INTERVAL, scheme="all", level=bonferroni(len(STARTS)))
    assert len(rates) == len(STARTS) and (rates["days"] == 40).all()
    assert covers(rates, PROFILE).all()
    open_ = PROFILE > 0
    width = (rates["ci_high"] - rates["ci_low"])[open_] / PROFILE[open_]
    assert width.max() < 0.5
    wrong = 1.3 * PROFILE[open_]  # a 30 % error is seen in (nearly) every interval
    outside = (wrong < rates["ci_low"][open_]) | (wrong > rates["ci_high"][open_])
    assert outside.mean() > 0.9


def test_closed_intervals_appear_with_a_zero_rate_and_a_poisson_bound():
    rates = est.arrival_rates(arrivals_log(np.random.default_rng(2), days=10), scheme="all")
    night = rates[rates["t_start"] < 360]
    assert len(night) == 12 and (night["mean_count"] == 0).all()
    assert (night["ci_low"] == 0).all() and (night["method"] == "poisson").all()
    # Garwood: the upper bound for 0 events is -ln(0.025) events over 10 days x 30 minutes
    assert night["ci_high"].iloc[0] == pytest.approx(-np.log(0.025) / 300, rel=1e-6)


def test_every_day_type_of_the_log_has_every_interval():
    rates = est.arrival_rates(arrivals_log(np.random.default_rng(3), days=14), 60.0)
    assert list(rates["day_type"].unique()) == ["weekday", "saturday", "sunday"]
    assert rates.groupby("day_type")["days"].first().to_dict() == {
        "saturday": 2,
        "sunday": 2,
        "weekday": 10,
    }
    assert rates.groupby("day_type").size().eq(24).all()


def test_overdispersed_days_take_the_t_interval_and_still_cover():
    log = arrivals_log(np.random.default_rng(4), busyness_cv=0.25)
    level = bonferroni(len(STARTS))
    rates = est.arrival_rates(log, INTERVAL, scheme="all", level=level)
    busy = PROFILE * INTERVAL > 15  # overdispersion is plain where counts are large
    assert (rates["method"][busy] == "t").all()
    assert covers(rates, PROFILE).all()
    # the (normal-approximation) Poisson interval on the same counts would be too narrow:
    # the variance is m + 0.0625 m^2 per day, 1.5 to 2.9 times Poisson's m here
    total = rates["mean_count"] * 40
    poisson_half = 3.28 * np.sqrt(total) / (40 * INTERVAL)
    ratio = ((rates["ci_high"] - rates["ci_low"]) / 2 / poisson_half)[busy]
    assert ratio.min() > 1.15 and ratio.median() > 1.4


# ---------------------------------------------------------------- overdispersion


def test_poisson_days_show_no_busyness():
    table = est.overdispersion(daily_log(np.random.default_rng(5), 60, 400.0), scheme="all")
    (row,) = table.itertuples()
    assert row.days == 60 and row.mean == pytest.approx(400, rel=0.02)
    assert row.ci_low == 0.0 and row.ci_high < 0.06
    assert row.dispersion == pytest.approx(1.0, abs=0.5)


def test_gamma_busyness_is_recovered():
    table = est.overdispersion(daily_log(np.random.default_rng(6), 60, 400.0, 0.3), scheme="all")
    (row,) = table.itertuples()
    assert row.ci_low < 0.3 < row.ci_high
    assert row.ci_low > 0.15 and row.ci_high - row.ci_low < 0.25
    assert not row.ci_low < 0.6 < row.ci_high
    assert row.note == ""


def test_one_day_gives_nan_and_a_note():
    log = daily_log(np.random.default_rng(7), 8, 100.0)  # Mon..Mon: one Saturday, one Sunday
    table = est.overdispersion(log).set_index("day_type")
    assert np.isnan(table.at["saturday", "busyness_cv"])
    assert "fewer than 2 days" in table.at["sunday", "note"]
    assert table.at["weekday", "days"] == 6 and "wide" in table.at["weekday", "note"]


def test_the_bootstrap_follows_the_given_generator():
    log = daily_log(np.random.default_rng(8), 30, 300.0, 0.2)
    first = est.overdispersion(log, "all", rng=np.random.default_rng(1))
    again = est.overdispersion(log, "all", rng=np.random.default_rng(1))
    other = est.overdispersion(log, "all", rng=np.random.default_rng(2))
    assert first.equals(again) and first.at[0, "ci_high"] != other.at[0, "ci_high"]


# ---------------------------------------------------------------- service times


def chosen(fit: pd.DataFrame) -> pd.Series:
    (index,) = fit.index[fit["chosen"]]
    return fit.loc[index]


def test_a_lognormal_sample_is_recognised_with_its_mean_and_cv():
    mean, cv = 3.0, 1.2
    sigma2 = np.log(1 + cv**2)
    x = np.random.default_rng(9).lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2), 3000)
    fit = est.service_fit(service_log(x))
    row = chosen(fit)
    assert row["family"] == "lognormal" and row["n"] == 3000
    assert row["mean_ci_low"] < mean < row["mean_ci_high"]
    assert row["cv_ci_low"] < cv < row["cv_ci_high"]
    assert row["mean_ci_high"] - row["mean_ci_low"] < 0.4
    assert row["cv_ci_high"] - row["cv_ci_low"] < 0.2
    assert not row["cv_ci_low"] < 1.0 < row["cv_ci_high"]  # an exponential cv is rejected
    assert row["sigma"] == pytest.approx(np.sqrt(sigma2), rel=0.05)
    assert set(fit["family"]) == {"lognormal", "gamma", "exponential", "empirical"}
    assert fit.loc[fit["family"] == "empirical", "loglik"].isna().all()


def test_a_gamma_sample_is_recognised():
    x = np.random.default_rng(10).gamma(2.0, 1.5, 3000)  # mean 3, cv 0.707
    row = chosen(est.service_fit(service_log(x)))
    assert row["family"] == "gamma"
    assert row["mean_ci_low"] < 3.0 < row["mean_ci_high"]
    assert row["cv_ci_low"] < 1 / np.sqrt(2) < row["cv_ci_high"]
    assert row["shape"] == pytest.approx(2.0, rel=0.1)


def test_an_exponential_sample_has_a_cv_of_one():
    x = np.random.default_rng(11).exponential(2.0, 3000)
    row = chosen(est.service_fit(service_log(x)))
    assert row["family"] in {"exponential", "gamma"}
    assert row["cv_ci_low"] <= 1.0 <= row["cv_ci_high"]
    assert row["mean_ci_low"] < 2.0 < row["mean_ci_high"]


def test_a_bimodal_sample_falls_back_to_the_empirical_distribution():
    rng = np.random.default_rng(12)
    x = np.where(rng.uniform(size=3000) < 0.5, rng.gamma(50, 0.02, 3000), rng.gamma(50, 0.2, 3000))
    fit = est.service_fit(service_log(x))
    row = chosen(fit)
    assert row["family"] == "empirical"
    assert row["mean_ci_low"] < 5.5 < row["mean_ci_high"]  # 0.5 x 1 + 0.5 x 10
    best = fit.loc[fit["aic"].idxmin()]
    assert best["ks"] > 1.36 / np.sqrt(3000)


def test_zero_and_missing_handles_are_dropped_and_counted_per_group():
    rng = np.random.default_rng(13)
    x = np.concatenate([rng.exponential(2.0, 200), [0.0, 0.0, np.nan]])
    log = pd.concat([service_log(x, "a"), service_log(rng.exponential(5.0, 200), "b")])
    fit = est.service_fit(log)
    assert list(fit["queue"].unique()) == ["a", "b"]
    assert fit.groupby("queue")["dropped_zero"].first().to_dict() == {"a": 3, "b": 0}
    assert (fit.groupby("queue")["n"].first() == 200).all()
    assert fit.groupby("queue")["chosen"].sum().eq(1).all()


# ---------------------------------------------------------------- service by interval


def test_an_afternoon_doubling_of_the_mean_is_recovered():
    rng = np.random.default_rng(14)
    n = 12000
    t_answer = rng.uniform(0, 1440, n)
    true_mean = np.where(t_answer >= 720, 8.0, 4.0)
    log = service_log(rng.exponential(true_mean))
    log["t_answer"] = t_answer
    table = est.service_by_interval(log, 60.0, level=bonferroni(24))
    truth = np.where(table["t_start"] >= 720, 8.0, 4.0)
    assert ((table["ci_low"] < truth) & (truth < table["ci_high"])).all()
    assert ((table["ci_low"] > 6.0) | (table["ci_high"] < 6.0)).all()  # a flat 6 is rejected
    afternoon = table["factor"][table["t_start"] >= 720].mean()
    morning = table["factor"][table["t_start"] < 720].mean()
    assert afternoon / morning == pytest.approx(2.0, rel=0.08)
    assert table["n"].sum() == n


def test_thin_intervals_have_no_bounds():
    log = service_log(np.array([1.0, 2.0, 3.0]))
    log["t_answer"] = [10.0, 20.0, 1450.0]  # past midnight: early in the day
    table = est.service_by_interval(log, 60.0)
    assert table.at[0, "n"] == 3 and np.isfinite(table.at[0, "ci_low"])
    assert table.loc[1:, "n"].eq(0).all() and table.loc[1:, "ci_low"].isna().all()


# ---------------------------------------------------------------- patience


def survival_at(km: pd.DataFrame, t: float) -> pd.Series:
    return km[km["t"] <= t].iloc[-1]


def test_exponential_patience_is_recovered_from_censored_waits():
    log = patience_log(np.random.default_rng(15))
    km, summary = est.patience(log)
    low, high = summary["exponential_ci"]
    assert low < 2.0 < high and high - low < 0.4
    assert not low < 3.0 < high  # a wrong truth is rejected
    for t in (1.0, 2.0):
        row = survival_at(km, t)
        assert row["ci_low"] < np.exp(-t / 2) < row["ci_high"]
        assert row["ci_high"] - row["ci_low"] < 0.12
    assert summary["km_median"] == pytest.approx(2 * np.log(2), abs=0.15)
    # abandoning: 70 % waited, and of those P(patience < offered) = (1/2) / (1/2 + 1/1.5)
    p = 0.7 * 0.5 / (0.5 + 1 / 1.5)
    assert summary["p_abandon"] == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / 5000))
    assert summary["waited"] < 5000 and summary["abandonments"] == km["events"].sum()


def test_ignoring_the_censoring_would_be_caught():
    log = patience_log(np.random.default_rng(16))
    naive = log.loc[log["outcome"] == "abandoned", "wait"].mean()
    _, summary = est.patience(log)
    low, high = summary["exponential_ci"]
    assert not low < naive < high


def test_answered_at_once_is_left_out_and_abandoned_at_once_is_an_event():
    log = make_log(
        np.repeat(pd.Timestamp(START), 4),
        [1.0, 2.0, 3.0, 4.0],
        ["served", "abandoned", "served", "blocked"],
        wait=[0.0, 0.0, 2.0, np.nan],
        handle=[1.0, np.nan, 1.0, np.nan],
    )
    km, summary = est.patience(log)
    assert summary["waited"] == 2 and summary["abandonments"] == 1
    assert km["t"].tolist() == [0.0] and km["survival"].tolist() == [0.5]
    assert summary["p_abandon"] == pytest.approx(1 / 3)
    assert summary["exponential_mean"] == pytest.approx(2.0)


def test_greenwood_matches_a_hand_computed_case():
    # waits 1 (event), 2 (censored), 3 (event), 4 (event): S = 3/4, then 3/4 x 1/2, then 0
    log = make_log(
        np.repeat(pd.Timestamp(START), 4),
        [0.0, 0.0, 0.0, 0.0],
        ["abandoned", "served", "abandoned", "abandoned"],
        wait=[1.0, 2.0, 3.0, 4.0],
        handle=[np.nan, 1.0, np.nan, np.nan],
    )
    km, _ = est.patience(log)
    assert km["survival"].tolist() == pytest.approx([0.75, 0.375, 0.0])
    assert km["at_risk"].tolist() == [4, 2, 1]
    # log(-log) band at the first step: se = sqrt(1 / (4 x 3)) / |log 0.75|
    se = np.sqrt(1 / 12) / abs(np.log(0.75))
    assert km.at[0, "ci_low"] == pytest.approx(0.75 ** np.exp(1.959964 * se), rel=1e-5)
    assert km.at[2, "ci_low"] == 0.0 and km.at[2, "ci_high"] == 0.0


# ---------------------------------------------------------------- abandonment vs wait


def test_abandonment_is_linear_in_the_mean_wait_with_slope_one_over_patience():
    rng = np.random.default_rng(17)
    days, per_cell, mean_patience = 30, 80, 2.0
    cells = days * 24
    offered_mean = np.repeat(rng.uniform(0.1, 0.8, cells), per_cell)  # small waits
    patience = rng.exponential(mean_patience, cells * per_cell)
    offered = rng.exponential(offered_mean)
    abandoned = patience < offered
    day = np.repeat(pd.date_range(START, periods=days, freq="D"), 24 * per_cell)
    t = np.tile(np.repeat(np.arange(24) * 60.0, per_cell), days) + 30.0
    log = make_log(
        day,
        t,
        np.where(abandoned, "abandoned", "served"),
        np.where(abandoned, patience, offered),
        np.ones(len(t)),
    )
    table, fit = est.abandonment_vs_wait(log, 60.0, mean_patience=mean_patience)
    assert fit["cells"] == cells and (table["contacts"] == per_cell).all()
    assert fit["slope_if_exponential"] == 0.5
    # Tolerance from the data size: a cell's fraction has a binomial sd of about
    # sqrt(p (1 - p) / per_cell); over `cells` cells with spread sd(x) in mean wait, the
    # slope's sd is that over sqrt(cells) sd(x). Four of those.
    p = table["p_abandon"].mean()
    sd_slope = np.sqrt(p * (1 - p) / per_cell) / (np.sqrt(cells) * table["mean_wait"].std())
    assert 4 * sd_slope < 0.06  # the check means something: 1/2.5 or 1/1.5 would fail
    # A cell's mean wait is noisy too, which flattens the slope by the reliability
    # 1 - (sampling variance of a cell's mean wait) / (variance of the cells' mean waits):
    # about 0.9 at 80 contacts a cell. Computed here from the waits themselves.
    waits = log.groupby(["day", "t_arrival"])["wait"]
    reliability = 1 - (waits.var() / per_cell).mean() / waits.mean().var()
    assert fit["reliability"] == pytest.approx(reliability, rel=1e-9)
    assert 0.85 < reliability < 0.95
    assert fit["slope"] == pytest.approx(0.5 * reliability, abs=4 * sd_slope)
    assert fit["slope"] / reliability == pytest.approx(0.5, abs=4 * sd_slope / reliability)
    assert fit["intercept"] == pytest.approx(0.0, abs=0.03)
    assert fit["r2"] > 0.5


def test_small_cells_are_left_out_and_by_interval_pools_the_days():
    log = patience_log(np.random.default_rng(18), n=600, days=3)
    by_day, _ = est.abandonment_vs_wait(log, 60.0)
    pooled, fit = est.abandonment_vs_wait(log, 60.0, by_day=False)
    assert (by_day["contacts"] >= 5).all() and (pooled["contacts"] >= 5).all()
    assert pooled["day"].isna().all() and len(pooled) == 24
    assert pooled["contacts"].sum() == 600 and fit["slope_if_exponential"] is None


# ---------------------------------------------------------------- figures


def check_figure(fig):
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_legend() is not None and ax.get_legend().get_texts()
    plt.close(fig)


def test_every_figure_builds_with_a_title_and_a_legend():
    rng = np.random.default_rng(19)
    check_figure(est.arrival_figure(est.arrival_rates(arrivals_log(rng, days=14))))
    sample = rng.lognormal(0.5, 0.8, 500)
    check_figure(est.service_figure(service_log(sample), est.service_fit(service_log(sample))))
    log = patience_log(rng, n=2000, days=5)
    check_figure(est.patience_figure(*est.patience(log)))
    check_figure(est.abandonment_figure(*est.abandonment_vs_wait(log, mean_patience=2.0)))


# ---------------------------------------------------------------- bad input

ESTIMATORS = {
    "arrival_rates": (est.arrival_rates, "t_arrival"),
    "overdispersion": (est.overdispersion, "day"),
    "service_fit": (est.service_fit, "handle"),
    "service_by_interval": (est.service_by_interval, "t_answer"),
    "patience": (est.patience, "wait"),
    "abandonment_vs_wait": (est.abandonment_vs_wait, "outcome"),
}


@pytest.mark.parametrize("name", ESTIMATORS)
def test_a_missing_column_is_named(name):
    function, column = ESTIMATORS[name]
    log = patience_log(np.random.default_rng(20), n=50).drop(columns=column)
    with pytest.raises(ValueError, match=f"no column '{column}'"):
        function(log)


@pytest.mark.parametrize("name", ESTIMATORS)
def test_an_empty_log_is_refused(name):
    function, _ = ESTIMATORS[name]
    log = patience_log(np.random.default_rng(21), n=50).iloc[:0]
    with pytest.raises(ValueError, match="empty"):
        function(log)


def test_other_bad_arguments_are_refused():
    log = patience_log(np.random.default_rng(22), n=50)
    with pytest.raises(ValueError, match="interval"):
        est.arrival_rates(log, interval=0)
    with pytest.raises(ValueError, match="level"):
        est.patience(log, level=95)
    with pytest.raises(ValueError, match="'weibull'"):
        est.service_fit(log, families=("weibull",))
    with pytest.raises(ValueError, match="no served contact"):
        est.service_fit(log[log["outcome"] != "served"])
