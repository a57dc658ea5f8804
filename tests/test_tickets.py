"""The ticket view (sim.metrics.tickets) and simultaneous duplicates (sim.journey.duplicates).

Comparisons run the MasterPRO ``before`` scenario (shared/seeds/004) twice with the
same seed, so replication k of one run meets the same customers as replication k of
the other (common random numbers); a direction is asserted only when the paired 95 %
interval excludes 0.
"""

from __future__ import annotations

import warnings
from functools import cache

import numpy as np
import pandas as pd
import pytest

from sim import load_config, run_experiment
from sim.config.checks.tickets import deferred_channels
from sim.metrics.tickets import (
    ticket_summary,
    tickets_by,
    tickets_frame,
    tickets_per_agent,
)

REPS = 6
RUN = [f"replications={REPS}", "keep_records=true", "plots=false", "horizon=43200"]  # 30 days
DUP = ("+tickets.duplicate.default=0.5",)


@cache
def view(*overrides: str, scenario: str = "masterpro_before"):
    """(contacts, tickets, summary) of ``scenario`` with ``overrides``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        cfg = load_config(scenario, [*RUN, *overrides])
    res = run_experiment(cfg, progress=False)
    deferred = deferred_channels(cfg)
    tickets = tickets_frame(res.contacts, deferred, res.cases)
    return res.contacts, tickets, ticket_summary(tickets, res.contacts, deferred)


def paired_interval(base: pd.Series, alt: pd.Series) -> tuple[float, float]:
    """95 % t-interval of alt - base over paired replications."""
    d = (alt - base).to_numpy(dtype=float)
    half = 2.571 * d.std(ddof=1) / np.sqrt(len(d))  # t(0.975, 5)
    return d.mean() - half, d.mean() + half


def agent_minutes(contacts: pd.DataFrame) -> pd.Series:
    """Agent minutes of every leg, by replication."""
    work = (contacts["t_end"] - contacts["t_answer"]).fillna(0.0)
    return work.groupby(contacts["replication"]).sum()


@pytest.mark.parametrize("metric", ["agent_min_per_answered", "backlog_end", "first_response_h"])
def test_simultaneous_duplicates_raise_agent_time_backlog_and_first_response(metric):
    base, alt = view()[2], view(*DUP)[2]
    low, _high = paired_interval(base[metric], alt[metric])
    assert low > 0, (metric, base[metric].tolist(), alt[metric].tolist())


def test_with_spare_capacity_duplicates_add_agent_minutes_to_every_ticket_opened():
    """MasterPRO after (two people, most tickets answered): the merges are extra work."""
    base = view(scenario="masterpro_after")[2]
    alt = view(*DUP, scenario="masterpro_after")[2]
    low, _high = paired_interval(base["agent_min_per_ticket"], alt["agent_min_per_ticket"])
    assert low > 0, (base["agent_min_per_ticket"].tolist(), alt["agent_min_per_ticket"].tolist())


def test_without_duplicates_there_are_no_copies_and_p_zero_changes_nothing():
    contacts, tickets, _ = view()
    assert not contacts["duplicate"].any() and (tickets["duplicates"] == 0).all()
    zero = view("+tickets.duplicate.default=0.0")[0]
    pd.testing.assert_frame_equal(contacts, zero)


def test_merge_time_zero_costs_no_agent_time_and_moves_no_answer():
    base_contacts, base_tickets, _ = view()
    free_contacts, free_tickets, free = view(*DUP, "tickets.merge_time=0")
    assert free["duplicates"].sum() > 0  # the copies are there, they cost nothing
    np.testing.assert_allclose(agent_minutes(free_contacts), agent_minutes(base_contacts))
    own = free_contacts[~free_contacts["duplicate"]].reset_index(drop=True)
    np.testing.assert_array_equal(own["t_answer"], base_contacts["t_answer"])
    np.testing.assert_array_equal(free_tickets["first_response"], base_tickets["first_response"])


def test_a_merge_takes_merge_time_and_a_copy_is_written_at_once_on_another_channel():
    contacts = view(*DUP)[0]
    copies = contacts[contacts["duplicate"]]
    merged = copies[copies["outcome"].astype(str) == "served"]
    assert len(merged) > 0
    np.testing.assert_allclose(merged["t_end"] - merged["t_answer"], 3.0)  # one agent, speed 1
    own = contacts[~contacts["duplicate"]]
    pair = copies.merge(own, on=["replication", "issue_id", "t_arrival"], suffixes=("", "_own"))
    assert len(pair) == len(copies)  # each copy has its original, same issue, same instant
    assert (pair["channel"].astype(str) != pair["channel_own"].astype(str)).all()
    assert pair["channel_own"].astype(str).isin(["email", "form", "social"]).all()


def test_a_channel_key_duplicates_only_that_channel():
    contacts = view("+tickets.duplicate.email=0.5")[0]
    copies = contacts[contacts["duplicate"]]
    own = contacts[~contacts["duplicate"]]
    pair = copies.merge(own, on=["replication", "issue_id", "t_arrival"], suffixes=("", "_own"))
    assert len(copies) > 0 and (pair["channel_own"].astype(str) == "email").all()
    email = own[own["channel"].astype(str) == "email"]
    queued = email[email["t_queue"].notna()]
    share = len(copies) / len(queued)
    assert 0.45 < share < 0.55, share  # binomial, thousands of draws: sd < 0.01


@pytest.mark.parametrize("overrides", [(), DUP])
def test_close_is_never_before_first_response_and_only_answered_tickets_close(overrides):
    tickets = view(*overrides)[1]
    closed = tickets[tickets["closed"]]
    assert len(closed) > 0 and closed["answered"].all()
    assert (closed["close"] >= closed["first_response"]).all()
    assert (tickets["first_response"].dropna() >= 0).all()
    assert not (tickets["closed"] & tickets["abandoned"]).any()


def test_tickets_by_source_and_product_add_up_and_agents_answer_them():
    contacts, tickets, summary = view()
    for dim, names in (("source", {"email", "form", "social"}), ("product", None)):
        table = tickets_by(tickets, dim)
        assert table["share"].sum() == pytest.approx(1.0)
        assert table["tickets"].sum() == pytest.approx(summary["tickets"].mean())
        if names is not None:
            assert set(table.index) == names
    assert set(tickets_by(tickets, "product").index) <= {
        "product_info",
        "order_status",
        "warranty",
        "returns",
        "spare_parts",
    }
    per_agent = tickets_per_agent(contacts, tickets)
    assert list(per_agent.index) == [0]  # the one internal team member
    answered = tickets[tickets["answered"]].groupby("replication").size()
    assert per_agent["tickets"].iloc[0] == pytest.approx(answered.mean())


def _legs(rows: list[tuple]) -> pd.DataFrame:
    cols = ["issue_id", "channel", "reason", "t_arrival", "t_answer", "t_end", "outcome"]
    frame = pd.DataFrame(rows, columns=cols)
    frame.insert(0, "replication", 0)
    frame["agent_id"] = np.where(frame["t_answer"].notna(), 7, -1)
    frame["duplicate"] = False
    return frame


def test_ticket_definitions_by_hand():
    nan = np.nan
    legs = _legs(
        [
            (1, "phone", "warranty", 0.0, nan, 5.0, "switched"),  # before the ticket opens
            (1, "email", "warranty", 10.0, 70.0, 85.0, "served"),  # opens at 10, answer at 70
            (1, "email", "warranty", 200.0, 260.0, 280.0, "served"),  # a repeat, closes at 280
            (2, "social", "returns", 30.0, nan, 90.0, "abandoned"),  # never answered
            (3, "form", "returns", 40.0, nan, nan, "open"),  # still waiting at the end
            (4, "phone", "returns", 50.0, 51.0, 60.0, "served"),  # not a ticket
            (1, "form", "warranty", 10.0, 100.0, 103.0, "served"),  # a copy of issue 1
        ]
    )
    legs.loc[6, "duplicate"] = True
    t = tickets_frame(legs, ["email", "social", "form"]).set_index("issue_id")
    assert list(t.index) == [1, 2, 3]
    assert t.loc[1, "source"] == "email" and t.loc[1, "product"] == "warranty"
    assert t.loc[1, "first_response"] == 60.0 and t.loc[1, "close"] == 270.0
    assert t.loc[1, "agent_minutes"] == 15.0 + 20.0 + 3.0 and t.loc[1, "duplicates"] == 1
    assert t.loc[2, "abandoned"] and not t.loc[2, "closed"] and np.isnan(t.loc[2, "close"])
    assert not t.loc[3, "closed"] and not t.loc[3, "abandoned"]
    summary = ticket_summary(t.reset_index(), legs, ["email", "social", "form"])
    assert summary.loc[0, "open"] == 1 and summary.loc[0, "backlog_end"] == 1


def test_an_issue_without_a_case_closes_with_its_last_leg_and_cases_win_where_they_exist():
    nan = np.nan
    legs = _legs(
        [
            (1, "email", "warranty", -100.0, 20.0, 35.0, "served"),  # inherited: no case row
            (2, "email", "warranty", 10.0, 40.0, 55.0, "served"),  # a case, still open
        ]
    )
    cases = pd.DataFrame({"replication": [0], "case_id": [2], "t_end": [nan], "closed": [0]})
    t = tickets_frame(legs, ["email"], cases).set_index("issue_id")
    assert t.loc[1, "closed"] and t.loc[1, "close"] == 135.0 and t.loc[1, "first_response"] == 120.0
    assert not t.loc[2, "closed"] and not t.loc[2, "abandoned"]


def test_the_inherited_backlog_of_masterpro_after_closes_as_it_is_answered():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        cfg = load_config("masterpro_after", ["replications=2", "keep_records=true", "plots=false"])
    res = run_experiment(cfg, progress=False)
    deferred = deferred_channels(cfg)
    tickets = tickets_frame(res.contacts, deferred, res.cases)
    summary = ticket_summary(tickets, res.contacts, deferred)
    assert (summary["open"] < 90).all(), summary  # the 900 inherited tickets close when answered
    assert (summary["first_response_new_h"] < summary["first_response_h"] / 5).all()  # 45 days old
    closed = tickets[tickets["closed"]]
    assert (closed["close"] >= closed["first_response"]).all()
