"""Staffing optimizer: the fewest agents per interval meeting targets, by simulation.

The targets are a service level and an abandonment cap; the search starts
from the Erlang C/A answer.

Modelled: one queue fed by its own arrival profile and served by one agent
group whose number of agents changes at interval boundaries (agents leaving
at a boundary finish the contact in hand). The start is the stationary
independent period-by-period (SIPP) answer: Erlang A per interval (Erlang C
without patience). Then, on common random numbers:

1. up: while some interval misses a target (mean over the replications), add
   one agent to each interval that misses;
2. down: try one agent fewer in every interval with slack at once; keep the
   cuts after which every interval still meets its targets, undo the others
   (for each failing interval, the nearest cut at or before it, whose queue
   spills into it) and freeze them;
   repeat until no interval can lose an agent.

A final run with a new seed (fresh random numbers) validates the table: an
interval fails only if its Bonferroni-corrected confidence interval lies
entirely on the wrong side of a target.

Not modelled: shift constraints (see :mod:`sim.workforce.scheduling`), several queues
or skills, costs other than agent-intervals. The search is a heuristic: it
finds a table where each interval is needed (one agent fewer there breaks a
target on these random numbers), not a proven optimum.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm.autonotebook import tqdm  # tqdm.auto would import asyncio (~0.1 s)

from sim import analytic
from sim.config import Config, ShiftConfig
from sim.core.distributions import from_config
from sim.demand.arrivals import rate_table
from sim.metrics.stats import t_interval
from sim.runner import run_experiment


@dataclass
class Targets:
    """Service level (share answered within ``threshold`` min) and abandonment cap."""

    service_level: float
    threshold: float
    max_abandon: float = 1.0


@dataclass
class Measured:
    """Per-interval means (and CIs) of service level and abandonment."""

    sl: np.ndarray
    sl_low: np.ndarray
    sl_high: np.ndarray
    abandon: np.ndarray
    ab_low: np.ndarray
    ab_high: np.ndarray


def _single(cfg: Config) -> tuple[str, str]:
    """The queue and group names; a clear error for anything else."""
    if len(cfg.queues) != 1 or len(cfg.agents) != 1:
        raise ValueError(
            f"the staffing optimizer needs one queue and one agent group, got queues "
            f"{list(cfg.queues)} and agents {list(cfg.agents)}"
        )
    (q, queue), (g, _group) = next(iter(cfg.queues.items())), next(iter(cfg.agents.items()))
    if queue.arrival is None or queue.service is None or queue.arrival.times:
        raise ValueError(f"queues.{q} needs its own arrival profile and service distribution")
    if cfg.demand.customers:
        raise ValueError("the staffing optimizer works on textbook queues (demand.customers=0)")
    return q, g


def interval_rates(cfg: Config) -> np.ndarray:
    """Mean arrival rate (per minute) in each reporting interval of the horizon."""
    q = next(iter(cfg.queues.values()))
    table = rate_table(q.arrival, cfg.horizon)
    n = math.ceil(cfg.horizon / cfg.interval - 1e-9)
    edges = np.minimum(np.arange(n + 1) * cfg.interval, cfg.horizon)
    return np.array([table.expected(a, b) / (b - a) for a, b in itertools.pairwise(edges)])


def erlang_table(cfg: Config, targets: Targets, patience: bool = True) -> np.ndarray:
    """SIPP staffing: Erlang A per interval (Erlang C with ``patience=False``)."""
    q = next(iter(cfg.queues.values()))
    mean = from_config(q.service).mean
    theta = from_config(q.patience).mean if (patience and q.patience is not None) else None
    cap = targets.max_abandon if (theta is not None and targets.max_abandon < 1) else None
    return np.array(
        [
            analytic.staff_for_service_level(
                lam, mean, targets.threshold, targets.service_level, theta, cap
            )
            if lam > 0
            else 0
            for lam in interval_rates(cfg)
        ]
    )


def with_staffing(cfg: Config, staff: np.ndarray, seed: int | None = None) -> Config:
    """The configuration with ``staff[i]`` agents present in interval ``i``.

    Agent k (0-based) works every maximal run of intervals with more than k
    agents, each run a shift of its own. Shifts repeat daily, so the queue
    left at the horizon drains with the next day's early staff.
    """
    _, g = _single(cfg)
    shifts = []
    for level in range(1, int(staff.max(initial=0)) + 1):
        on = np.concatenate(([False], staff >= level, [False]))
        starts = np.flatnonzero(~on[:-1] & on[1:])
        ends = np.flatnonzero(on[:-1] & ~on[1:])
        for a, b in zip(starts, ends, strict=True):
            end = min(b * cfg.interval, cfg.horizon)
            shifts.append(ShiftConfig(start=a * cfg.interval, end=end, count=1))
    if not shifts:
        raise ValueError("the staffing table has no agent at all")
    group = dataclasses.replace(cfg.agents[g], shifts=shifts, hours=[], count=len(shifts))
    changes = {"agents": {g: group}}
    if seed is not None:
        changes["seed"] = seed
    return dataclasses.replace(cfg, **changes)


def measure(
    cfg: Config,
    staff: np.ndarray,
    seed: int | None = None,
    level: float = 0.95,
    replications: int | None = None,
) -> Measured:
    """Simulate the table; per-interval service level and abandonment with CIs."""
    run = with_staffing(cfg, staff, seed)
    if replications is not None:
        run = dataclasses.replace(run, replications=replications)
    res = run_experiment(run, progress=False)
    iv = res.intervals[res.intervals.scope == "all"]
    out = {}
    for metric in ("service_level", "p_abandon"):
        wide = iv.pivot(index="replication", columns="t_start", values=metric)
        stats = [t_interval(wide[c].to_numpy(), level) for c in wide.columns]
        out[metric] = np.array(stats).T
    sl, ab = out["service_level"], out["p_abandon"]
    return Measured(sl[0], sl[1], sl[2], ab[0], ab[1], ab[2])


def misses(m: Measured, targets: Targets) -> np.ndarray:
    """Intervals whose mean misses a target (intervals without contacts never miss)."""
    sl = np.nan_to_num(m.sl, nan=1.0)
    ab = np.nan_to_num(m.abandon, nan=0.0)
    return (sl < targets.service_level) | (ab > targets.max_abandon)


@dataclass
class Search:
    """The result of :func:`optimize`: the table, its history and the simulations run."""

    erlang_a: np.ndarray
    erlang_c: np.ndarray
    staff: np.ndarray
    measured: Measured
    runs: int
    history: list[tuple[str, int]]


def optimize(cfg: Config, targets: Targets, max_runs: int = 200) -> Search:
    """The fewest agents per interval meeting the targets on ``cfg``'s random numbers."""
    _single(cfg)
    start = erlang_table(cfg, targets)
    bar = tqdm(desc="optimizer", unit="simulation", total=max_runs, disable=None, leave=False)
    try:
        return _search(cfg, targets, max_runs, start, bar)
    finally:
        bar.close()


