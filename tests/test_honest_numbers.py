"""Live and deferred KPIs apart, service-level thresholds beside every service level,
and a short ``repr`` of Results."""

import math

import numpy as np
import pandas as pd
import pytest

from sim import load_config, run_experiment
from sim.config.study import DEFAULT_KPIS
from sim.core.entities import ABANDONED, SERVED
from sim.metrics.aggregates import Strata, Window, with_modes
from sim.metrics.kpis import replication_kpis
from sim.metrics.records import to_columns
from sim.metrics.reduce import reduce_chunk
from sim.metrics.stats import paired_difference
from sim.metrics.thresholds import sl_threshold, sl_threshold_text, sl_thresholds
from sim.report.text import text
from tests.conftest import mmc_config

NAN = float("nan")
LIVE, DEFERRED = ("voice", "chat"), ("email", "social")


@pytest.fixture(scope="module")
def default():
    cfg = load_config("default", ["replications=2", "plots=false", "progress=false"])
    return run_experiment(cfg, progress=False)


@pytest.fixture(scope="module")
def mmc():
    return run_experiment(mmc_config(4.0, 1.0, 5, horizon=300.0, warmup=20.0, replications=3))


def _values(results, scope, metric):
    r = results.replications
    return r[(r.scope == scope) & (r.metric == metric)].set_index("replication")["value"]


def test_live_and_deferred_split_all(default):
    for metric in ("offered", "queued", "served", "abandoned", "handle_minutes"):
        live, deferred = _values(default, "live", metric), _values(default, "deferred", metric)
        assert (live + deferred).to_numpy() == pytest.approx(_values(default, "all", metric))
        by_channel = sum(_values(default, f"channel:{c}", metric) for c in LIVE)
        assert live.to_numpy() == pytest.approx(by_channel.to_numpy())
    # the mean queue of all is the live queue plus the deferred backlog
    q = {s: _values(default, s, "mean_queue").to_numpy() for s in ("all", "live", "deferred")}
    assert q["live"] + q["deferred"] == pytest.approx(q["all"])


def test_live_waits_are_those_of_the_live_channels_records(default):
    """The roll-up against the raw records: ASA and abandonment of voice and chat legs."""
    c = default.contacts
    cfg = default.config
    # the counting protocol (sim.metrics.reduce.arrival_slots): arrivals from the warm-up to
    # the horizon; repeat contacts arriving while the run drains are not counted
    counted = (c.t_arrival >= cfg.warmup) & (c.t_arrival < cfg.horizon)
    legs = c[c.channel.isin(LIVE) & counted & c.t_queue.notna() & ~c.callback]
    answered = legs[legs.t_answer.notna()]
    asa = (answered.t_answer - answered.t_queue).groupby(answered.replication).mean()
    assert _values(default, "live", "asa").to_numpy() == pytest.approx(asa.to_numpy())
    abandoned = (legs.outcome == "abandoned").groupby(legs.replication).sum()
    assert _values(default, "live", "abandoned").to_numpy() == pytest.approx(abandoned.to_numpy())
    # e-mail waits (hours) are what lifts the ASA of all
    assert (_values(default, "all", "asa") > 10 * _values(default, "live", "asa")).all()


def test_a_better_ivr_lowers_the_live_asa_while_the_mixed_one_rises():
    """The issue's case: with fewer calls, voice waits less; all's ASA weighs e-mail more."""
    over = ["replications=10", "keep_records=false", "plots=false"]
    base = run_experiment(load_config("default", over), progress=False)
    better = run_experiment(
        load_config("default", [*over, "channels.voice.ivr.self_service.success.default=0.6"]),
        progress=False,
    )
    d = paired_difference(base.replications, better.replications).set_index(["scope", "metric"])
    assert d.loc[("live", "asa")].ci_high < 0
    assert d.loc[("live", "service_level")].ci_low > 0
    assert d.loc[("all", "asa")]["mean"] > 0  # the mix moves the wrong way


