"""Self-service, IVR, routing, hours and backlogs."""

import numpy as np
from scipy import stats

from sim import analytic
from sim.config import (
    AgentGroupConfig,
    BacklogConfig,
    IvrConfig,
    QueueConfig,
    RouteConfig,
)
from sim.runner import run_experiment
from tests.journey_helpers import demand_config, dist, self_service

Z = stats.norm.ppf(1 - 0.001 / 2)


def within(successes, trials, p):
    """|successes - n p| within Z binomial standard errors."""
    return abs(successes - trials * p) <= Z * np.sqrt(trials * p * (1 - p)) + 1e-9


def first_legs(res, channel):
    c = res.contacts
    return c[(c.leg == 0) & (c.channel == channel)]


def test_self_service_rates_converge_to_their_probabilities():
    cfg = demand_config(replications=4, keep_records=True)
    cfg.channels["chat"].self_service = self_service(
        {"billing": 0.3, "technical": 0.6},
        share=0.8,
        on_failure={"agent": 0.5, "switch": 0.3, "give_up": 0.2},
        switch_to={"email": 1.0},
    )
    res = run_experiment(cfg)
    chat = first_legs(res, "chat")
    tried = chat.outcome.isin(["self_served", "switched", "gave_up"]) | (
        chat.outcome.isin(["served", "abandoned"]) & chat.attempt.ge(0)
    )
    for reason, p in (("billing", 0.3), ("technical", 0.6)):
        r = chat[chat.reason == reason]
        assert within((r.outcome == "self_served").sum(), len(r), 0.8 * p)
        failed = r[r.outcome.isin(["switched", "gave_up"])]
        assert within(len(failed), len(r), 0.8 * (1 - p) * 0.5)
        assert within((failed.outcome == "switched").sum(), len(failed), 0.6)
    assert tried.any()


def test_switchers_come_back_on_their_new_channel_as_the_same_issue():
    cfg = demand_config(replications=2, keep_records=True)
    cfg.channels["chat"].self_service = self_service(
        {"default": 0.0},
        on_failure={"agent": 0.0, "switch": 1.0, "give_up": 0.0},
        switch_to={"email": 1.0},
        retry_delay=dist(30.0),
    )
    c = run_experiment(cfg).contacts
    switched = c[(c.channel == "chat") & (c.outcome == "switched")]
    follow = c[(c.attempt == 1) & (c.channel == "email")]
    merged = switched.merge(follow, on=["replication", "issue_id"], suffixes=("", "_new"))
    assert (
        len(merged) == len(follow) and len(merged) >= len(switched) - 5
    )  # a few retry after the end
    assert (merged.t_arrival_new >= merged.t_end).all()
    assert (merged.frustration_new == merged.frustration).all() and (merged.frustration >= 1).all()
    assert (c[c.channel == "chat"].outcome == "switched").all()


def test_ivr_containment_and_misrouting_transfer_exactly_once():
    cfg = demand_config(replications=3, keep_records=True)
    cfg.queues = {
        "voice": QueueConfig(),
        "voice_tech": QueueConfig(),
        "chat": QueueConfig(),
        "email": QueueConfig(priority=1),
    }
    cfg.routes = [
        RouteConfig(queue="voice_tech", channels=["voice"], reasons=["technical"]),
        RouteConfig(queue="voice", channels=["voice"]),
        RouteConfig(queue="chat", channels=["chat"]),
        RouteConfig(queue="email", channels=["email"]),
    ]
    cfg.agents = {
        "voice": AgentGroupConfig(count=60, skills=["voice", "voice_tech"]),
        "digital": AgentGroupConfig(count=20, skills=["chat", "email"]),
    }
    cfg.channels["voice"].ivr = IvrConfig(
        misroute=0.1,
        self_service=self_service({"billing": 0.4, "technical": 0.1}),
    )
    res = run_experiment(cfg)
    c = res.contacts
    voice = c[(c.channel == "voice") & (c.leg == 0)]
    for reason, p in (("billing", 0.4), ("technical", 0.1)):
        r = voice[voice.reason == reason]
        assert within((r.outcome == "self_served").sum(), len(r), p)
    queued = voice[voice.outcome != "self_served"]
    assert within((queued.outcome == "transferred").sum(), len(queued), 0.1)
    legs = c[c.channel == "voice"].groupby(["replication", "contact_id"]).leg.agg(["count", "max"])
    assert legs["max"].max() == 1 and (legs["count"] == legs["max"] + 1).all()
    second = c[(c.leg == 1)].merge(
        c[c.outcome == "transferred"], on=["replication", "contact_id"], suffixes=("", "_0")
    )
    assert len(second) == (c.outcome == "transferred").sum()
    assert (second.queue != second.queue_0).all()
    assert (
        (second.reason == "technical") == (second.queue == "voice_tech")
    ).all()  # the right queue at last


