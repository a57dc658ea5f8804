"""The ticket view of deferred channels (e-mail, social, web form), from the contact records.

A *ticket* is an issue that reached a deferred channel (MasterPRO Italia,
shared/seeds/004: every written channel opens a ticket in the CRM). Its
KPIs are the ones the seed's HubSpot reports list: mean time to first
response, mean time to close, tickets per agent, tickets by source and by
product, plus what simultaneous duplicates cost (:mod:`sim.journey.duplicates`).

Definitions (minutes in the tables, hours in the summary):

* ``t_open``: arrival of the issue's first contact on a deferred channel;
  ``source`` its channel, ``product`` its reason (the model has no product
  field: the reason is the product line, e.g. warranty, spare parts).
* ``first_response``: first agent answer of a contact of the issue (any
  channel, copies excluded) at or after ``t_open``, minus ``t_open``.
* ``close``: end of the issue minus ``t_open``, for answered tickets only.
  With the outcome model the issue ends at the leg that resolves it or at
  its last repeat (``cases.t_end``); without it (or for contacts without a
  case, such as an inherited backlog), at the end of its last leg.
  A ticket whose customer stopped waiting before any answer is ``abandoned``,
  not closed.
* ``agent_minutes``: agent time on every leg of the issue, merges of its
  copies included (legs still in service at the end of the run are left out).
* ``duplicates``: copies of the issue written on a second channel at once.
* ``agent_min_per_answered`` (summary): all agent minutes on tickets over the
  answered tickets. Where agents are saturated (MasterPRO before) their minutes
  are fixed, so merges show up here and in the backlog, not per ticket opened.

Deliberately not here: tickets of the live channels, reopening of closed
tickets, and KPIs in the run's KPI table (the view needs the records kept).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

KEYS = ["replication", "issue_id"]
TICKET_COLUMNS = (
    "replication",
    "issue_id",
    "source",
    "product",
    "t_open",
    "first_response",
    "close",
    "agent_minutes",
    "duplicates",
    "answered",
    "closed",
    "abandoned",
)


def _copies(contacts: pd.DataFrame) -> pd.Series:
    if "duplicate" in contacts:
        return contacts["duplicate"].astype(bool)
    return pd.Series(False, index=contacts.index)


def _opened(contacts: pd.DataFrame, deferred: Sequence[str]) -> pd.DataFrame:
    """Each ticket's first deferred contact: source, product and ``t_open``."""
    own = contacts[~_copies(contacts) & contacts["channel"].astype(str).isin(list(deferred))]
    first = own.sort_values("t_arrival", kind="stable").groupby(KEYS, sort=True).first()
    out = first[["channel", "reason", "t_arrival"]].astype({"channel": str, "reason": str})
    return out.rename(columns={"channel": "source", "reason": "product", "t_arrival": "t_open"})


def _ends(legs: pd.DataFrame, cases: pd.DataFrame | None) -> pd.Series:
    """End of each issue (NaN while it is still open).

    The case's end where the outcome model logged a case; otherwise (no outcome
    model, or contacts without a case such as an inherited backlog) the end of
    the issue's last leg once none is still open.
    """
    own = legs[~_copies(legs)]
    still_open = (own["outcome"].astype(str) == "open").groupby([own[k] for k in KEYS]).any()
    last = own.groupby(KEYS)["t_end"].max()
    end = last.where(~still_open.reindex(last.index, fill_value=False))
    if cases is not None and len(cases):
        c = cases.rename(columns={"case_id": "issue_id"}).set_index(KEYS)
        logged = c["t_end"].where(c["closed"] == 1).reindex(end.index)
        has_case = end.index.isin(c.index)
        end = logged.where(has_case, end)
    return end


