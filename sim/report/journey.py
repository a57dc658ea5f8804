"""The journey of one issue: its contacts and their legs, as a table and a timeline.

An *issue* is the customer's need (``issue_id`` in ``results.contacts``,
``case_id`` in ``results.cases``). Every contact of the issue (the first one,
repeats after a failed self-service or an unresolved answer) has one record
per queue it went through (a transfer starts a new record of the same
``contact_id``, ``leg`` + 1). Each record is cut into legs:

- ``ivr`` (voice with an IVR) or ``self-service`` (the other channels): from
  arrival to queue entry, or to the end for contacts that never queued
  (self-served, switched channel, gave up, blocked);
- ``queue``: from queue entry to the answer (or to abandoning); ``wait``;
- ``agent``: from the answer to the end of service (served or transferred).

Not shown: what happens between contacts (the customer's delay before coming
back) beyond the gap itself, and after-call work, which is not recorded.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

if TYPE_CHECKING:
    from sim.metrics.results import Results

COLUMNS = [
    "replication",
    "issue_id",
    "contact",
    "contact_id",
    "kind",
    "leg",
    "channel",
    "queue",
    "start",
    "end",
    "duration",
    "wait",
    "agent_id",
    "group",
    "outcome",
    "resolved",
]
FRONT_ONLY = {"self_served", "switched", "gave_up", "blocked"}
COLOURS = {"ivr": "#9467bd", "self-service": "#8c564b", "queue": "#ff7f0e", "agent": "#1f77b4"}


def _issue_records(results: Results, issue_id: int, replication: int) -> pd.DataFrame:
    if results.contacts is None:
        raise ValueError(
            "sim.journey needs the per-contact table: run with keep_records=true "
            "(results.contacts is None)"
        )
    c = results.contacts
    c = c[c.replication == replication]
    if c.empty:
        raise ValueError(f"replication {replication} is not in the results")
    rec = c[c.issue_id == issue_id]
    if rec.empty:
        raise ValueError(
            f"issue_id {issue_id} is not in replication {replication} "
            f"(its issues are 0..{int(c.issue_id.max())})"
        )
    return rec.sort_values(["t_arrival", "contact_id", "leg"])


def _front_name(results: Results, channel: str) -> str:
    ch = results.config.channels.get(channel) if results.config.channels else None
    return "ivr" if ch is not None and getattr(ch, "ivr", None) is not None else "self-service"


def journey(results: Results, issue_id: int, replication: int = 0) -> pd.DataFrame:
    """The legs of one issue in time order (columns: :data:`COLUMNS`).

    ``contact`` numbers the issue's contacts from 1; ``kind`` is ``first``,
    ``repeat`` (a later contact of the issue) or ``transfer`` (a later leg
    of the same contact); ``wait`` is set on queue legs only (time from
    queue entry to answer or abandonment). A contact still inside when the
    run ended has ``end`` NaN and outcome ``open``. Raises ValueError when
    the records were not kept or the issue (or replication) is unknown.
    """
    rec = _issue_records(results, issue_id, replication)
    number = {cid: k + 1 for k, cid in enumerate(pd.unique(rec.contact_id))}
    rows = []
    for r in rec.itertuples(index=False):
        base = {
            "replication": replication,
            "issue_id": issue_id,
            "contact": number[r.contact_id],
            "contact_id": int(r.contact_id),
            "kind": "transfer" if r.leg > 0 else ("repeat" if r.attempt > 0 else "first"),
            "channel": str(r.channel),
            "queue": None if pd.isna(r.queue) else str(r.queue),
        }
        rows += _legs(r, base, _front_name(results, str(r.channel)))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["duration"] = frame["end"] - frame["start"]
    return frame.sort_values(["start", "contact_id"], kind="stable", ignore_index=True)


def _legs(r, base: dict, front: str) -> list[dict]:
    """The legs of one contact record (see the module docstring)."""
    outcome = str(r.outcome)
    none = {"wait": math.nan, "agent_id": -1, "group": None, "resolved": False}
    if pd.isna(r.queue) or outcome in FRONT_ONLY:
        leg = {"leg": front, "start": r.t_arrival, "end": r.t_end, "outcome": outcome}
        return [base | none | leg | {"resolved": bool(r.resolved)}]
    out = []
    if r.leg == 0 and r.t_queue > r.t_arrival:
        out.append(
            base
            | none
            | {"leg": front, "start": r.t_arrival, "end": r.t_queue, "outcome": "queued"}
        )
    answered = not pd.isna(r.t_answer)
    left = r.t_answer if answered else r.t_end
    queue = {
        "leg": "queue",
        "start": r.t_queue,
        "end": left,
        "outcome": "answered" if answered else outcome,
    }
    out.append(base | none | queue | {"wait": left - r.t_queue})
    if answered:
        agent = {
            "leg": "agent",
            "start": r.t_answer,
            "end": r.t_end,
            "outcome": outcome,
            "wait": math.nan,
            "agent_id": int(r.agent_id),
            "group": None if pd.isna(r.group) else str(r.group),
            "resolved": bool(r.resolved),
        }
        out.append(base | agent)
    return out


def _clock(minutes: float) -> str:
    day, rest = divmod(minutes, 1440)
    return f"day {int(day)} {int(rest) // 60:02d}:{int(rest) % 60:02d}"


def plot_journey(legs: pd.DataFrame, title: str | None = None) -> Figure:
    """Timeline of :func:`journey`: one row per contact, minutes since that contact's arrival.

    Contacts of an issue can be days apart, so each row has its own origin
    (its arrival, written in the row label); bars are coloured by leg and
    carry the leg's outcome.
    """
    contacts = legs.groupby("contact", sort=True)
    fig, ax = plt.subplots(figsize=(10, 1.4 + 0.55 * contacts.ngroups))
    labels = []
    for y, (number, g) in enumerate(contacts):
        origin = g["start"].min()
        first = g.iloc[0]
        labels.append(f"#{number} {first.kind}, {first.channel}\n{_clock(origin)}")
        last = len(g) - 1
        for k, leg in enumerate(g.itertuples(index=False)):
            end = leg.end if not np.isnan(leg.end) else leg.start
            ax.broken_barh(
                [(leg.start - origin, max(end - leg.start, 1e-3))],
                (y - 0.35, 0.7),
                facecolors=COLOURS[leg.leg],
            )
            if leg.outcome in ("queued", "answered"):
                continue  # the next bar says it
            note = leg.outcome + (f" by agent {leg.agent_id}" if leg.leg == "agent" else "")
            if k == last:
                ax.text(end - origin, y, f" {note}", fontsize=7, va="center")
            else:  # above the bar, where it ends
                ax.text(end - origin, y - 0.37, note, fontsize=6, ha="right", va="bottom")
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("minutes since the contact arrived")
    ax.set_ylabel("contact of the issue")
    issue = int(legs["issue_id"].iloc[0]) if len(legs) else -1
    ax.set_title(title or f"Journey of issue {issue}: {contacts.ngroups} contact(s), legs by type")
    used = [k for k in COLOURS if k in set(legs["leg"])]
    ax.legend(handles=[Patch(color=COLOURS[k], label=k) for k in used], fontsize=7)
    ax.set_xlim(left=0)
    ax.margins(x=0.15)
    fig.tight_layout()
    return fig