def _search(cfg: Config, targets: Targets, max_runs: int, start: np.ndarray, bar: tqdm) -> Search:
    """Up until every interval meets the targets, then down while none fails."""
    staff, runs, history = start.copy(), 0, []
    while True:  # up
        m = measure(cfg, staff)
        runs += 1
        bar.update()
        bar.set_postfix(agents=int(staff.sum()), phase="up")
        miss = misses(m, targets)
        history.append(("up", int(staff.sum())))
        if not miss.any():
            break
        if runs >= max_runs:
            raise RuntimeError(f"no feasible table after {runs} simulations")
        staff = staff + miss.astype(int)
    frozen = staff == 0
    while runs < max_runs:  # down
        trial = staff - (~frozen).astype(int)
        if (trial == staff).all():
            break
        m_trial = measure(cfg, trial)
        runs += 1
        bar.update()
        bar.set_postfix(agents=int(trial.sum()), phase="down")
        bad = misses(m_trial, targets)
        if not bad.any():
            staff, m = trial, m_trial
            history.append(("down", int(staff.sum())))
            continue
        undo = _blame(trial < staff, bad)
        frozen |= undo
        history.append(("freeze", int(undo.sum())))
    return Search(start, erlang_table(cfg, targets, False), staff, m, runs, history)


def _blame(cut: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """The cuts to undo after a failed trial.

    For each failing interval, the nearest cut at or before it (its queue
    spills forward). Failures that no cut can explain stop all cuts.
    """
    undo = np.zeros_like(cut)
    for i in np.flatnonzero(bad):
        earlier = np.flatnonzero(cut[: i + 1])
        if len(earlier):
            undo[earlier[-1]] = True
    return undo if undo.any() else cut.copy()


def validate(
    cfg: Config,
    staff: np.ndarray,
    targets: Targets,
    seed: int,
    family: float = 0.05,
    replications: int | None = None,
) -> pd.DataFrame:
    """Per-interval results of ``staff`` on new random numbers, with a pass/fail flag.

    An interval fails when its Bonferroni-corrected CI (family-wise ``family``
    over the intervals with contacts) lies wholly below the service-level
    target or wholly above the abandonment cap. ``replications`` defaults to
    twice the search's, for narrower intervals.
    """
    rates = interval_rates(cfg)
    busy = int((rates > 0).sum())
    reps = replications or 2 * cfg.replications
    m = measure(cfg, staff, seed, level=1 - family / max(busy, 1), replications=reps)
    fail = (m.sl_high < targets.service_level) | (m.ab_low > targets.max_abandon)
    return pd.DataFrame(
        {
            "t_start": np.arange(len(staff)) * cfg.interval,
            "arrival_rate": rates,
            "agents": staff,
            "service_level": m.sl,
            "sl_low": m.sl_low,
            "sl_high": m.sl_high,
            "p_abandon": m.abandon,
            "ab_low": m.ab_low,
            "ab_high": m.ab_high,
            "fails": np.where(rates > 0, fail, False),
        }
    )
