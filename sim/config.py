"""Typed configuration schemas (Hydra structured configs).

Every field is in minutes and per-minute rates unless its name says otherwise.
The dataclasses here only describe the model; the rules that a valid
configuration obeys live in :mod:`sim.checks`, which ``Config.__post_init__``
calls so that an invalid configuration never reaches the simulation.

Deliberately not here: behaviour. ``sim.model.build`` turns a ``Config`` into
running parts, choosing implementations from the Enums below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from hydra.core.config_store import ConfigStore


class DistKind(Enum):
    """Families of distributions a duration can follow."""

    exponential = "exponential"
    lognormal = "lognormal"
    gamma = "gamma"
    deterministic = "deterministic"
    empirical = "empirical"
    trace = "trace"


@dataclass
class DistributionConfig:
    """A non-negative random duration, in minutes.

    Attributes:
        kind: distribution family.
        mean: mean in minutes (the constant for ``deterministic``). For a
            patience distribution ``null`` means "never abandons".
        cv: coefficient of variation (lognormal and gamma only).
        values: support points (empirical), or the successive draws
            themselves, repeated cyclically (trace: replays recorded data).
        weights: probabilities of ``values`` (empirical only; empty = equal).
    """

    kind: DistKind = DistKind.exponential
    mean: float | None = 1.0
    cv: float = 1.0
    values: list[float] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)


@dataclass
class ArrivalConfig:
    """Poisson arrivals with an optional piecewise-constant, cyclic profile.

    The rate in profile interval ``i`` is ``rate * profile[i]``; the profile
    repeats every ``len(profile) * profile_interval`` minutes from time 0.
    An empty profile means a homogeneous Poisson process. A non-empty
    ``times`` replays those arrival instants instead (a recorded trace);
    ``rate`` and ``profile`` are then ignored.
    """

    rate: float = 1.0
    profile: list[float] = field(default_factory=list)
    profile_interval: float = 30.0
    times: list[float] = field(default_factory=list)


@dataclass
class QueueConfig:
    """One queue: where contacts of one type wait for an agent.

    Attributes:
        arrival: the arrival process feeding this queue.
        service: handle time (talk + hold + wrap-up) with a standard agent.
        patience: time a contact is willing to wait; ``null`` = infinite.
        capacity: most contacts of this queue in the system (waiting plus in
            service); an arrival that finds it full is blocked. ``null`` =
            unlimited. Erlang B is ``capacity = servers``.
        priority: agents serve lower numbers first (non-preemptive); equal
            priorities are served oldest-first.
        sl_threshold: service-level threshold (answered within), minutes.
        sl_target: the service-level goal, used for staffing baselines.
    """

    arrival: ArrivalConfig = field(default_factory=ArrivalConfig)
    service: DistributionConfig = field(default_factory=DistributionConfig)
    patience: DistributionConfig | None = None
    capacity: int | None = None
    priority: int = 0
    sl_threshold: float = 20.0 / 60.0
    sl_target: float = 0.8


@dataclass
class AgentGroupConfig:
    """A group of identical agents.

    Attributes:
        count: number of agents, all present for the whole run.
        skills: names of the queues the group serves; empty = every queue.
    """

    count: int = 1
    skills: list[str] = field(default_factory=list)


@dataclass
class Config:
    """The whole run: model, run length, replications and outputs.

    The five textbook shortcuts (``arrival_rate`` ... ``capacity``) are plain
    values that textbook scenario files interpolate into their queue and
    agent blocks, so that ``python run.py scenario=mmc servers=52`` works.
    A shortcut that the chosen scenario does not read is rejected.
    """

    name: str = "custom"
    description: str = ""
    seed: int = 2026
    replications: int = 10
    horizon: float = 600.0
    warmup: float = 0.0
    interval: float = 30.0
    drain: bool = True
    drain_limit: float | None = None
    workers: int = 1
    keep_records: bool = True
    plots: bool = True
    progress: bool = True
    arrival_rate: float | None = None
    mean_service: float | None = None
    servers: int | None = None
    mean_patience: float | None = None
    capacity: int | None = None
    queues: dict[str, QueueConfig] = field(default_factory=dict)
    agents: dict[str, AgentGroupConfig] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from sim.checks import check_config

        check_config(self)


TEXTBOOK_SHORTCUTS = ("arrival_rate", "mean_service", "servers", "mean_patience", "capacity")


def register_configs() -> None:
    """Register the schemas in Hydra's ConfigStore (idempotent)."""
    store = ConfigStore.instance()
    store.store(name="base_config", node=Config)
    store.store(group="schema/queue", name="base", node=QueueConfig)
    store.store(group="schema/agents", name="base", node=AgentGroupConfig)