def test_textbook_runs_have_live_equal_to_all_and_no_deferred(mmc):
    k = mmc.kpis.set_index(["scope", "metric"])
    assert not (mmc.kpis.scope == "deferred").any()
    live = k.loc["live"].drop(index="sl_threshold")
    every = k.loc["all"].loc[live.index]
    pd.testing.assert_frame_equal(
        live[["mean", "ci_low", "ci_high"]], every[["mean", "ci_low", "ci_high"]]
    )
    assert k.loc[("live", "sl_threshold"), "mean"] == pytest.approx(20 / 60)


def test_default_study_kpis_exist_in_textbook_and_omnichannel_runs(default, mmc):
    for results in (default, mmc):
        have = set(zip(results.kpis.scope, results.kpis.metric, strict=True))
        for entry in DEFAULT_KPIS:
            assert tuple(entry.split("/")) in have, entry
    waiting = {"service_level", "p_abandon", "asa", "mean_wait", "wait_p90", "p_wait"}
    assert all(k.startswith("live/") for k in DEFAULT_KPIS if k.split("/")[1] in waiting)


def _strata_with_modes():
    """Kind 0: a queue's own arrivals; kind 1: a live channel; kind 2: a deferred one."""
    names = {
        "all": ["all"],
        "queue": ["calls", "voice", "email"],
        "channel": ["voice", "email"],
        "segment": ["s"],
        "reason": ["r"],
        "group": ["agents"],
        "vendor": ["inhouse"],
        "mode": ["live", "deferred"],
    }
    codes = {
        "channel": np.array([-1, 0, 1]),
        "segment": np.array([-1, 0, 0]),
        "reason": np.array([-1, 0, 0]),
    }
    return Strata(
        names,
        codes,
        np.array([0.5, 0.5, 100.0]),
        np.array([0]),
        mode_of_channel=np.array([0, 1]),
        textbook_mode=0,
        queue_mode=np.array([0, 0, 1]),
        scope_threshold={"live": 0.5, "deferred": 100.0},
    )


def test_modes_roll_up_channels_and_the_queues_own_arrivals():
    # id, issue, queue, kind, t_arrival, t_queue, t_answer, t_end, outcome, agent, info
    rows = [
        (0, 0, 0, 0, 1.0, 1.0, 1.2, 3.0, SERVED, 0, 0),  # textbook, wait 0.2
        (1, 1, 1, 1, 2.0, 2.0, 3.0, 4.0, SERVED, 0, 0),  # voice, wait 1.0
        (2, 2, 1, 1, 2.5, 2.5, NAN, 2.9, ABANDONED, -1, 0),  # voice, gave up after 0.4
        (3, 3, 2, 2, 3.0, 3.0, 63.0, 64.0, SERVED, 0, 0),  # e-mail, wait 60
    ]
    win = Window(horizon=100, warmup=0, interval=50, n_groups=1)
    strata = _strata_with_modes()
    part = reduce_chunk(to_columns(rows, np.array([0])), win, strata, end=100)
    rolled = with_modes(part, strata)
    assert rolled.counts["mode"].shape == (2, *part.counts["all"].shape[1:])
    staffed = np.array([[50.0, 50.0, 100.0]])
    k = replication_kpis(part, win, strata, staffed, np.zeros_like(staffed))
    v = {(r.scope, r.metric): r.value for r in k.itertuples()}
    assert v["live", "offered"] == 3 and v["deferred", "offered"] == 1
    assert v["live", "asa"] == pytest.approx((0.2 + 1.0) / 2)
    assert v["deferred", "asa"] == pytest.approx(60.0)
    assert v["all", "asa"] == pytest.approx((0.2 + 1.0 + 60.0) / 3)
    assert v["live", "p_abandon"] == pytest.approx(1 / 3)
    assert v["live", "service_level"] == pytest.approx(1 / 3)  # only the textbook one in 0.5
    assert v["live", "wait_p90"] < 1.1 < v["deferred", "wait_p50"]
    assert v["live", "sl_threshold"] == 0.5 and v["deferred", "sl_threshold"] == 100.0
    assert v["live", "mean_queue"] == pytest.approx((0.2 + 1.0 + 0.4) / 100)


