"""The root schema: the whole run (:class:`Config`), its queues, and registration with Hydra.

Every field is in minutes and per-minute rates unless its name says otherwise.
The dataclasses here only describe the model; the rules that a valid
configuration obeys live in :mod:`sim.config.checks`, which
``Config.__post_init__`` calls so that an invalid configuration never reaches
the simulation. The domains' schemas are siblings (``base``, ``journey``,
``workforce``, ``outcomes``, ``stress``, ``study``).

Deliberately not here: behaviour. ``sim.model.build`` turns a ``Config`` into
running parts, choosing implementations from the Enums below.
"""

from __future__ import annotations

import dataclasses
import datetime
import typing
from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore

from sim.config.base import ArrivalConfig, DistributionConfig
from sim.config.checkpoint import CheckpointConfig
from sim.config.cluster import ClusterConfig
from sim.config.journey import (
    ChannelConfig,
    DemandConfig,
    RouteConfig,
)
from sim.config.outbound import OutboundConfig
from sim.config.outcomes import (
    OutcomesConfig,
)
from sim.config.phases import PhasesConfig
from sim.config.stress import StressConfig
from sim.config.study import StudyConfig
from sim.config.tickets import TicketsConfig
from sim.config.workforce import (
    AgentGroupConfig,
    RoutingConfig,
    VendorConfig,
)


@dataclass
class CallbackConfig:
    """Callback / virtual hold offered to callers who join a long line (if ``enabled``).

    When a contact must wait and the contact at the head of its queue has
    already waited more than ``offer_after`` minutes (the head-of-line delay
    predictor, Ibrahim & Whitt 2009), it is offered a callback; it accepts with
    probability ``accept``. An accepted contact keeps its place in line but
    no longer abandons, and the agent who takes it spends ``dial`` extra
    minutes calling back (a mean covering unanswered attempts; the customer
    is always reached in the end). Its wait is reported as ``callback_wait``
    and left out of the live KPIs (``service_level``, ``asa``, ``p_wait``,
    waits), which are for callers on the line.

    Defaults: the offer threshold of 3 minutes is the Israeli rule for
    callback offers (Globes 2013, docs/calibration_omnichannel.md); 63 % of
    customers say they prefer a callback to waiting (CTS survey via Contaqt:
    weak, a vendor-reported figure), read here as 0.6; 0.5 minutes of dialling
    is our assumption.
    """

    enabled: bool = False
    offer_after: float = 3.0
    accept: float = 0.6
    dial: float = 0.5


@dataclass
class BalkConfig:
    """Callers who must wait and hang up at once (balking), counted apart from abandonment.

    A contact that finds no idle agent balks with probability
    ``min(1, base + per_waiting x contacts waiting + per_minute x head wait)``,
    where the head wait is how long the first contact in line has waited (the
    wait a centre would announce: the head-of-line predictor, Ibrahim & Whitt
    2009). A balked contact never joins the queue: it is not ``queued``, has
    no wait, and is counted in ``p_balk`` (balked / offered). ContactCenters
    (L'Ecuyer) models it the same way; it is what lets an exact multi-skill
    case with balking be expressed.
    """

    enabled: bool = False
    base: float = 0.0
    per_waiting: float = 0.0
    per_minute: float = 0.0


@dataclass
class QueueConfig:
    """One queue: where contacts of one type wait for an agent.

    A queue is fed by its own ``arrival`` process (textbook models), by the
    demand model through ``routes``, or both. Contacts from the demand model
    take handle time and patience from their channel unless the queue sets
    ``service`` / ``patience`` itself.

    Attributes:
        arrival: the queue's own arrival process (``null`` = none).
        service: handle time (talk + hold + wrap-up) with a standard agent.
        patience: time a contact is willing to wait; ``null`` = infinite.
        capacity: most contacts of this queue in the system (waiting plus in
            service); an arrival that finds it full is blocked. ``null`` =
            unlimited. Erlang B is ``capacity = servers``.
        priority: agents serve lower numbers first (non-preemptive); equal
            priorities are served oldest-first.
        sl_threshold: service-level threshold (answered within), minutes.
        sl_target: the service-level goal, used for staffing baselines.
        callback: callback / virtual hold offered on long waits (off by default).
        service_profile: multipliers of the handle time by interval of arrival
            (its own arrivals only), repeating every ``len x
            service_profile_interval`` minutes: handle times that change over
            the day within one queue (a calibrated centre's). Empty = none.
        service_profile_interval: length of a ``service_profile`` interval.
        head_start: minutes of a head start: its contacts are served as if
            they had waited this much longer than the contacts of the other
            queues of the same ``priority`` (a head start, not a strict
            priority; the bank's high-priority customers, Brown et al. 2005).
        balk: balking of callers who must wait (off by default).
    """

    arrival: ArrivalConfig | None = None
    service: DistributionConfig | None = None
    patience: DistributionConfig | None = None
    capacity: int | None = None
    priority: int = 0
    sl_threshold: float = 20.0 / 60.0
    sl_target: float = 0.8
    callback: CallbackConfig = field(default_factory=CallbackConfig)
    service_profile: list[float] = field(default_factory=list)
    service_profile_interval: float = 60.0
    head_start: float = 0.0
    balk: BalkConfig = field(default_factory=BalkConfig)


