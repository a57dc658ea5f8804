"""Figures of a run, the agent-day Gantt, the journey of an issue, the optimizer's verdicts."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

import sim
from sim import load_config, run_experiment
from sim.report.gantt import agent_day, clip, minus, plot_agent_day, union, union_arrays
from sim.report.journey import plot_journey
from sim.report.plots import plot_scopes, queue_length, run_figures, service_level

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def experiment(name: str):
    """Import a script of experiments/ as a module."""
    if str(EXPERIMENTS) not in sys.path:
        sys.path.insert(0, str(EXPERIMENTS))
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def day() -> sim.Results:
    """The default scenario (voice, chat, e-mail, social; outcomes on), records kept."""
    cfg = load_config("default", ["replications=3", "keep_records=true", "progress=false"])
    return run_experiment(cfg)


@pytest.fixture(scope="module")
def shifts() -> sim.Results:
    """Two days of the shift-design line: shifts with breaks, absences, records kept."""
    over = ["replications=2", "horizon=2880", "warmup=0", "keep_records=true", "progress=false"]
    return run_experiment(load_config("shift_design", over))


def _labels(ax) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def _drawn(ax) -> list[str]:
    """Labels of every line and band drawn on ``ax`` (underscore: matplotlib's unlabelled)."""
    lines = [ln.get_label() for ln in ax.get_lines()]
    bands = [c.get_label() for c in ax.collections if isinstance(c, PolyCollection)]
    return lines + bands


def test_every_figure_has_title_axis_labels_and_a_legend_entry_per_line(day):
    figures = run_figures(day)
    assert {"queue_length.png", "service_level.png", "channel_intervals.png"} <= set(figures)
    assert "agent_day.png" in figures and "wait_distribution.png" in figures
    for name, fig in figures.items():
        title = fig._suptitle.get_text() if fig._suptitle else ""
        for ax in fig.axes:
            assert title or ax.get_title(), name
            assert ax.get_xlabel() and ax.get_ylabel(), name
            if name == "agent_day.png":
                continue  # bars, legend by state: test_gantt_legend_names_every_state
            drawn = _drawn(ax)
            assert drawn, name
            assert not [d for d in drawn if d.startswith("_")], (name, drawn)
            assert set(drawn) <= set(_labels(ax)), (name, drawn, _labels(ax))
        plt.close(fig)


def test_live_and_deferred_channels_are_on_separate_axes_with_mean_lines(day):
    fig = queue_length(day.intervals, plot_scopes(day.config), day.config.horizon)
    live, deferred = fig.axes
    assert "live" in live.get_title() and "deferred" in deferred.get_title()
    assert {"voice (mean)", "chat (mean)"} <= set(_labels(live))
    assert not [t for t in _labels(live) if t.startswith(("email", "social"))]
    assert {"email (mean)", "social (mean)"} <= set(_labels(deferred))
    line = next(ln for ln in live.get_lines() if ln.get_label() == "voice (mean)")
    iv = day.intervals[day.intervals.scope == "channel:voice"]
    mean = iv.groupby("t_start")["backlog"].mean().to_numpy()
    np.testing.assert_allclose(line.get_ydata(), mean)  # the mean over replications, not rep 0
    plt.close(fig)


def test_service_level_has_a_labelled_target_per_channel(day):
    fig = service_level(day.intervals, plot_scopes(day.config), day.config.horizon)
    labels = [t for ax in fig.axes for t in _labels(ax)]
    for text in (
        "voice target 80 % in 20 s",
        "chat target 80 % in 1 min",
        "email target 90 % in 24 h",
        "social target 90 % in 60 min",
    ):
        assert text in labels
    plt.close(fig)


def test_x_range_stops_at_the_horizon_unless_asked(day):
    h = day.config.horizon / 60
    assert day.contacts.t_end.max() / 60 > h + 24  # there is a drain tail to hide
    for name in ("queue_length.png", "service_level.png", "channel_intervals.png"):
        fig = run_figures(day)[name]
        for ax in fig.axes:
            assert ax.get_xlim() == pytest.approx((0, h)), name
            for line in ax.get_lines():
                assert np.max(line.get_xdata(), initial=0) <= h, name
        plt.close("all")
    full = queue_length(
        day.intervals, plot_scopes(day.config), day.config.horizon, True, day.levels
    )
    assert full.axes[-1].get_xlim()[1] > h + 24  # the drain tail, on request
    plt.close(full)


def test_write_results_writes_the_new_figures(day, tmp_path):
    written = sim.write_results(day, tmp_path / "run")
    names = {p.name for p in written}
    for name in ("channel_intervals.png", "agent_day.png", "queue_length.png"):
        assert (tmp_path / "run" / name).stat().st_size > 10_000, name
    assert "agent_states.parquet" in names
    back = pd.read_parquet(tmp_path / "run" / "agent_states.parquet")
    assert len(back) == len(day.agent_states)


# ---- agent-day Gantt -----------------------------------------------------------------------


def test_gantt_busy_time_per_agent_is_the_summed_handle_time(day):
    states = agent_day(day, replication=1, day=None)
    c = day.contacts[(day.contacts.replication == 1) & day.contacts.t_answer.notna()]
    handle = (c.t_end - c.t_answer).groupby(c.agent_id).sum()
    busy = states[states.state == "busy"].groupby("agent_id")["minutes"].sum()
    assert len(handle) == day.config.agents["voice_agents"].count + 10  # every agent served
    pd.testing.assert_series_equal(
        busy.sort_index(), handle.sort_index(), check_names=False, check_index_type=False
    )


def _minutes(spans) -> float:
    return sum(b - a for a, b in spans)


def test_gantt_splits_each_shift_into_idle_break_and_busy(shifts):
    rep = 0
    states = agent_day(shifts, replication=rep, day=0)
    raw = shifts.agent_states[shifts.agent_states.replication == rep]
    checked = 0
    for aid, mine in raw[raw.start < 1440].groupby("agent_id"):
        spans = {
            st: clip(union(zip(g.start, g.end, strict=True)), 0, 1440)
            for st, g in mine.groupby("state", observed=True)
        }
        if not spans.get("present"):
            continue
        shift = spans["shift"]
        one = states[states.agent_id == aid]
        busy_in = _minutes(
            clip(
                union(
                    zip(one[one.state == "busy"].start, one[one.state == "busy"].end, strict=True)
                ),
                shift[0][0],
                shift[-1][1],
            )
        )
        total = one.groupby("state")["minutes"].sum()
        assert total.get("idle", 0.0) <= _minutes(spans["present"]) + 1e-6
        assert total.get("idle", 0.0) + total.get("on break", 0.0) + busy_in == pytest.approx(
            _minutes(shift)
        )
        off = minus(shift, spans["present"])  # two 15-min breaks of an 8-h shift
        assert _minutes(off) == pytest.approx(30)
        busy = union(zip(one[one.state == "busy"].start, one[one.state == "busy"].end, strict=True))
        on_break = total.get("on break", 0.0)  # minus a call that ran into the break
        assert on_break == pytest.approx(_minutes(off) - _minutes(minus(off, minus(off, busy))))
        checked += 1
    assert checked > 20


def test_agent_states_presence_equals_the_staffed_time_of_the_kpis(shifts):
    cfg = shifts.config
    a = shifts.agent_states
    p = a[a.state == "present"]
    for rep in range(cfg.replications):
        q = p[p.replication == rep]
        inside = (q.end.clip(cfg.warmup, cfg.horizon) - q.start.clip(cfg.warmup, cfg.horizon)).sum()
        r = shifts.replications
        kpi = r[(r.replication == rep) & (r.scope == "all") & (r.metric == "mean_staffed")]
        assert inside / (cfg.horizon - cfg.warmup) == pytest.approx(kpi.value.iloc[0], rel=1e-9)
    absent = a[a.state == "absent"]
    assert len(absent) > 0 and (absent.end - absent.start).eq(480).all()


def test_gantt_legend_names_every_state(shifts):
    fig = plot_agent_day(agent_day(shifts, 0, 0))
    texts = " ".join(_labels(fig.axes[0]))
    for state in ("busy", "idle", "on break", "absent"):
        assert state in texts
    plt.close(fig)


def test_agent_states_only_with_records():
    cfg = load_config(
        "mmc", ["replications=1", "horizon=60", "warmup=0", "keep_records=false", "progress=false"]
    )
    res = run_experiment(cfg)
    assert res.agent_states is None
    with pytest.raises(ValueError, match="keep_records"):
        agent_day(res)
    with pytest.raises(ValueError, match="keep_records"):
        sim.journey(res, 0)


# ---- journey --------------------------------------------------------------------------------


def _issue_with(day: sim.Results, rep: int = 0) -> int:
    """An issue of replication ``rep`` with a repeat contact and a transfer."""
    c = day.contacts[day.contacts.replication == rep]
    g = c.groupby("issue_id").agg(contacts=("contact_id", "nunique"), legs=("leg", "max"))
    return int(g[(g.contacts >= 2) & (g.legs >= 1)].index[0])


def test_journey_legs_are_in_time_order_and_match_the_contacts(day):
    rep = 1
    issue = _issue_with(day, rep)
    legs = sim.journey(day, issue, replication=rep)
    assert list(legs.columns[:6]) == [
        "replication",
        "issue_id",
        "contact",
        "contact_id",
        "kind",
        "leg",
    ]
    assert legs.start.is_monotonic_increasing
    assert (legs.end.fillna(np.inf) >= legs.start).all()
    c = day.contacts[(day.contacts.replication == rep) & (day.contacts.issue_id == issue)]
    assert set(legs.contact_id) == set(c.contact_id)  # a repeat's legs belong to the issue
    assert {"first", "repeat", "transfer"} <= set(legs.kind)
    answered = c[c.t_answer.notna()]
    q = legs[(legs.leg == "queue") & (legs.outcome == "answered")]
    np.testing.assert_allclose(
        np.sort(q.wait.to_numpy()), np.sort((answered.t_answer - answered.t_queue).to_numpy())
    )
    agent = legs[legs.leg == "agent"]
    assert sorted(agent.agent_id) == sorted(answered.agent_id)
    case = day.cases[(day.cases.replication == rep) & (day.cases.case_id == issue)].iloc[0]
    assert legs.contact.max() == case.contacts
    assert (legs.kind == "transfer").groupby(legs.contact_id).any().sum() <= case.transfers
    assert legs[legs.leg == "queue"].wait.sum() == pytest.approx(case.wait)


def test_journey_of_a_self_served_call_is_one_ivr_leg(day):
    c = day.contacts[day.contacts.replication == 0]
    ids = c.groupby("issue_id").contact_id.nunique()
    solo = c[c.issue_id.isin(ids[ids == 1].index) & (c.outcome == "self_served")]
    one = solo[solo.channel == "voice"].iloc[0]
    legs = sim.journey(day, int(one.issue_id))
    assert legs[["leg", "outcome"]].values.tolist() == [["ivr", "self_served"]]
    assert legs.duration.iloc[0] == pytest.approx(one.t_end - one.t_arrival)


def test_journey_rejects_an_unknown_issue(day):
    with pytest.raises(ValueError, match="issue_id 99999999 is not in replication 0"):
        sim.journey(day, 99999999)


def test_journey_figure(day):
    legs = sim.journey(day, _issue_with(day))
    fig = plot_journey(legs)
    ax = fig.axes[0]
    assert "Journey of issue" in ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert {"queue", "agent"} <= set(_labels(ax))
    assert len(ax.get_yticklabels()) == legs.contact.max()
    plt.close(fig)


# ---- optimizer verdicts ---------------------------------------------------------------------


def test_optimizer_marks_an_interval_over_the_abandonment_cap_as_failing():
    from sim.study.optimize import Targets

    opt = experiment("staffing_optimizer")
    v = pd.DataFrame(
        {
            "t_start": [0.0, 30.0, 60.0, 90.0],
            "arrival_rate": [1.0, 1.0, 1.0, 0.0],
            "agents": [3, 3, 3, 0],
            "service_level": [0.90, 0.90, 0.70, np.nan],
            "sl_low": [0.85, 0.85, 0.50, np.nan],
            "sl_high": [0.95, 0.95, 0.90, np.nan],
            "p_abandon": [0.08, 0.03, 0.02, np.nan],  # 8 % against a 5 % cap
            "ab_low": [0.04, 0.01, 0.01, np.nan],  # ... whose CI still reaches 5 %
            "ab_high": [0.12, 0.05, 0.03, np.nan],
            "fails": [False, False, False, False],  # validate()'s CI-proven flag
        }
    )
    status = opt.interval_status(v, Targets(0.8, 1 / 3, 0.05))
    assert status.fails.tolist() == [True, False, True, False]
    assert status.misses_abandon.tolist() == [True, False, False, False]
    assert status.misses_sl.tolist() == [False, False, True, False]
    assert not status.fails_ci.any()
    assert opt.interval_status(status, Targets(0.8, 1 / 3, 0.05)) is status  # idempotent


# ---- shift design ---------------------------------------------------------------------------


def test_shift_designs_cover_the_same_requirement_at_least_cost():
    sd = experiment("shift_design")
    from sim.workforce.scheduling import cover

    base = load_config("shift_design")
    need = np.array([0] * 7 + [22, 25, 19, 20, 20, 18, 16, 18, 19, 19, 18, 15, 14, 13, 12, 10, 0])
    for length, breaks, days_on in sd.DESIGNS.values():
        cfg, m = sd.with_agents(base, length, breaks, days_on, need)
        at = sd.at_desk(cfg)
        assert (at >= need - 1e-9).all()  # every weekday, every hour
        assert m.sum() == sum(s.count for s in cfg.agents["care"].shifts)
        starts = np.arange(sd.OPEN, sd.CLOSE - length + 1, sd.START_STEP)
        greedy = cover(need, sd.SLOT, starts, length, breaks)
        greedy_employed = sum(7 * -(-n // days_on) for n in greedy.values())
        assert m.sum() <= greedy_employed
        # one agent fewer anywhere breaks the cover: the schedule is minimal
        for s, k in zip(*np.nonzero(m), strict=True):
            fewer = m.copy()
            fewer[s, k] -= 1
            shifts = sd.design_shifts(starts, fewer, length, breaks, days_on)
            group = cfg.agents["care"].__class__(
                **{**cfg.agents["care"].__dict__, "shifts": shifts}
            )
            short = cfg.__class__(**{**cfg.__dict__, "agents": {"care": group}})
            assert (sd.at_desk(short) < need - 1e-9).any()


def test_union_arrays_gives_the_spans_of_union() -> None:
    """The vectorised union (busy spells) equals the plain one, ties and touches included."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(0, 40))
        a = rng.integers(0, 50, n).astype(float)
        b = a + rng.integers(-2, 8, n)
        assert union_arrays(a, b) == union(zip(a.tolist(), b.tolist(), strict=True))
    assert union_arrays(np.array([0.0, 2.0, 5.0]), np.array([2.0, 3.0, 6.0])) == [(0, 3), (5, 6)]