def test_thresholds_of_each_scope():
    cfg = load_config("default")
    voice, chat = cfg.channels["voice"].sl_threshold, cfg.channels["chat"].sl_threshold
    assert sl_thresholds(cfg, "channel:voice") == {"voice": voice}
    assert sl_thresholds(cfg, "live") == {"voice": voice, "chat": chat}
    assert set(sl_thresholds(cfg, "deferred")) == set(DEFERRED)
    assert set(sl_thresholds(cfg, "all")) == {*LIVE, *DEFERRED}
    assert sl_thresholds(cfg, "queue:voice_consumer") == {"voice": voice}
    assert sl_thresholds(cfg, "group:voice_agents") == {"voice": voice}
    assert sl_thresholds(cfg, "cost") == {} and sl_threshold_text(cfg, "cost") == ""
    assert sl_threshold(cfg, "channel:chat") == chat and math.isnan(sl_threshold(cfg, "live"))
    assert sl_threshold_text(cfg, "channel:voice") == "20 s"
    assert sl_threshold_text(cfg, "live") == "voice 20 s, chat 1 min"
    assert sl_threshold_text(cfg, "channel:email") == "1 day"
    assert sl_threshold_text(cfg, "channel:social") == "1 h"
    textbook = mmc_config(1.0, 1.0, 2)
    assert sl_thresholds(textbook, "all") == {"queue:calls": 20 / 60}


def test_the_threshold_row_follows_the_config(default):
    k = default.kpis.set_index(["scope", "metric"])["mean"]
    assert k[("channel:voice", "sl_threshold")] == pytest.approx(20 / 60)
    assert k[("channel:email", "sl_threshold")] == 1440
    assert math.isnan(k[("live", "sl_threshold")])  # voice 20 s and chat 60 s
    over = ["replications=1", "keep_records=false", "plots=false", "channels.voice.sl_threshold=1"]
    other = run_experiment(load_config("default", over), progress=False)
    k1 = other.kpis.set_index(["scope", "metric"])["mean"]
    assert k1[("channel:voice", "sl_threshold")] == 1
    assert k1[("channel:voice", "service_level")] > k[("channel:voice", "service_level")]


def test_the_terminal_report_splits_modes_and_shows_thresholds(default, mmc):
    out = text(default)
    live = out.split("Live channels (voice, chat):")[1].split("Deferred channels")[0]
    deferred = out.split("Deferred channels (email, social):")[1].split("\n\n")[0]
    head = out.split("All channels:")[1].split("Live channels")[0]
    assert "asa" not in head and "service_level" not in head and "offered" in head
    assert "service_level within voice 20 s, chat 1 min" in live
    asa = default.kpis.set_index(["scope", "metric"]).loc[("live", "asa"), "mean"]
    assert f"{60 * asa:.1f} s" in live
    assert "service_level within email 1 day, social 1 h" in deferred and " min" in deferred
    by_channel = out.split("By channel (means):")[1].split("\n\n")[0]
    assert "sl_within" in by_channel and "1 day" in by_channel
    # textbook: one table over all, as before, the threshold beside the service level
    plain = text(mmc)
    assert "Live channels" not in plain and "service_level within 20 s" in plain


def test_results_repr_is_short_and_names_the_tables(default):
    assert len(default.contacts) > 10_000  # records kept: the frames are big
    shown = repr(default)
    assert len(shown) < 1500 and len(shown.splitlines()) < 25
    for name in ("kpis", "replications", "intervals", "waits", "contacts", "levels", "cases"):
        assert f"  {name}: " in shown
    assert f"{len(default.contacts):,} rows" in shown
    assert "t_arrival" not in shown  # no frame printed
    assert "live service_level = " in shown and "deferred asa = " in shown
    assert str(default) == shown
