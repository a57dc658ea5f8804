"""Validation rules for channels, the demand model, self-service, IVR and routes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sim.config.base import DAY
from sim.config.checks.common import (
    check_distribution,
    check_hours,
    check_mix,
    check_names,
    check_non_negative,
    check_positive,
    check_probability,
    require,
    require_name,
)
from sim.config.journey import (
    ChannelConfig,
    DemandConfig,
    IvrConfig,
    SelfServiceConfig,
    channel_mix,
    route_of,
)

if TYPE_CHECKING:
    from sim.config.schema import Config

FAILURE_KEYS = ("agent", "switch", "give_up")


def _check_keys(keys: Iterable[str], allowed: list[str], path: str, what: str) -> None:
    for k in keys:
        require_name(k, allowed, f"{path}.{k}", f"a {what} or 'default'")


def check_self_service(ss: SelfServiceConfig, c: Config, path: str) -> None:
    """Check a self-service step."""
    check_probability(ss.share, f"{path}.share")
    check_distribution(ss.time, f"{path}.time")
    check_distribution(ss.retry_delay, f"{path}.retry_delay")
    _check_keys(ss.success, [*c.demand.reasons, "default"], f"{path}.success", "reason")
    for k, p in ss.success.items():
        check_probability(p, f"{path}.success.{k}")
    check_non_negative(ss.success_scale, f"{path}.success_scale")
    _check_keys(ss.on_failure, list(FAILURE_KEYS), f"{path}.on_failure", "failure branch")
    check_mix(list(ss.on_failure.values()), f"{path}.on_failure")
    switching = ss.on_failure.get("switch", 0.0) > 0 or (
        c.demand.automation_only and ss.on_failure.get("agent", 0.0) > 0
    )
    if switching or ss.switch_to:
        _check_keys(ss.switch_to, list(c.channels), f"{path}.switch_to", "channel")
        require(
            len(ss.switch_to) > 0,
            f"{path}.switch_to",
            "must list channels when customers switch",
            {},
        )
        check_mix(list(ss.switch_to.values()), f"{path}.switch_to")


def check_ivr(ivr: IvrConfig, c: Config, path: str) -> None:
    """Check an IVR."""
    check_distribution(ivr.identification, f"{path}.identification")
    check_distribution(ivr.time_per_level, f"{path}.time_per_level")
    check_distribution(ivr.transfer_time, f"{path}.transfer_time")
    _check_keys(ivr.menu_levels, [*c.demand.segments, "default"], f"{path}.menu_levels", "segment")
    for k, n in ivr.menu_levels.items():
        require(n >= 0, f"{path}.menu_levels.{k}", "must be >= 0", n)
    check_probability(ivr.misroute, f"{path}.misroute")
    if ivr.ports is not None:
        require(ivr.ports >= 1, f"{path}.ports", "must be >= 1 or null", ivr.ports)
    if ivr.self_service is not None:
        check_self_service(ivr.self_service, c, f"{path}.self_service")


def check_channel(ch: ChannelConfig, c: Config, path: str) -> None:
    """Check one channel."""
    check_distribution(ch.handle, f"{path}.handle")
    if ch.patience is not None:
        check_distribution(ch.patience, f"{path}.patience", allow_infinite=True)
    check_non_negative(ch.sl_threshold, f"{path}.sl_threshold")
    check_probability(ch.sl_target, f"{path}.sl_target")
    if ch.self_service is not None:
        check_self_service(ch.self_service, c, f"{path}.self_service")
    if ch.ivr is not None:
        check_ivr(ch.ivr, c, f"{path}.ivr")
    check_hours(ch.hours, f"{path}.hours")
    if ch.closed_to:
        require_name(ch.closed_to, c.channels, f"{path}.closed_to", "a channel")
        require(
            bool(ch.hours), f"{path}.closed_to", "needs hours (a channel that closes)", ch.closed_to
        )


def _check_profile(profile: list[float], interval: float, path: str) -> None:
    if not profile:
        return
    n = round(DAY / interval)
    require(
        len(profile) == n,
        path,
        f"must have {n} entries (24 h of {interval:g}-minute intervals)",
        len(profile),
    )
    for i, w in enumerate(profile):
        check_non_negative(w, f"{path}[{i}]")
    require(sum(profile) > 0, path, "must have a positive entry", profile)


def check_demand_shape(d: DemandConfig) -> None:
    """Profile, weekly pattern, busyness, growth and surges."""
    check_positive(d.profile_interval, "demand.profile_interval")
    per_day = DAY / d.profile_interval
    require(
        abs(per_day - round(per_day)) < 1e-9,
        "demand.profile_interval",
        "must divide 1440 (a day)",
        d.profile_interval,
    )
    _check_profile(d.profile, d.profile_interval, "demand.profile")
    if d.weekly:
        require(
            len(d.weekly) == 7, "demand.weekly", "must have 7 entries (Monday first)", len(d.weekly)
        )
        for i, w in enumerate(d.weekly):
            check_non_negative(w, f"demand.weekly[{i}]")
        require(sum(d.weekly) > 0, "demand.weekly", "must have a positive entry", d.weekly)
    require(
        0 <= d.start_weekday <= 6,
        "demand.start_weekday",
        "must be in 0..6 (0 = Monday)",
        d.start_weekday,
    )
    check_non_negative(d.busyness_cv, "demand.busyness_cv")
    require(d.growth_per_day > -1, "demand.growth_per_day", "must be > -1", d.growth_per_day)
    for i, s in enumerate(d.surges):
        p = f"demand.surges[{i}]"
        require(0 <= s.start < s.end, f"{p}.end", f"must be after start={s.start} >= 0", s.end)
        for key, t in (("start", s.start), ("end", s.end)):
            k = t / d.profile_interval
            require(
                abs(k - round(k)) < 1e-9,
                f"{p}.{key}",
                f"must be a multiple of demand.profile_interval ({d.profile_interval:g})",
                t,
            )
        check_non_negative(s.factor, f"{p}.factor")
        _check_keys(s.reasons, list(d.reasons), f"{p}.reasons", "reason")
        _check_keys(s.segments, list(d.segments), f"{p}.segments", "segment")


def check_scale(c: Config) -> None:
    """What-if factors: ``demand.scale`` keys name a channel or a reason; factors >= 0."""
    d = c.demand
    names = sorted({*c.channels, *d.reasons})
    for key, factor in d.scale.items():
        p = f"demand.scale.{key}"
        require(key in names, p, f"must name a channel or a reason ({names})", key)
        require(
            not (key in c.channels and key in d.reasons),
            p,
            "is ambiguous: a channel and a reason have that name",
            key,
        )
        check_non_negative(factor, p)
    check_non_negative(d.self_service_scale, "demand.self_service_scale")


def check_demand(c: Config) -> None:
    """Customer base, segments, reasons and channel mixes."""
    d = c.demand
    check_scale(c)
    require(d.customers >= 0, "demand.customers", "must be >= 0", d.customers)
    if d.customers == 0 and not d.backlog:
        return
    require(len(c.channels) > 0, "channels", "must define channels when demand.customers > 0", {})
    require(len(d.segments) > 0, "demand.segments", "must define at least one segment", {})
    require(len(d.reasons) > 0, "demand.reasons", "must define at least one reason", {})
    check_names(list(d.segments), "demand.segments")
    check_names(list(d.reasons), "demand.reasons")
    check_mix([s.share for s in d.segments.values()], "demand.segments (shares)")
    for name, s in d.segments.items():
        _check_profile(s.profile, d.profile_interval, f"demand.segments.{name}.profile")
    for name, r in d.reasons.items():
        _check_keys(r.rate, [*d.segments, "default"], f"demand.reasons.{name}.rate", "segment")
        for k, v in r.rate.items():
            check_non_negative(v, f"demand.reasons.{name}.rate.{k}")
        for seg in d.segments:
            require(
                seg in r.rate or "default" in r.rate,
                f"demand.reasons.{name}.rate",
                f"must give a rate for segment '{seg}' or a default",
                r.rate,
            )
        check_positive(r.handle_factor, f"demand.reasons.{name}.handle_factor")
    check_channel_mix(c)
    check_demand_shape(d)


def check_channel_mix(c: Config) -> None:
    """Every mix names channels and sums to 1; every (segment, reason) has one."""
    d = c.demand
    for key, mix in d.channel_mix.items():
        _check_keys(mix, list(c.channels), f"demand.channel_mix.{key}", "channel")
        check_mix(list(mix.values()), f"demand.channel_mix.{key}")
    for seg in d.segments:
        for reason in d.reasons:
            try:
                channel_mix(d, seg, reason)
            except KeyError:
                require(
                    False,
                    "demand.channel_mix",
                    f"must cover segment '{seg}', reason '{reason}' (add 'default')",
                    sorted(d.channel_mix),
                )


def _routed_channels(c: Config) -> set[str]:
    """Channels whose contacts can reach routing (not stopped by automation only)."""
    out = set()
    for name, ch in c.channels.items():
        ss = ch.ivr.self_service if ch.ivr is not None else ch.self_service
        agent = (
            ss is not None and ss.on_failure.get("agent", 0) > 0 and not c.demand.automation_only
        )
        if ss is None or ss.share < 1 or agent:
            out.add(name)
    return out


def check_routes(c: Config) -> None:
    """Routes name queues, and every contact that needs an agent has a queue."""
    for i, r in enumerate(c.routes):
        require_name(r.queue, c.queues, f"routes[{i}].queue", "a queue")
        _check_keys(r.channels, list(c.channels), f"routes[{i}].channels", "channel")
        _check_keys(r.segments, list(c.demand.segments), f"routes[{i}].segments", "segment")
        _check_keys(r.reasons, list(c.demand.reasons), f"routes[{i}].reasons", "reason")
    if c.demand.customers == 0 and not c.demand.backlog:
        return
    for ch in sorted(_routed_channels(c)):
        for seg in c.demand.segments:
            for reason in c.demand.reasons:
                found = route_of(c, ch, seg, reason)
                require(
                    found is not None,
                    "routes",
                    f"must route channel '{ch}', segment '{seg}', reason '{reason}' to a queue",
                    None,
                )


def check_journey(c: Config) -> None:
    """Check channels, demand and routes."""
    check_names(list(c.channels), "channels")
    check_demand(c)
    for name, ch in c.channels.items():
        check_channel(ch, c, f"channels.{name}")
    check_routes(c)
    for i, b in enumerate(c.demand.backlog):
        p = f"demand.backlog[{i}]"
        require(b.count >= 0, f"{p}.count", "must be >= 0", b.count)
        require_name(b.channel, c.channels, f"{p}.channel", "a channel")
        require(b.segment in c.demand.segments, f"{p}.segment", "must name a segment", b.segment)
        require(b.reason in c.demand.reasons, f"{p}.reason", "must name a reason", b.reason)
        if b.queue:
            require_name(b.queue, c.queues, f"{p}.queue", "a queue")
        else:
            found = route_of(c, b.channel, b.segment, b.reason)
            require(found is not None, f"{p}", "has no queue: set queue or add a route", b.channel)
        check_distribution(b.age, f"{p}.age")