@dataclass
class Config:
    """The whole run: model, run length, replications and outputs.

    The five textbook shortcuts (``arrival_rate`` ... ``capacity``) are plain
    values that textbook scenario files interpolate into their queue and
    agent blocks, so that ``python run.py scenario=mmc servers=52`` works.
    A shortcut that the chosen scenario does not read is rejected.
    ``params`` holds a scenario's own named parameters (e.g. the in-house
    share of ``outsourcing_mix``), read by interpolation the same way.

    ``name`` names the run's folder, so it must be a plain name (letters,
    digits, ``_ - .``). ``overwrite`` lets a run replace an earlier result of
    another configuration in its output folder (files no run wrote are never
    touched); ``force`` runs a configuration whose estimated size is beyond
    the sanity bounds of :mod:`sim.config.size`. ``fte_hours`` is the paid
    hours of one full-time agent per working day, the unit of the ``fte``
    rows (:mod:`sim.workforce.headcount`). ``intervals=false`` keeps the
    aggregates per day instead of per reporting interval, for months and years
    (``docs/long_runs.md``): the KPIs, ``days.csv`` and ``weeks.csv`` are the
    same, ``intervals.csv`` has no rows and the plots over the day are skipped.
    ``record_days`` (days of the run, 1 = the first, as in ``days.csv``) keeps,
    of the records, only the legs, cases and agent spells that reach into one
    of those days (:func:`sim.core.calendar.overlaps_days`); empty keeps them
    all. The aggregates, KPIs and period tables still cover every day; the
    exact ``levels`` table is not made from such a sample.
    ``engine``: ``auto`` runs a plain textbook queue (one queue with its own
    arrivals, one group of always-present single-slot agents, nothing else
    attached) in the express loop of :mod:`sim.express`, the same events and
    records as SimPy's loop in about half the time; ``simpy`` always runs
    SimPy's loop with the general router (a check of the express loop, or a
    debugger's choice).
    ``start_date`` (``YYYY-MM-DD``) dates the run: time 0 is that day's
    midnight, the day and week tables get a ``date`` column and a run that
    reaches into a second calendar month gets ``months.csv``
    (:func:`sim.core.calendar.month_starts`). Its weekday must be
    ``demand.start_weekday`` (checked), which is what the demand's weekly
    profile and the shifts' weekdays read.
    """

    name: str = "custom"
    description: str = ""
    seed: int = 2026
    replications: int = 10
    horizon: int | float | str = 600.0  # minutes, or "365d", "2w", "12h" (read as minutes)
    warmup: int | float | str = 0.0
    start_date: str | None = None  # "2027-01-05": time 0 is that midnight (dates, months.csv)
    interval: float = 30.0
    drain: bool = True
    drain_limit: float | None = None
    engine: str = "auto"  # auto: the express loop where it applies; simpy: never
    workers: int = 1
    keep_records: bool = True
    record_days: list[int] = field(default_factory=list)  # [1, 100]: records of these days only
    intervals: bool = True  # false: aggregates per day only (memory flat in the horizon)
    plots: bool = True
    progress: bool = True
    overwrite: bool = False
    force: bool = False
    fte_hours: float = 8.0
    arrival_rate: float | None = None
    mean_service: float | None = None
    servers: int | None = None
    mean_patience: float | None = None
    capacity: int | None = None
    queues: dict[str, QueueConfig] = field(default_factory=dict)
    agents: dict[str, AgentGroupConfig] = field(default_factory=dict)
    channels: dict[str, ChannelConfig] = field(default_factory=dict)
    demand: DemandConfig = field(default_factory=DemandConfig)
    routes: list[RouteConfig] = field(default_factory=list)
    routing: RoutingConfig = field(default_factory=RoutingConfig)
    outcomes: OutcomesConfig = field(default_factory=OutcomesConfig)
    stress: StressConfig = field(default_factory=StressConfig)
    outbound: OutboundConfig = field(default_factory=OutboundConfig)
    vendors: dict[str, VendorConfig] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    study: StudyConfig = field(default_factory=StudyConfig)
    tickets: TicketsConfig = field(default_factory=TicketsConfig)
    phases: PhasesConfig = field(default_factory=PhasesConfig)  # months of life (sim.study.phases)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    checkpoint: CheckpointConfig = field(default_factory=CheckpointConfig)

    def __post_init__(self) -> None:
        from sim.config.base import minutes
        from sim.config.checks import check_config

        self.horizon = minutes(self.horizon, "horizon")
        self.warmup = minutes(self.warmup, "warmup")
        if isinstance(self.start_date, datetime.date) and not isinstance(
            self.start_date, datetime.datetime
        ):
            self.start_date = self.start_date.isoformat()  # Config(start_date=date(2027, 1, 5))
        check_config(self)


