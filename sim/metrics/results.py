"""What a run produced: the configuration and its tables, as pandas DataFrames."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import pandas as pd

from sim.config.schema import Config


@dataclass
class Results:
    """Everything a run produced, as pandas DataFrames in long format.

    Attributes:
        config: the configuration that ran.
        kpis: ``scope, metric, mean, ci_low, ci_high, replications, theory``.
        replications: per-replication KPIs ``replication, scope, metric, value``.
        intervals: per-replication, per-interval KPIs (one row per scope).
        waits: wait histogram summed over replications ``scope, low, high, count``.
        baseline: Erlang staffing baseline per queue.
        contacts: per-contact records (None when ``keep_records`` is off).
        levels: queue length and busy agents as exact step functions (idem; None too
            with ``record_days``, whose sample lacks the contacts of the other days).
        cases: one row per issue (with the outcome model and records kept).
        stress: every agent's stress at each interval end (with the stress model).
        warnings: what the run warned about before it started (e.g. no steady state).
        agent_states: every agent's ``shift``, ``absent`` and ``present`` spells
            ``replication, agent_id, group, state, start, end`` (records kept only).
        days: per-replication, per-day KPIs, the interval table's columns with
            ``day`` (1, 2, ...), for runs longer than a day (else None).
        weeks: the same per week (``week``), for runs longer than a week.
        months: the same per calendar month (``month``: ``2027-01``), for runs with a
            ``start_date`` that reach into a second month. With a ``start_date`` the
            three tables have a ``date`` column too (the day each period starts on).
    """

    config: Config
    kpis: pd.DataFrame
    replications: pd.DataFrame
    intervals: pd.DataFrame
    waits: pd.DataFrame
    baseline: pd.DataFrame
    contacts: pd.DataFrame | None
    levels: pd.DataFrame | None
    cases: pd.DataFrame | None = None
    stress: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    agent_states: pd.DataFrame | None = None
    days: pd.DataFrame | None = None
    weeks: pd.DataFrame | None = None
    months: pd.DataFrame | None = None

    def __repr__(self) -> str:
        """A few lines: the run, each table's shape and the headline KPIs; never the frames."""
        cfg = self.config
        lines = [
            f"Results({cfg.name!r}: {cfg.replications} replications, horizon {cfg.horizon:g} min,"
            f" warm-up {cfg.warmup:g} min, seed {cfg.seed})"
        ]
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, pd.DataFrame):
                lines.append(f"  {f.name}: {value.shape[0]:,} rows x {value.shape[1]} columns")
            elif value is None:
                lines.append(f"  {f.name}: None")
        if self.warnings:
            lines.append(f"  warnings: {len(self.warnings)}")
        lines += [f"  {kpi}" for kpi in _headline(self.kpis)]
        return "\n".join(lines)


HEADLINE = (
    ("all", "offered"),
    ("live", "service_level"),
    ("live", "p_abandon"),
    ("live", "asa"),
    ("deferred", "service_level"),
    ("deferred", "asa"),
    ("all", "occupancy"),
)
SHARES = {"service_level", "p_abandon", "occupancy"}


def _headline(kpis: pd.DataFrame) -> list[str]:
    """``scope metric = mean [low, high]`` of the headline KPIs (``all`` without deferred ones)."""
    index = kpis.set_index(["scope", "metric"])
    mixed = (kpis.scope == "deferred").any()
    out = []
    for scope, metric in HEADLINE:
        if not mixed:  # no deferred contacts: live is all
            if scope == "deferred":
                continue
            scope = "all"
        if (scope, metric) not in index.index:
            continue
        r = index.loc[(scope, metric)]
        scale, unit = (100, " %") if metric in SHARES else (1, " min" if metric == "asa" else "")
        form = "{:,.0f}" if metric == "offered" else "{:.4g}"
        values = [form.format(scale * v) for v in (r["mean"], r.ci_low, r.ci_high)]
        ci = "" if math.isnan(r.ci_low) else f" [{values[1]}, {values[2]}]"
        out.append(f"{scope} {metric} = {values[0]}{unit}{ci}")
    return out
