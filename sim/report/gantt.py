"""The agent-day Gantt: who was on shift, on break, busy or idle, agent by agent.

Built from two tables kept with ``keep_records``: ``results.agent_states``
(the workforce's scheduled ``shift`` windows, ``absent`` days and
``present`` spells) and ``results.contacts`` (each leg's ``t_answer`` to
``t_end`` with its ``agent_id``). For each agent:

- ``busy``: the union of its contacts' service spells (a contact finished
  after the end of the shift counts: that is overtime);
- ``idle``: present and not busy;
- ``on break``: inside a scheduled shift but not present (breaks,
  shrinkage blocks);
- ``absent``: a scheduled day missed.

Agents without a schedule (or following a staffing profile) have no shift
rows: their shift is their presence. Not drawn: after-call work and
concurrency (an agent holding two chats is busy once), which the model does
not record per agent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

if TYPE_CHECKING:
    from sim.metrics.results import Results

STATES = ("busy", "idle", "on break", "absent")
COLOURS = {"busy": "#1f77b4", "idle": "#b7e4b0", "on break": "#ff9f40", "absent": "#9e9e9e"}
Span = tuple[float, float]


def union(spans: Iterable[Span]) -> list[Span]:
    """Sorted, merged, non-empty spans."""
    out: list[Span] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def union_arrays(starts: np.ndarray, ends: np.ndarray) -> list[Span]:
    """:func:`union` of spans given as two arrays, vectorised: the same spans, in order.

    Sorting by start, a span opens a new merged span when it starts after
    every earlier span has ended (touching spans merge, as in :func:`union`).
    """
    a, b = np.asarray(starts, dtype=float), np.asarray(ends, dtype=float)
    keep = b > a
    a, b = a[keep], b[keep]
    if not len(a):
        return []
    order = np.argsort(a, kind="stable")
    a, b = a[order], np.maximum.accumulate(b[order])
    first = np.flatnonzero(np.r_[True, a[1:] > b[:-1]])
    last = np.r_[first[1:] - 1, len(a) - 1]
    return list(zip(a[first].tolist(), b[last].tolist(), strict=True))


def minus(spans: Sequence[Span], holes: Sequence[Span]) -> list[Span]:
    """``spans`` without ``holes`` (both sorted and merged, as :func:`union` gives them)."""
    out: list[Span] = []
    for a, b in spans:
        cursor = a
        for h0, h1 in holes:
            if h1 <= cursor or h0 >= b:
                continue
            if h0 > cursor:
                out.append((cursor, h0))
            cursor = max(cursor, h1)
        if cursor < b:
            out.append((cursor, b))
    return out


def clip(spans: Sequence[Span], lo: float, hi: float) -> list[Span]:
    """``spans`` cut to ``[lo, hi]``."""
    return [(max(a, lo), min(b, hi)) for a, b in spans if b > lo and a < hi]


def _need_records(results: Results) -> None:
    if results.agent_states is None or results.contacts is None:
        raise ValueError(
            "the agent-day view needs the per-contact and agent tables: run with keep_records=true"
        )


def agent_day(results: Results, replication: int = 0, day: int | None = 0) -> pd.DataFrame:
    """Every agent's busy, idle, on-break and absent spells in one replication.

    ``day`` (0 = the first day of the run) cuts the spells to that day;
    ``None`` keeps the whole run. Columns ``agent_id, group, state, start,
    end, minutes`` (minutes since the start of the run), sorted by agent and
    start. Raises ValueError without ``keep_records`` or for an unknown
    replication.
    """
    _need_records(results)
    states = results.agent_states[results.agent_states.replication == replication]
    contacts = results.contacts[results.contacts.replication == replication]
    if states.empty and contacts.empty:
        raise ValueError(f"replication {replication} is not in the results")
    end = float(np.nanmax([states["end"].max(), contacts["t_end"].max(), 0.0]))
    lo, hi = (0.0, end) if day is None else (day * 1440.0, (day + 1) * 1440.0)
    served = contacts[(contacts.agent_id >= 0) & contacts.t_answer.notna()]
    if day is not None:  # only spells that reach into the day: the same spells after clip()
        served = served[(served.t_answer < hi) & (served.t_end.fillna(end) > lo)]
    busy_of = {
        int(a): union_arrays(g.t_answer.to_numpy(), g.t_end.fillna(end).to_numpy())
        for a, g in served.groupby("agent_id")
    }
    rows = []
    for (agent, group), g in states.groupby(["agent_id", "group"], observed=True):
        spans = {
            st: union(zip(x.start, x.end, strict=True))
            for st, x in g.groupby("state", observed=True)
        }
        present = spans.get("present", [])
        shift = spans.get("shift") or present
        busy = busy_of.get(int(agent), [])
        parts = {
            "busy": busy,
            "idle": minus(present, busy),
            "on break": minus(minus(shift, present), busy),
            "absent": spans.get("absent", []),
        }
        for state, spells in parts.items():
            rows += [(int(agent), str(group), state, a, b) for a, b in clip(spells, lo, hi)]
    frame = pd.DataFrame(rows, columns=["agent_id", "group", "state", "start", "end"])
    frame["minutes"] = frame["end"] - frame["start"]
    frame = frame.sort_values(["agent_id", "start"], ignore_index=True)
    frame.attrs["day"] = day
    return frame


def _bars(part: pd.DataFrame, row: dict[int, int], origin: float, colour: str) -> PolyCollection:
    """One collection of the spells in ``part``: a 0.8-high bar per spell on its agent's row."""
    x0 = ((part.start - origin) / 60).to_numpy(dtype=float)
    x1 = x0 + (part.minutes / 60).to_numpy(dtype=float)
    y = part.agent_id.map(row).to_numpy(dtype=float)
    lo, hi = y - 0.4, y + 0.4
    verts = np.stack([np.c_[x0, lo], np.c_[x0, hi], np.c_[x1, hi], np.c_[x1, lo]], axis=1)
    return PolyCollection(verts, facecolors=colour, linewidths=0)


def plot_agent_day(day: pd.DataFrame, title: str | None = None) -> Figure:
    """Gantt of :func:`agent_day`: one row per agent, coloured by state, hours on x."""
    agents = day[["agent_id", "group"]].drop_duplicates().sort_values("agent_id")
    fig, ax = plt.subplots(figsize=(11, 1.2 + 0.22 * max(len(agents), 1)))
    row = {a: k for k, a in enumerate(agents.agent_id)}
    which = day.attrs.get("day")
    origin = 0.0 if which is None else 1440.0 * which
    for state in STATES:
        part = day[day.state == state]
        if len(part):
            ax.add_collection(_bars(part, row, origin, COLOURS[state]))
    ax.autoscale_view()
    ax.set_yticks(range(len(agents)), [f"{g} #{a}" for a, g in agents.itertuples(index=False)])
    ax.tick_params(axis="y", labelsize=6)
    ax.invert_yaxis()
    if len(day):
        ax.set_xlim((day.start.min() - origin) // 60, -(-(day.end.max() - origin) // 60))
    xlabel = "time since the start of the run (h)" if which is None else f"hour of day {which}"
    ax.set(xlabel=xlabel, ylabel="agent (group #id)")
    ax.set_title(title or "Agent day: on shift busy, idle, on break, absent (one replication)")
    totals = day.groupby("state")["minutes"].sum() / 60
    handles = [
        Patch(color=COLOURS[s], label=f"{s} ({totals.get(s, 0.0):,.0f} agent-h)") for s in STATES
    ]
    ax.legend(handles=handles, fontsize=7, loc="upper right", ncol=4)
    fig.tight_layout()
    return fig
