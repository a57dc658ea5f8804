"""Validation rules for :class:`sim.config.schema.Config`.

Each rule raises :class:`~sim.config.errors.ConfigError` (a ``ValueError``)
whose message names the key path, the rule and the offending value. Checks
run once, when a ``Config`` is built (``__post_init__``) and again when a run
starts, because dataclasses stay mutable. The shared building blocks are in
:mod:`sim.config.checks.common`; each domain's rules in a sibling module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.config.base import DAY, WEEKDAYS, parse_date, run_days
from sim.config.checks.common import (
    LONGEST,
    _finite,
    check_arrival,
    check_cycle,
    check_distribution,
    check_hours,
    check_names,
    check_non_negative,
    check_positive,
    check_probability,
    check_safe_name,
    require,
    require_name,
)
from sim.config.errors import ConfigError

if TYPE_CHECKING:
    from sim.config.schema import AgentGroupConfig, Config, QueueConfig

ENGINES = ("auto", "simpy")  # Config.engine: see sim.express


def check_queue(q: QueueConfig, path: str, horizon: float) -> None:
    """Check one queue."""
    if q.arrival is not None:
        check_arrival(q.arrival, f"{path}.arrival", horizon)
        require(
            q.service is not None,
            f"{path}.service",
            "must be set when the queue has its own arrival",
            None,
        )
    if q.service is not None:
        check_distribution(q.service, f"{path}.service")
    if q.patience is not None:
        check_distribution(q.patience, f"{path}.patience", allow_infinite=True)
    if q.capacity is not None:
        require(q.capacity >= 1, f"{path}.capacity", "must be >= 1 or null", q.capacity)
    check_non_negative(q.sl_threshold, f"{path}.sl_threshold")
    check_probability(q.sl_target, f"{path}.sl_target")
    if q.service_profile:
        p = f"{path}.service_profile"
        check_positive(q.service_profile_interval, f"{path}.service_profile_interval")
        for i, f in enumerate(q.service_profile):
            check_positive(f, f"{p}[{i}]")
        require(q.arrival is not None, p, "applies to a queue's own arrivals (set arrival)", None)
        check_cycle(q.service_profile, q.service_profile_interval, horizon, p)
    check_non_negative(q.head_start, f"{path}.head_start")
    if q.balk.enabled:
        check_probability(q.balk.base, f"{path}.balk.base")
        check_non_negative(q.balk.per_waiting, f"{path}.balk.per_waiting")
        check_non_negative(q.balk.per_minute, f"{path}.balk.per_minute")
    if q.callback.enabled:
        check_non_negative(q.callback.offer_after, f"{path}.callback.offer_after")
        check_probability(q.callback.accept, f"{path}.callback.accept")
        check_non_negative(q.callback.dial, f"{path}.callback.dial")


def check_group(g: AgentGroupConfig, path: str, queues: dict[str, QueueConfig]) -> None:
    """Check one agent group and that its skills name existing queues."""
    require(g.count >= 0, f"{path}.count", "must be >= 0", g.count)
    for i, s in enumerate(g.skills):
        require_name(s, queues, f"{path}.skills[{i}]", "a queue")
    check_hours(g.hours, f"{path}.hours")


def check_run(c: Config) -> None:
    """Check names, run length, replications and output settings."""
    check_safe_name(c.name, "name")
    if c.study.name:
        check_safe_name(c.study.name, "study.name")
    for key in ("horizon", "warmup"):  # "365d" is read when the Config is made, not after
        value = getattr(c, key)
        require(
            isinstance(value, int | float) and not isinstance(value, bool),
            key,
            "must be a number of minutes when set on a built configuration "
            "(a duration such as '365d' is read by load_config and Config(...))",
            value,
        )
    check_positive(c.horizon, "horizon")
    require(
        _finite(c.warmup) and 0 <= c.warmup < c.horizon,
        "warmup",
        f"must be in [0, horizon={c.horizon})",
        c.warmup,
    )
    check_positive(c.interval, "interval")
    every = c.checkpoint.every
    require(
        isinstance(every, int | float) and _finite(every) and every >= 0 and every % DAY == 0,
        "checkpoint.every",
        "must be a whole number of days (1d, 7d, 1440...) or 0 (no checkpoint)",
        every,
    )
    require(c.replications >= 1, "replications", "must be >= 1", c.replications)
    require(c.workers >= 1, "workers", "must be >= 1", c.workers)
    require(c.seed >= 0, "seed", "must be >= 0", c.seed)
    require(
        _finite(c.fte_hours) and 0 < c.fte_hours <= 24,
        "fte_hours",
        "must be in (0, 24]",
        c.fte_hours,
    )
    if c.drain_limit is not None:
        check_non_negative(c.drain_limit, "drain_limit")
    require(c.engine in ENGINES, "engine", f"must be one of {', '.join(ENGINES)}", c.engine)
    check_start_date(c)
    check_record_days(c)


def check_record_days(c: Config) -> None:
    """Days of the run (1 = the first), each once, kept only where records are kept."""
    if not c.record_days:
        return
    if not c.keep_records:
        raise ConfigError(
            f"record_days={c.record_days} keeps the records of those days only, so it needs "
            "keep_records=true, got keep_records=false"
        )
    last = run_days(c.horizon)
    for i, d in enumerate(c.record_days):
        ok = isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= last
        require(ok, f"record_days[{i}]", f"must be a day of the run in 1..{last}", d)
    require(
        len(set(c.record_days)) == len(c.record_days),
        "record_days",
        "must name each day once",
        c.record_days,
    )


def check_start_date(c: Config) -> None:
    """A real ``YYYY-MM-DD`` date whose weekday is the one the demand and the shifts assume."""
    if c.start_date is None:
        return
    day = parse_date(c.start_date)
    require(
        day is not None, "start_date", "must be a date YYYY-MM-DD (e.g. 2027-01-05)", c.start_date
    )
    assumed = c.demand.start_weekday
    if day.weekday() != assumed and 0 <= assumed <= 6:
        raise ConfigError(
            f"start_date {c.start_date} is a {WEEKDAYS[day.weekday()]}, but "
            f"demand.start_weekday={assumed} makes day 0 a {WEEKDAYS[assumed]} (the weekly profile "
            f"and the shifts' weekdays read it): set demand.start_weekday={day.weekday()} too, "
            f"or choose a {WEEKDAYS[assumed]}"
        )


def check_shortcut_values(c: Config) -> None:
    """Check the textbook shortcuts by their own names (they feed other keys)."""
    if c.arrival_rate is not None:
        check_non_negative(c.arrival_rate, "arrival_rate")
    if c.mean_service is not None:
        check_positive(c.mean_service, "mean_service")
        require(
            c.mean_service <= LONGEST,
            "mean_service",
            f"must be at most {LONGEST:g}",
            c.mean_service,
        )
    if c.servers is not None:
        require(c.servers >= 1, "servers", "must be >= 1", c.servers)
    if c.mean_patience is not None:
        check_positive(c.mean_patience, "mean_patience")
    if c.capacity is not None:
        require(c.capacity >= 1, "capacity", "must be >= 1 or null", c.capacity)


def check_config(c: Config) -> None:
    """Check a whole configuration; raise ConfigError on the first broken rule.

    Types first (a configuration changed in Python may hold anything), then
    the rules of each part, then the size of the run (:mod:`sim.config.size`).
    """
    from sim.config.checks.cluster import check_cluster
    from sim.config.checks.journey import check_journey
    from sim.config.checks.outbound import check_outbound
    from sim.config.checks.outcomes import check_outcomes
    from sim.config.checks.phases import check_phases
    from sim.config.checks.stress import check_stress
    from sim.config.checks.tickets import check_tickets
    from sim.config.checks.workforce import check_workforce
    from sim.config.size import check_size
    from sim.config.typecheck import check_dataclass
    from sim.config.workforce import group_size

    check_dataclass(c)
    check_run(c)
    check_shortcut_values(c)
    require(len(c.queues) > 0, "queues", "must define at least one queue", {})
    require(len(c.agents) > 0, "agents", "must define at least one agent group", {})
    check_names(list(c.queues), "queues")
    check_names(list(c.agents), "agents")
    for name, q in c.queues.items():
        check_queue(q, f"queues.{name}", c.horizon)
    for name, g in c.agents.items():
        check_group(g, f"agents.{name}", c.queues)
    served = {q for g in c.agents.values() if group_size(g) > 0 for q in (g.skills or c.queues)}
    for name in c.queues:
        require(name in served, f"queues.{name}", "must be served by a group with agents", name)
    check_journey(c)
    check_workforce(c)
    check_outcomes(c)
    check_stress(c)
    check_outbound(c)
    check_tickets(c)
    check_phases(c)
    check_cluster(c.cluster)
    check_size(c)
