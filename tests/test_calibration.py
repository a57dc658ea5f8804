"""Calibration and backtest: a known scenario round trip, and the bank log shipped with ccsim.

Round trip: ten days of a known centre (an intraday profile with a gamma day
factor, lognormal handle times, exponential patience, a fractional staffing
profile) are simulated, exported as a contact log, loaded back and
calibrated; the true parameters must lie inside the estimates' intervals,
and the recovered scenario must give the original's KPIs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import load_config
from sim.config import (
    AgentGroupConfig,
    ArrivalConfig,
    Config,
    DistKind,
    DistributionConfig,
    QueueConfig,
)
from sim.data.backtest import simulate_days
from sim.data.calibrate import calibrate, write_scenario
from sim.data.export import SIM_LOG_MAPPING, export_log
from sim.data.logs import load_log
from sim.data.observed import bootstrap_days, cell_counts, pooled
from sim.data.staffing import effective_staffing
from sim.metrics.stats import t_interval
from sim.runner import run_experiment

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "data" / "anonymous_bank"
PROFILE = [0.0] * 14 + [0.6, 0.9] + [1.2] * 18 + [1.5] * 8 + [0.6] * 6
STAFFING = [0.0] * 14 + [4, 5] + [7] * 10 + [7.5] * 8 + [9] * 8 + [4] * 6
TRUTH = {"rate": 2.0, "mean": 3.0, "cv": 1.2, "patience": 4.0, "busyness": 0.2}


def truth(days: int = 10, reps: int = 1) -> Config:
    q = QueueConfig(
        arrival=ArrivalConfig(rate=TRUTH["rate"], profile=PROFILE, busyness_cv=TRUTH["busyness"]),
        service=DistributionConfig(kind=DistKind.lognormal, mean=TRUTH["mean"], cv=TRUTH["cv"]),
        patience=DistributionConfig(mean=TRUTH["patience"]),
        sl_threshold=1 / 3,
    )
    agents = AgentGroupConfig(count=0, staffing=STAFFING)
    return Config(
        name="truth",
        replications=reps,
        horizon=1440.0 * days,
        interval=30.0,
        queues={"calls": q},
        agents={"agents": agents},
        progress=False,
        plots=False,
    )


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("roundtrip")
    res = run_experiment(truth())
    log = load_log(export_log(res.contacts, tmp / "log.csv"), SIM_LOG_MAPPING)
    cal = calibrate(log, "recovered", scheme="all", day_type="all")
    (tmp / "scenario").mkdir()
    write_scenario(cal, tmp / "scenario" / "recovered.yaml")
    return cal, load_config("recovered", config_dir=tmp)


def test_the_arrival_profile_is_recovered_inside_its_intervals(round_trip):
    cal, _ = round_trip
    r = cal.rates.sort_values("t_start")
    true = TRUTH["rate"] * np.asarray(PROFILE)
    busy = true > 0
    inside = (r.ci_low.to_numpy() <= true) & (true <= r.ci_high.to_numpy())
    assert inside[busy].mean() >= 0.9  # 95 % intervals, 34 of them: a few may miss
    assert (r.rate.to_numpy()[~busy] == 0).all()
    d = cal.dispersion.iloc[0]
    assert d.ci_low <= TRUTH["busyness"] <= d.ci_high and d.ci_low > 0


def test_handle_times_and_patience_are_recovered(round_trip):
    cal, recovered = round_trip
    s = cal.chosen_service()
    assert s.family == "lognormal"
    assert s.mean_ci_low <= TRUTH["mean"] <= s.mean_ci_high
    assert s.cv_ci_low <= TRUTH["cv"] <= s.cv_ci_high
    low, high = cal.patience["exponential_ci"]
    assert low <= TRUTH["patience"] <= high
    q = recovered.queues["calls"]
    assert q.service.kind is DistKind.lognormal and q.patience.mean == pytest.approx(
        cal.patience["exponential_mean"]
    )


def test_the_staffing_is_recovered_from_the_log(round_trip):
    cal, recovered = round_trip
    t = cal.typical.sort_values("t_start").effective.to_numpy()
    true = np.asarray(STAFFING)
    drop = np.r_[False, true[1:] < true[:-1]]  # agents finishing calls after their hours
    whole = (true > 0) & (true % 1 == 0) & ~drop
    ratio = t[whole] / true[whole]
    assert abs(ratio.mean() - 1) < 0.02 and np.all(np.abs(ratio - 1) < 0.1)
    # a half-present agent steps away only once its call is over: it is there a bit more
    half = t[true % 1 == 0.5] / true[true % 1 == 0.5]
    assert np.all((half > 0.99) & (half < 1.06))
    assert recovered.agents["agents"].staffing == pytest.approx(list(np.nan_to_num(t)), abs=1e-3)


def test_the_recovered_scenario_gives_the_original_kpis(round_trip):
    _, recovered = round_trip
    original = truth(days=1, reps=20)
    recovered.replications = 20
    level = 1 - 0.01 / 3
    for metric in ("p_abandon", "asa", "service_level"):
        values = []
        for cfg in (original, recovered):
            r = run_experiment(cfg).replications
            values.append(r[(r.scope == "all") & (r.metric == metric)].value.to_numpy())
        (m1, _lo1, hi1), (m2, _lo2, hi2) = (t_interval(v, level) for v in values)
        half = np.hypot(hi1 - m1, hi2 - m2)
        assert abs(m1 - m2) <= half, (metric, m1, m2)


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    """``calibrate`` then ``backtest`` on the bank log, as a user runs them."""
    work = tmp_path_factory.mktemp("bank")
    (work / "scenario").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = []
    for args in (
        [
            "calibrate",
            str(BANK / "anonymous_bank_1999-02-01_07.tsv"),
            "--mapping",
            str(BANK / "mapping.yaml"),
            "--out",
            "scenario/bank_weekday.yaml",
        ],
        ["backtest", "bank_weekday"],
    ):
        p = subprocess.run(
            [sys.executable, "-m", "sim.data", *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert p.returncode == 0, p.stderr
        out.append(p.stdout)
    return work, out


def test_calibrate_and_backtest_write_their_files(bank):
    work, (calibrated, _backtested) = bank
    assert "scenario: scenario/bank_weekday.yaml" in calibrated
    for f in ("report.html", "staffing.csv", "calibration.json", "done.json"):
        assert (work / "results" / "calibration" / "bank_weekday" / f).is_file()
    for f in ("report.html", "backtest.png", "backtest.md", "overall.csv", "accuracy.csv"):
        assert (work / "results" / "backtest" / "bank_weekday" / f).is_file()
    text = (work / "scenario" / "bank_weekday.yaml").read_text()
    assert text.splitlines()[1].startswith("# Calibrated by ./dev calibrate")
    assert "busyness_cv:" in text and "staffing:" in text and "95 %" in text


def test_on_the_typical_weekday_the_backtest_lands_inside_the_logs_intervals(bank):
    work, _ = bank
    o = pd.read_csv(work / "results" / "backtest" / "bank_weekday" / "overall.csv")
    o = o[o.scope == "typical day"].set_index(["source", "metric"])
    for metric in ("p_abandon", "asa", "service_level"):
        log, sim = o.loc[("log", metric)], o.loc[("simulation", metric)]
        assert log.low <= sim.value <= log.high, metric


def test_staffed_with_the_agents_seen_the_model_would_miss_most_abandonment(bank):
    work, _ = bank
    info = json.loads(
        (work / "results" / "calibration" / "bank_weekday" / "calibration.json").read_text()
    )
    log = load_log(BANK / "anonymous_bank_1999-02-01_07.tsv", BANK / "mapping.yaml").contacts
    base = load_config("bank_weekday", config_dir=work)
    staffing = effective_staffing(log, info["interval"])
    observed = cell_counts(log, 30, 1 / 3, staffing).assign(scope="all")
    log_low = bootstrap_days(observed, ["scope"]).p_abandon_low.iloc[0]
    naive = simulate_days(base, log, staffing.assign(effective=staffing.agents_seen), 5)
    naive_p = pooled(naive.assign(scope="all"), ["scope"]).p_abandon.iloc[0]
    assert naive_p < log_low / 2  # the naive staffing understates abandonment severalfold
    ratio = (
        staffing[staffing.identified].effective.sum()
        / staffing[staffing.identified].agents_seen.sum()
    )
    assert ratio < 0.8  # far fewer agents available than seen


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["calibrate", "log.tsv", "--mapping", "m.yaml", "--out", "elsewhere/x.yaml"],
            "error: --out must be a .yaml file in a scenario/ folder (a scenario), "
            "got 'elsewhere/x.yaml'",
        ),
        (
            [
                "calibrate",
                "missing.tsv",
                "--mapping",
                str(BANK / "mapping.yaml"),
                "--out",
                "scenario/x.yaml",
            ],
            "error: missing.tsv: no such file",
        ),
        (
            ["backtest", "never_calibrated"],
            "error: no calibration 'never_calibrated': "
            "results/calibration/never_calibrated/calibration.json "
            "is missing (run ./dev calibrate first)",
        ),
        (
            ["backtest", "../up"],
            "error: name must be a plain name (letters, digits, '_', '-', '.'; "
            "no '..'; at most 120 characters), got '../up'",
        ),
    ],
)
def test_bad_calibration_inputs_are_one_line_and_write_nothing(args, message, tmp_path):
    p = subprocess.run(
        [sys.executable, "-m", "sim.data", *args],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert p.returncode == 2 and p.stderr.strip() == message
    assert list(tmp_path.iterdir()) == []


def test_calibrate_never_overwrites_a_scenario_file_it_did_not_write(bank, tmp_path):
    (tmp_path / "scenario").mkdir()
    mine = tmp_path / "scenario" / "mine.yaml"
    mine.write_text("# @package _global_\nname: mine\n")
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim.data",
            "calibrate",
            str(BANK / "anonymous_bank_1999-02-01_07.tsv"),
            "--mapping",
            str(BANK / "mapping.yaml"),
            "--out",
            "scenario/mine.yaml",
            "--overwrite",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert p.returncode == 2 and "was not written by calibrate" in p.stderr
    assert mine.read_text() == "# @package _global_\nname: mine\n"