def tickets_frame(
    contacts: pd.DataFrame, deferred: Sequence[str], cases: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per ticket (see the module docstring); ``cases`` from the outcome model."""
    tickets = _opened(contacts, deferred)
    if tickets.empty:
        return pd.DataFrame(columns=list(TICKET_COLUMNS))
    legs = contacts.join(tickets["t_open"], on=KEYS, how="inner")
    copy = _copies(legs)
    answer = legs["t_answer"].where(~copy & (legs["t_answer"] >= legs["t_open"]))
    tickets["first_response"] = answer.groupby([legs[k] for k in KEYS]).min() - tickets["t_open"]
    work = (legs["t_end"] - legs["t_answer"]).fillna(0.0)
    tickets["agent_minutes"] = work.groupby([legs[k] for k in KEYS]).sum()
    tickets["duplicates"] = copy.groupby([legs[k] for k in KEYS]).sum().astype(np.int64)
    end = _ends(legs, cases).reindex(tickets.index)
    tickets["answered"] = tickets["first_response"].notna()
    tickets["closed"] = tickets["answered"] & end.notna()
    tickets["abandoned"] = ~tickets["answered"] & end.notna()
    tickets["close"] = (end - tickets["t_open"]).where(tickets["closed"])
    return tickets.reset_index()[list(TICKET_COLUMNS)]


def backlog_at_end(contacts: pd.DataFrame, deferred: Sequence[str]) -> pd.Series:
    """Deferred contacts (copies included) still waiting or in service at the end, by rep."""
    d = contacts[contacts["channel"].astype(str).isin(list(deferred))]
    waiting = d["outcome"].astype(str) == "open"
    return waiting.groupby(d["replication"]).sum().astype(np.int64)


def ticket_summary(
    tickets: pd.DataFrame, contacts: pd.DataFrame, deferred: Sequence[str]
) -> pd.DataFrame:
    """Ticket KPIs by replication: counts, mean times in hours, agent minutes, backlog.

    ``first_response_new_h`` leaves out tickets inherited at time 0 (``demand.backlog``).
    """
    g = tickets.groupby("replication")
    new = tickets[tickets["t_open"] >= 0]  # opened during the run, not inherited
    out = pd.DataFrame(
        {
            "tickets": g.size(),
            "first_response_h": g["first_response"].mean() / 60.0,
            "first_response_new_h": new.groupby("replication")["first_response"].mean() / 60.0,
            "close_h": g["close"].mean() / 60.0,
            "answered": g["answered"].mean(),
            "closed": g["closed"].sum(),
            "abandoned": g["abandoned"].sum(),
            "open": g.size() - g["closed"].sum() - g["abandoned"].sum(),
            "agent_min_per_ticket": g["agent_minutes"].mean(),
            "agent_min_per_answered": g["agent_minutes"].sum() / g["answered"].sum(),
            "duplicates": g["duplicates"].sum(),
        }
    )
    out["backlog_end"] = backlog_at_end(contacts, deferred).reindex(out.index, fill_value=0)
    return out


def tickets_by(tickets: pd.DataFrame, dim: str) -> pd.DataFrame:
    """Tickets by ``source`` or ``product``: mean count per replication, share, mean times (h)."""
    reps = tickets["replication"].nunique()
    g = tickets.groupby(dim)
    out = pd.DataFrame(
        {
            "tickets": g.size() / reps,
            "share": g.size() / len(tickets),
            "first_response_h": g["first_response"].mean() / 60.0,
            "close_h": g["close"].mean() / 60.0,
            "duplicates": g["duplicates"].sum() / reps,
        }
    )
    return out.sort_values("tickets", ascending=False)


def tickets_per_agent(contacts: pd.DataFrame, tickets: pd.DataFrame) -> pd.DataFrame:
    """Tickets each agent answered at least once (copies' merges not counted), per replication."""
    legs = contacts.join(tickets.set_index(KEYS)["t_open"], on=KEYS, how="inner")
    legs = legs[~_copies(legs) & legs["t_answer"].notna() & (legs["agent_id"] >= 0)]
    per = legs.groupby(["replication", "agent_id"])["issue_id"].nunique()
    return per.groupby("agent_id").mean().rename("tickets").to_frame()
