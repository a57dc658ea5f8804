"""Backtest: the calibrated scenario against the log it came from, and against Erlang A.

Two comparisons, both measured with :mod:`sim.data.observed` on the log and
on the simulated records alike:

- **day by day**: every day of the log is simulated with its own arrival
  instants (replayed) and its own effective staffing per interval, with the
  calibrated handle times and patience drawn afresh in each replication;
- **the typical day** of the calibrated day type: the scenario itself
  (Poisson arrivals on the estimated profile with the day factor, the mean
  effective staffing), against the mean of the log's days of that type.

For each interval, Erlang A (:func:`sim.analytic.erlang_a`, the fractional
staffing interpolated between its two neighbours) predicts the same KPIs
from the interval's arrival rate, handle time and patience. Uncertainty: the
simulation's over its replications (a t-interval of the mean; per day and
interval also the 2.5-97.5 % band of single replications, against which one
day of the log is a single draw), the log's by a bootstrap over its days.
The accuracy table gives, per KPI, the mean absolute error over intervals
with at least :data:`MIN_OFFERED` contacts, and the share of those whose log
value falls inside the simulation's band.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm.autonotebook import tqdm  # tqdm.auto would import asyncio (~0.1 s)

from sim.analytic import erlang_a
from sim.config import Config
from sim.core.distributions import from_config
from sim.data.observed import KPIS, bootstrap_days, cell_counts, pooled, records_to_log
from sim.metrics.stats import t_interval

MIN_OFFERED = 10
RATES = ("p_abandon", "asa", "service_level", "p_wait", "occupancy")
TYPICAL = pd.Timestamp("2000-01-03")  # the day label of the simulated typical day


@dataclass
class Backtest:
    """The tables of a backtest."""

    cells: pd.DataFrame  # day, t_start, source, KPIs (+ low/high)
    typical: pd.DataFrame  # t_start, source, KPIs (+ low/high)
    overall: pd.DataFrame  # scope, source, metric, value, low, high
    accuracy: pd.DataFrame  # comparison, source, metric, mae, inside, cells


def _run(cfg: Config, day: pd.Timestamp, staffing: pd.DataFrame) -> pd.DataFrame:
    from sim.runner import run_experiment

    res = run_experiment(cfg, progress=False)
    log = records_to_log(res.contacts, day)
    return cell_counts(
        log, cfg.interval, cfg.queues["calls"].sl_threshold, staffing, ("replication", "day")
    )


def _day_config(base: Config, arrivals: np.ndarray, staffing: np.ndarray, reps: int) -> Config:
    cfg = copy.deepcopy(base)
    q = cfg.queues["calls"]
    q.arrival.times = sorted(float(t) for t in arrivals if 0 <= t < cfg.horizon)
    q.arrival.busyness_cv = 0.0
    cfg.agents["agents"].staffing = [float(v) for v in staffing]
    cfg.replications, cfg.keep_records, cfg.plots, cfg.progress = reps, True, False, False
    return cfg


def simulate_days(
    base: Config, log: pd.DataFrame, staffing: pd.DataFrame, reps: int
) -> pd.DataFrame:
    """Counts per replication, day and interval of every day of the log, simulated."""
    frames = []
    replications = pd.DataFrame({"replication": range(reps)})
    days = log.groupby("day", sort=True)
    for day, part in tqdm(days, desc="backtest", unit="day", disable=None, leave=False):
        effective = staffing[staffing.day == day].sort_values("t_start")
        cfg = _day_config(base, part.t_arrival.to_numpy(), effective.effective.to_numpy(), reps)
        per_rep = effective[["day", "t_start", "effective"]].merge(replications, how="cross")
        frames.append(_run(cfg, day, per_rep))
    return pd.concat(frames, ignore_index=True)


def simulate_typical(base: Config, typical: pd.DataFrame, reps: int) -> pd.DataFrame:
    """Counts per replication and interval of the calibrated scenario itself."""
    cfg = copy.deepcopy(base)
    cfg.replications, cfg.keep_records, cfg.plots, cfg.progress = reps, True, False, False
    staffing = typical[["t_start", "effective"]].assign(day=TYPICAL)
    staffing = staffing.merge(pd.DataFrame({"replication": range(reps)}), how="cross")
    return _run(cfg, TYPICAL, staffing)


def _erlang_cell(lam: float, mean: float, agents: float, patience: float, threshold: float) -> dict:
    if lam <= 0 or agents < 1 or not np.isfinite(agents):
        return dict.fromkeys(RATES, np.nan)
    lo = int(np.floor(agents))
    w = agents - lo
    parts = [erlang_a(lam, mean, n, patience, threshold) for n in (lo, lo + 1)]
    mix = lambda f: (1 - w) * getattr(parts[0], f) + w * getattr(parts[1], f)  # noqa: E731
    names = {"asa": "mean_wait_served"}
    return {k: mix(names.get(k, k)) for k in RATES}


def erlang_cells(counts: pd.DataFrame, base: Config, interval: float) -> pd.DataFrame:
    """Erlang A's KPIs per cell from its offered contacts and staffing (``staffed / interval``)."""
    q = base.queues["calls"]
    mean, patience = from_config(q.service).mean, from_config(q.patience).mean
    factors, every = q.service_profile or [1.0], q.service_profile_interval
    rows = []
    for r in counts.itertuples():
        f = factors[int(r.t_start // every) % len(factors)]
        cell = _erlang_cell(
            r.offered / interval, mean * f, r.staffed / interval, patience, q.sl_threshold
        )
        rows.append({"day": r.day, "t_start": r.t_start, "offered": r.offered, **cell})
    return pd.DataFrame(rows)


def _sim_summary(counts: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Mean, t-interval of the mean, and the 2.5-97.5 % band of replications, per cell."""
    per_rep = pooled(counts, [*by, "replication"])
    rows = []
    for key, g in per_rep.groupby(by, sort=True):
        row = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        for k in KPIS:
            v = g[k].to_numpy(float)
            mean, lo, hi = t_interval(v)
            v = v[~np.isnan(v)]
            band = np.percentile(v, [2.5, 97.5]) if len(v) else (np.nan, np.nan)
            row |= {
                k: mean,
                f"{k}_low": lo,
                f"{k}_high": hi,
                f"{k}_band_low": band[0],
                f"{k}_band_high": band[1],
            }
        rows.append(row)
    return pd.DataFrame(rows)


def _log_summary(counts: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    values = (
        pooled(counts, by)[[*by, *KPIS]] if by else pooled(counts.assign(scope="all"), ["scope"])
    )
    key = by or ["scope"]
    ci = bootstrap_days(counts if by else counts.assign(scope="all"), key)
    return values.merge(ci, on=key)


def run_backtest(
    base: Config,
    log: pd.DataFrame,
    staffing: pd.DataFrame,
    typical: pd.DataFrame,
    typical_days: list[pd.Timestamp],
    reps: int = 20,
) -> Backtest:
    """Simulate every day and the typical day; compare with the log and Erlang A."""
    interval, threshold = base.interval, base.queues["calls"].sl_threshold
    observed = cell_counts(log, interval, threshold, staffing)
    days_sim = simulate_days(base, log, staffing, reps)
    typ_sim = simulate_typical(base, typical, reps)
    erl = erlang_cells(observed, base, interval)
    cells = _cells(observed, days_sim, erl)
    own = observed[observed.day.isin(typical_days)]
    typ = _typical(own, typ_sim, typical, base, interval)
    overall = _overall(observed, days_sim, erl, own, typ_sim, typ)
    return Backtest(cells, typ, overall, accuracy(cells, typ))


def _cells(observed: pd.DataFrame, days_sim: pd.DataFrame, erl: pd.DataFrame) -> pd.DataFrame:
    log = pooled(observed, ["day", "t_start"]).assign(source="log")
    sim = _sim_summary(days_sim, ["day", "t_start"]).assign(source="simulation")
    erl = erl.assign(source="Erlang A")
    return pd.concat([log, sim, erl], ignore_index=True)


def _typical(
    own: pd.DataFrame, typ_sim: pd.DataFrame, typical: pd.DataFrame, base: Config, interval: float
) -> pd.DataFrame:
    log = _log_summary(own, ["t_start"]).assign(source="log")
    days = own.day.nunique()
    per_day = pooled(own, ["t_start"]).assign(day=TYPICAL)
    per_day["offered"] = per_day.offered / days
    per_day["staffed"] = (
        typical.set_index("t_start").effective.reindex(per_day.t_start).to_numpy() * interval
    )
    log["offered"] = log.offered / days
    for side in ("low", "high"):
        log[f"offered_{side}"] = log[f"offered_{side}"] / days
    sim = _sim_summary(typ_sim, ["t_start"]).assign(source="simulation")
    erl = erlang_cells(per_day, base, interval).assign(source="Erlang A")
    return pd.concat([log, sim, erl], ignore_index=True)


def _overall(
    observed: pd.DataFrame,
    days_sim: pd.DataFrame,
    erl: pd.DataFrame,
    own: pd.DataFrame,
    typ_sim: pd.DataFrame,
    typ: pd.DataFrame,
) -> pd.DataFrame:
    rows = []
    for scope, log_counts, sim_counts in (
        ("all days", observed, days_sim),
        ("typical day", own, typ_sim),
    ):
        lg = _log_summary(log_counts, [])
        sim = _sim_summary(sim_counts.assign(scope=scope), ["scope"])
        for k in RATES:
            rows.append(
                (scope, "log", k, lg[k].iloc[0], lg[f"{k}_low"].iloc[0], lg[f"{k}_high"].iloc[0])
            )
            rows.append(
                (
                    scope,
                    "simulation",
                    k,
                    sim[k].iloc[0],
                    sim[f"{k}_low"].iloc[0],
                    sim[f"{k}_high"].iloc[0],
                )
            )
    typical_erl = typ[typ.source == "Erlang A"]
    typical_counts = pooled(own, ["t_start"]).assign(day=TYPICAL)
    for scope, e, counts in (
        ("all days", erl, observed),
        ("typical day", typical_erl, typical_counts),
    ):
        rows += [
            (scope, "Erlang A", k, v, np.nan, np.nan) for k, v in _erlang_overall(e, counts).items()
        ]
    return pd.DataFrame(rows, columns=["scope", "source", "metric", "value", "low", "high"])


def _erlang_overall(erl: pd.DataFrame, observed: pd.DataFrame) -> dict[str, float]:
    """Erlang A pooled over every cell, each weighted as the log weighs it."""
    e = erl.merge(
        observed[["day", "t_start", "queued", "served", "staffed"]], on=["day", "t_start"]
    )
    e = e[e.p_abandon.notna()]
    w = e.offered
    return {
        "p_abandon": float((e.p_abandon * w).sum() / w.sum()),
        "asa": float((e.asa * e.served).sum() / e.served.sum()),
        "service_level": float((e.service_level * w).sum() / w.sum()),
        "p_wait": float((e.p_wait * w).sum() / w.sum()),
        "occupancy": float((e.occupancy * e.staffed).sum() / e.staffed.sum()),
    }


def accuracy(cells: pd.DataFrame, typical: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute error per interval, and the share of intervals inside the simulation's band."""
    rows = []
    for name, table, key, band in (
        ("day by day", cells, ["day", "t_start"], "band"),
        ("typical day", typical, ["t_start"], ""),
    ):
        log = table[table.source == "log"].set_index(key)
        busy = (
            log.offered >= MIN_OFFERED if name == "day by day" else log.offered >= MIN_OFFERED / 5
        )
        log = log[busy]
        sim = table[table.source == "simulation"].set_index(key).reindex(log.index)
        erl = table[table.source == "Erlang A"].set_index(key).reindex(log.index)
        for k in RATES:
            lo, hi = (f"{k}_band_low", f"{k}_band_high") if band else (f"{k}_low", f"{k}_high")
            inside = ((log[k] >= sim[lo]) & (log[k] <= sim[hi]))[log[k].notna()]
            for source, other in (("simulation", sim), ("Erlang A", erl)):
                err = (other[k] - log[k]).abs()
                share = float(inside.mean()) if source == "simulation" else np.nan
                rows.append((name, source, k, float(err.mean()), share, int(err.notna().sum())))
    return pd.DataFrame(rows, columns=["comparison", "source", "metric", "mae", "inside", "cells"])
