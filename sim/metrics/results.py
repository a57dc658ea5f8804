"""What a run produced: the configuration and its tables, as pandas DataFrames."""

from __future__ import annotations

from dataclasses import dataclass, field

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
        levels: queue length and busy agents as exact step functions (idem).
        cases: one row per issue (with the outcome model and records kept).
        stress: every agent's stress at each interval end (with the stress model).
        warnings: what the run warned about before it started (e.g. no steady state).
        agent_states: every agent's ``shift``, ``absent`` and ``present`` spells
            ``replication, agent_id, group, state, start, end`` (records kept only).
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
