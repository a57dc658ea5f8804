"""Demand from the customer base: arrival rate tables per (segment, reason).

The base is a count, never a list of customers. For each (segment, reason)
the expected contacts of day ``d`` are ``customers x share x rate / 30``
times a day factor (weekly weight x gamma busyness x growth), spread over
the day by the intraday shape, and multiplied by any surge covering the
interval and by the what-if factors of ``demand.scale`` (the reason's, and
the channels' weighted by the mix: :func:`sim.config.journey.volume_factor`;
the contacts' channel is then drawn from the scaled mix, ``demand_mix``).
Arrivals are then a non-homogeneous Poisson process on that rate table
(:mod:`sim.demand.arrivals`); :mod:`sim.demand.sources` makes the contacts.

Not modelled: customer-level memory across issues (repeat contacts and churn
come with the outcome model), correlation between channels beyond the
common day factor.
"""

from __future__ import annotations

import math

import numpy as np

from sim.config.base import DAY
from sim.config.journey import DemandConfig, lookup, volume_factor
from sim.config.schema import Config
from sim.demand.arrivals import RateTable


def shape(profile: list[float], n: int) -> np.ndarray:
    """Intraday weights normalised to sum 1 (uniform when empty)."""
    if not profile:
        return np.full(n, 1.0 / n)
    w = np.asarray(profile, dtype=float)
    return w / w.sum()


def day_factors(d: DemandConfig, n_days: int, rng: np.random.Generator) -> np.ndarray:
    """Weekly weight x busyness x growth for each day of the run."""
    days = np.arange(n_days)
    weekly = np.ones(7) if not d.weekly else np.asarray(d.weekly, float) / np.mean(d.weekly)
    factor = weekly[(d.start_weekday + days) % 7] * (1.0 + d.growth_per_day) ** days
    if d.busyness_cv > 0:
        k = 1.0 / d.busyness_cv**2
        factor = factor * rng.gamma(k, 1.0 / k, n_days)
    return factor


def surge_factor(d: DemandConfig, segment: str, reason: str, n: int) -> np.ndarray:
    """Product of the surges applying to (segment, reason), per interval."""
    factor = np.ones(n)
    starts = np.arange(n) * d.profile_interval
    for s in d.surges:
        if (s.segments and segment not in s.segments) or (s.reasons and reason not in s.reasons):
            continue
        factor[(starts >= s.start) & (starts < s.end)] *= s.factor
    return factor


def demand_tables(cfg: Config, rng_busy: np.random.Generator) -> dict[tuple[str, str], RateTable]:
    """Arrival rate tables over the horizon for every (segment, reason)."""
    d = cfg.demand
    per_day = round(DAY / d.profile_interval)
    n = max(1, math.ceil(cfg.horizon / d.profile_interval - 1e-9))
    n_days = math.ceil(n / per_day)
    days = np.repeat(day_factors(d, n_days, rng_busy), per_day)[:n]
    tables = {}
    for s, seg in d.segments.items():
        intraday = np.resize(shape(seg.profile or d.profile, per_day), n)
        for r, reason in d.reasons.items():
            daily = d.customers * seg.share * lookup(reason.rate, s) / 30.0
            daily *= volume_factor(d, s, r)  # demand.scale (what-ifs); 1 when not set
            rates = daily * days * intraday / d.profile_interval * surge_factor(d, s, r, n)
            tables[(s, r)] = RateTable(d.profile_interval, rates)
    return tables