TEXTBOOK_SHORTCUTS = ("arrival_rate", "mean_service", "servers", "mean_patience", "capacity")


def register_configs(entries: bool = True) -> None:
    """Register the schemas in Hydra's ConfigStore, each once per process.

    ``base_config`` is the root schema every composition starts from;
    ``entries`` also registers ``schema/<Class>/base`` for each schema that is
    the value of a dict (``+agents.extra={...}`` adds through these,
    :func:`sim.config.compose.with_new_entries`). Storing a schema builds its
    whole structured config (a few hundredths of a second), so a schema the
    store holds already is not stored again; the store itself is Hydra's, and
    Hydra hands it to the workers of a sweep.
    """
    store = ConfigStore.instance()
    if "base_config.yaml" not in store.repo:
        store.store(name="base_config", node=Config)
    if entries:
        held = store.repo.get("schema", {})
        for cls in entry_schemas():
            if cls.__name__ not in held:
                store.store(group=f"schema/{cls.__name__}", name="base", node=cls)
    register_resolvers()


def entry_schemas(cls: type | None = None) -> list[type]:
    """Schema classes that are the values of dicts in the configuration (queues, agents, ...)."""
    from sim.config.typecheck import field_types, optional_of

    found: list[type] = []
    for tp in field_types(cls or Config).values():
        tp = optional_of(tp)[0]
        if typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
            if dataclasses.is_dataclass(tp) and tp not in found:
                found.append(tp)
        if dataclasses.is_dataclass(tp):
            found += [c for c in entry_schemas(tp) if c not in found]
    return found


def register_resolvers() -> None:
    """Arithmetic for scenario files (idempotent).

    ``${ccsim.share:100,0.3}`` = 30 (rounded), ``${ccsim.rest:0.3}`` = 0.7,
    ``${ccsim.sub:10,3}`` = 7, ``${ccsim.add:6,3}`` = 9, ``${ccsim.mul:0.2,1.5}`` = 0.3,
    ``${ccsim.sum:0.75,-0.1}`` = 0.65.
    """
    from omegaconf import OmegaConf

    if not OmegaConf.has_resolver("ccsim.share"):
        OmegaConf.register_new_resolver(
            "ccsim.share", lambda total, share: round(float(total) * float(share))
        )
        OmegaConf.register_new_resolver("ccsim.rest", lambda share: 1.0 - float(share))
        OmegaConf.register_new_resolver("ccsim.sub", lambda a, b: int(a) - int(b))
        OmegaConf.register_new_resolver("ccsim.add", lambda a, b: int(a) + int(b))
        OmegaConf.register_new_resolver("ccsim.mul", lambda a, b: float(a) * float(b))
        OmegaConf.register_new_resolver("ccsim.sum", lambda a, b: float(a) + float(b))
