"""Bounds on the size of a run, checked before it starts.

An estimate of the work and the memory of a run from its configuration
alone, with scalar arithmetic (no array is built, so ``horizon=1e308`` or
``interval=1e-9`` cost nothing to refuse):

- contacts per replication: each queue's own arrivals (rate x mean profile
  x horizon, or its trace), plus the demand model's expected contacts
  (customers x segment shares x reason rates / 30 per day, with growth and
  the largest surge), doubled when the outcome model brings repeats, plus
  an inherited backlog;
- memory at its peak: the per-interval aggregates (every stratum x every
  reporting interval x every counted field, a few copies while chunks are
  reduced), the interval tables of all replications, the agents and, when
  ``keep_records`` is on, the per-contact records of all replications.

A run beyond :data:`WORK_LIMIT` contacts, or needing more than
:data:`MEMORY_SHARE` of this machine's memory, is refused with one line that
says what dominates and how to shrink it; ``force=true`` runs it anyway. A
run whose estimate is not even a finite number, or that would need many
times the machine's memory, is refused whatever ``force`` says. The
estimate is an order of magnitude, not a promise: it errs on the large side.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config.base import run_days
from sim.config.errors import SizeError

if TYPE_CHECKING:
    from sim.config.schema import Config, QueueConfig

WORK_LIMIT = 2e9  # contacts over all replications: about 11 hours at RATE
RATE = 50_000  # contacts per second of a full customer journey, for the time estimate
MEMORY_SHARE = 0.8
HOPELESS = 16.0  # times the machine's memory: refused even with force=true
FIELD_BYTES = 32 * 8  # counted fields (and backlog) per stratum and interval
AGGREGATE_COPIES = 4  # running sum, a chunk's partial, their merge, the tables
TABLE_BYTES = 40 * 8  # interval-table columns per scope and interval
RECORD_BYTES = 400  # a kept contact: its columns, its table row, its levels
AGENT_BYTES = 2_000
REPEAT_FACTOR = 2.0  # repeats and transfers with the outcome model on


@dataclass(frozen=True)
class Estimate:
    """Work and memory of a run, estimated from its configuration."""

    contacts: float  # per replication
    replications: int
    intervals: float
    agents: float
    aggregates: float  # bytes
    records: float  # bytes
    agent_memory: float  # bytes

    @property
    def total_contacts(self) -> float:
        """Contacts over all replications."""
        return self.contacts * self.replications

    @property
    def memory(self) -> float:
        """Bytes at the peak."""
        return self.aggregates + self.records + self.agent_memory


def _queue_contacts(q: QueueConfig, horizon: float) -> float:
    a = q.arrival
    if a is None:
        return 0.0
    if a.times:
        return float(sum(t < horizon for t in a.times))
    mean = sum(a.profile) / len(a.profile) if a.profile else 1.0
    return a.rate * mean * horizon


def _growth(rate: float, days: float) -> float:
    """Mean of ``(1 + rate) ** day`` over the run (upper side), inf when it overflows."""
    if rate <= 0:
        return 1.0
    exponent = days * math.log1p(rate)
    return math.inf if exponent > 700 else math.exp(exponent)


def demand_contacts(cfg: Config) -> float:
    """Expected contacts of the demand model in one replication (upper side)."""
    from sim.config.journey import lookup, volume_factor

    d = cfg.demand
    backlog = float(sum(b.count for b in d.backlog))
    if not d.customers:
        return backlog
    per_day = sum(
        d.customers * seg.share * lookup(r.rate, s, 0.0) / 30.0 * volume_factor(d, s, name)
        for s, seg in d.segments.items()
        for name, r in d.reasons.items()
    )
    days = cfg.horizon / 1440.0
    surge = max([1.0, *(s.factor for s in d.surges)])
    busy = 1.0 + 2.0 * d.busyness_cv
    contacts = per_day * days * _growth(d.growth_per_day, days) * surge * busy
    return contacts * (REPEAT_FACTOR if cfg.outcomes.enabled else 1.0) + backlog


def estimate(cfg: Config) -> Estimate:
    """The size of a run of ``cfg``."""
    from sim.config.workforce import group_size

    contacts = sum(_queue_contacts(q, cfg.horizon) for q in cfg.queues.values())
    contacts += demand_contacts(cfg)
    intervals = cfg.horizon / cfg.interval + 1
    strata = 2 + len(cfg.queues) + len(cfg.channels) + len(cfg.agents) + len(cfg.vendors)
    strata += len(cfg.demand.segments) + len(cfg.demand.reasons)
    scopes = 1 + len(cfg.queues) + len(cfg.channels)
    aggregates = intervals * (strata * FIELD_BYTES * AGGREGATE_COPIES)
    aggregates += intervals * scopes * TABLE_BYTES * cfg.replications
    agents = float(sum(group_size(g) for g in cfg.agents.values()))
    agent_memory = agents * AGENT_BYTES
    if cfg.stress.enabled:  # every agent's stress at every interval end, kept
        agent_memory += agents * intervals * 8 * 8 * cfg.replications
    records = contacts * cfg.replications * RECORD_BYTES if cfg.keep_records else 0.0
    if cfg.record_days:  # a sample of days (each also holds what earlier days left open)
        records *= min(1.0, len(cfg.record_days) / run_days(cfg.horizon))
    return Estimate(
        contacts, cfg.replications, intervals, agents, aggregates, records, agent_memory
    )


def machine_memory() -> float:
    """Bytes of memory of this machine (inf when the system does not say)."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return math.inf


def _memory_hint(e: Estimate) -> str:
    biggest = max(
        (e.records, "keep_records=false keeps aggregates only"),
        (e.aggregates, "a longer reporting interval (interval=...) or a shorter horizon"),
        (e.agent_memory, "fewer agents"),
    )
    return biggest[1]


def _gb(x: float) -> str:
    return f"{x / 1e9:,.1f} GB"


def check_size(cfg: Config) -> None:
    """Refuse a run whose estimated work or memory is absurd (see the module docstring)."""
    e = estimate(cfg)
    numbers = (e.total_contacts, e.memory, e.intervals, e.agents)
    if not all(math.isfinite(x) for x in numbers):
        raise SizeError(
            "this run cannot be simulated: its number of contacts or of reporting intervals "
            f"is not a finite number (contacts {e.total_contacts:.3g}, intervals "
            f"{e.intervals:.3g}); check horizon, interval, rates and customers"
        )
    have = machine_memory()
    if e.memory > HOPELESS * have:
        raise SizeError(
            f"this run would need about {_gb(e.memory)} of memory, {e.memory / have:,.0f} times "
            f"this machine's {_gb(have)}; it cannot run here ({_memory_hint(e)})"
        )
    if cfg.force:
        return
    if e.memory > MEMORY_SHARE * have:
        raise SizeError(
            f"this run would need about {_gb(e.memory)} of memory, more than "
            f"{MEMORY_SHARE:.0%} of this machine's {_gb(have)}; {_memory_hint(e)}, "
            "or add force=true to run it anyway"
        )
    if e.total_contacts > WORK_LIMIT:
        hours = e.total_contacts / RATE / 3600
        raise SizeError(
            f"this run would simulate about {e.total_contacts:.2g} contacts "
            f"({e.replications} replications x {e.contacts:.2g}), about {hours:,.0f} hours at "
            f"{RATE:,} contacts/s; shorten it (horizon, replications, rates) "
            "or add force=true to run it anyway"
        )