def test_ivr_ports_block_as_erlang_b():
    """Calls hold an IVR port for an exponential time: blocking is Erlang B."""
    cfg = demand_config(replications=8, keep_records=False, horizon=2880.0)
    cfg.channels["voice"].ivr = IvrConfig(
        identification=dist(1.5), menu_levels={"default": 0}, ports=2
    )
    res = run_experiment(cfg)
    r = res.replications
    d = cfg.demand
    per_day = sum(
        d.customers
        * seg.share
        * reason.rate.get(s, reason.rate.get("default"))
        / 30
        * d.channel_mix.get(s, d.channel_mix["default"]).get("voice", 0.0)
        for s, seg in d.segments.items()
        for reason in d.reasons.values()
    )
    theory = analytic.erlang_b(2, per_day / 1440 * 1.5)
    assert theory > 0.05
    p = r[(r.scope == "channel:voice") & (r.metric == "p_block")]["value"].to_numpy()
    mean, half = p.mean(), stats.t.ppf(0.9995, len(p) - 1) * p.std(ddof=1) / np.sqrt(len(p))
    assert half < 0.3 * theory
    assert abs(mean - theory) <= half


def test_automation_only_never_reaches_an_agent_from_that_channel():
    cfg = demand_config(replications=2, keep_records=True)
    cfg.demand.automation_only = True
    cfg.channels["voice"].ivr = IvrConfig(
        self_service=self_service(
            {"default": 0.2},
            on_failure={"agent": 0.8, "switch": 0.1, "give_up": 0.1},
            switch_to={"email": 0.6, "chat": 0.4},
        )
    )
    c = run_experiment(cfg).contacts
    voice = c[c.channel == "voice"]
    assert set(voice.outcome) <= {"self_served", "switched", "gave_up", "open"}
    failed = voice[voice.outcome != "self_served"]
    assert within((failed.outcome == "switched").sum(), len(failed), 0.9)  # agent share switches


def test_agents_finish_the_contact_in_hand_after_hours_and_start_none_outside():
    cfg = demand_config(replications=2, keep_records=True, horizon=2 * 1440.0)
    cfg.agents["voice"].hours = [480, 1020]
    cfg.agents["digital"].hours = [480, 1020]
    res = run_experiment(cfg)
    c = res.contacts
    served = c[c.outcome == "served"]
    minute = served.t_answer % 1440
    assert ((minute >= 480) & (minute < 1020)).all()  # nobody starts outside hours
    late = served[(served.t_end % 1440 > 1020) | (served.t_end // 1440 > served.t_answer // 1440)]
    assert len(late) > 0  # some finish after hours ...
    k = res.replications
    overtime = k[(k.scope == "group:voice") & (k.metric == "overtime")]["value"]
    assert (overtime > 0).all()  # ... and that counts as overtime, so occupancy stays <= 1
    occ = k[k.metric == "occupancy"]["value"]
    assert (occ <= 1 + 1e-9).all()


def test_closed_live_channel_turns_away_or_leaves_a_message():
    cfg = demand_config(replications=2, keep_records=True)
    cfg.channels["chat"].hours = [480, 1020]
    c = run_experiment(cfg).contacts
    chat = c[c.channel == "chat"]
    closed = ~((chat.t_arrival % 1440 >= 480) & (chat.t_arrival % 1440 < 1020))
    assert (chat[closed].outcome == "blocked").all() and not (
        chat[~closed].outcome == "blocked"
    ).any()
    cfg.channels["chat"].closed_to = "email"
    c = run_experiment(cfg).contacts
    chat = c[c.channel == "chat"]
    closed = ~((chat.t_arrival % 1440 >= 480) & (chat.t_arrival % 1440 < 1020))
    assert (chat[closed].outcome == "switched").all()
    moved = c[(c.channel == "email") & (c.attempt == 1)]
    assert len(moved) == closed.sum()


def test_backlog_is_conserved_across_days():
    cfg = demand_config(replications=2, keep_records=True, horizon=3 * 1440.0, interval=1440.0)
    cfg.agents["digital"].hours = [540, 1080]
    cfg.agents["digital"].count = 3
    res = run_experiment(cfg)
    iv = res.intervals[res.intervals.scope == "queue:email"]
    c = res.contacts
    email = c[(c.queue == "email") & (c.outcome != "blocked")]
    left = email.t_answer.fillna(email.t_end)
    for (rep, end), row in iv.set_index(["replication", "t_end"]).iterrows():
        mine = email[email.replication == rep]
        waiting = ((mine.t_queue <= end) & (left[mine.index] > end)).sum()
        assert row.backlog == waiting
    per_rep = iv.pivot(index="t_start", columns="replication", values="backlog")
    assert (per_rep.to_numpy()[:2] > 0).all()  # carried over night to the next day


def test_inherited_backlog_waits_from_before_and_goes_first():
    cfg = demand_config(replications=1, keep_records=True)
    cfg.queues["recovery"] = QueueConfig(priority=0)
    cfg.queues["email"].priority = 2
    cfg.agents["digital"].skills = ["chat", "email", "recovery"]
    cfg.demand.backlog = [
        BacklogConfig(
            count=30,
            channel="email",
            segment="consumer",
            reason="billing",
            queue="recovery",
            age=dist(600.0),
        )
    ]
    c = run_experiment(cfg).contacts
    old = c[c.queue == "recovery"]
    assert len(old) == 30 and (old.t_arrival < 0).all() and (old.t_queue == old.t_arrival).all()
    first_email = c[(c.queue == "email") & c.t_answer.notna()].t_answer.min()
    assert old.t_answer.max() <= first_email + 30  # recovered first (email waits behind them)
