"""Compile the configuration's names into the index tables the hot path uses.

Pure functions of the Config (and of samplers handed in): contact kinds and
strata, routes from kind to queue, compiled IVR and self-service steps.
No behaviour and no simulation state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import numpy as np

from sim.config import (
    Config,
    DistributionConfig,
    SelfServiceConfig,
    SkillConfig,
    location_effect,
    route_of,
)
from sim.config.journey import lookup, success_of
from sim.core.entities import ABANDONED, BALKED, BLOCKED, GAVE_UP, SERVED
from sim.journey.front_door import Automation, Ivr, Kind
from sim.metrics.aggregates import DIMENSIONS, Strata
from sim.metrics.kpis import scope_name
from sim.metrics.thresholds import (
    MODES,
    channel_modes,
    queue_channels,
    sl_threshold,
    textbook_queues,
)
from sim.outcomes.resolution import OutcomePlan
from sim.outcomes.satisfaction import ScoreParams

Sampler = Callable[[str, DistributionConfig], Iterator[float]]


def kinds_and_strata(cfg: Config) -> tuple[list[Kind], dict[tuple, int], Strata]:
    """Contact kinds (one per textbook queue, then one per channel x segment x reason)."""
    channels, segments = list(cfg.channels), list(cfg.demand.segments)
    reasons = list(cfg.demand.reasons)
    kinds = [Kind(-1, -1, -1) for _ in cfg.queues]
    threshold = [q.sl_threshold for q in cfg.queues.values()]
    index: dict[tuple, int] = {}
    for c, ch in enumerate(cfg.channels.values()):
        for s in range(len(segments)):
            for r in range(len(reasons)):
                index[(c, s, r)] = len(kinds)
                kinds.append(Kind(c, s, r))
                threshold.append(ch.sl_threshold)
    codes = {
        "channel": np.array([k.channel for k in kinds], dtype=np.int64),
        "segment": np.array([k.segment for k in kinds], dtype=np.int64),
        "reason": np.array([k.reason for k in kinds], dtype=np.int64),
    }
    vendors = list(cfg.vendors)
    if any(not g.vendor for g in cfg.agents.values()) and "inhouse" not in vendors:
        vendors.append("inhouse")  # groups without a vendor are in-house
    names = {
        "all": ["all"],
        "queue": list(cfg.queues),
        "channel": channels,
        "segment": segments,
        "reason": reasons,
        "group": list(cfg.agents),
        "vendor": vendors,
    }
    vendor_of = np.array([vendors.index(g.vendor or "inhouse") for g in cfg.agents.values()])
    names["mode"] = _modes(cfg)
    strata = Strata(
        names,
        codes,
        np.array(threshold, dtype=float),
        vendor_of,
        *_mode_codes(cfg, names["mode"]),
    )
    scopes = [scope_name(d, n) for d in ("all", "mode", *DIMENSIONS[1:]) for n in names[d]]
    return kinds, index, replace(strata, scope_threshold={s: sl_threshold(cfg, s) for s in scopes})


def _modes(cfg: Config) -> list[str]:
    """The mode strata present: ``live`` (live channels, queues' own arrivals), ``deferred``."""
    used = set(channel_modes(cfg).values()) | ({"live"} if textbook_queues(cfg) else set())
    return [m for m in MODES if m in used]


def _mode_codes(cfg: Config, modes: list[str]) -> tuple[np.ndarray, int, np.ndarray]:
    """Mode code of each channel, of the textbook contacts (-1: none) and of each queue."""
    of_channel = channel_modes(cfg)
    textbook = set(textbook_queues(cfg))
    by_channel = np.array([modes.index(m) for m in of_channel.values()], dtype=np.int64)
    queue_mode = []
    for q, channels in queue_channels(cfg).items():
        used = {of_channel[c] for c in channels} | ({"live"} if q in textbook else set())
        queue_mode.append(modes.index(used.pop()) if len(used) == 1 else -1)
    live = modes.index("live") if textbook else -1
    return by_channel, live, np.array(queue_mode, dtype=np.int64)


def routes(cfg: Config, kinds: list[Kind]) -> tuple[list[int], list[list[int]]]:
    """Queue per kind (-1 for textbook kinds) and, per kind, the other queues of its channel."""
    queues, channels = list(cfg.queues), list(cfg.channels)
    segments, reasons = list(cfg.demand.segments), list(cfg.demand.reasons)
    route, by_channel = [], {}
    for k in kinds:
        if k.channel < 0:
            route.append(-1)
            continue
        name = route_of(cfg, channels[k.channel], segments[k.segment], reasons[k.reason])
        q = queues.index(name) if name is not None else -1
        route.append(q)
        if q >= 0:
            by_channel.setdefault(k.channel, set()).add(q)
    wrong = [
        sorted(by_channel.get(k.channel, set()) - {q}) for k, q in zip(kinds, route, strict=True)
    ]
    return route, wrong


def automation(
    cfg: Config, ss: SelfServiceConfig | None, path: str, draw: Sampler
) -> Automation | None:
    """Compile a self-service step."""
    if ss is None:
        return None
    success = [success_of(ss, r, cfg.demand) for r in cfg.demand.reasons]  # scaled, <= 1
    agent = ss.on_failure.get("agent", 0.0)
    switch = agent + ss.on_failure.get("switch", 0.0)
    cum = (
        np.cumsum([ss.switch_to.get(c, 0.0) for c in cfg.channels]).tolist() if ss.switch_to else []
    )
    if cum:
        cum[-1] = 1.0 + 1e-12  # a uniform below 1 always finds a channel
    time = draw(f"{path}.time", ss.time)
    retry = draw(f"{path}.retry", ss.retry_delay)
    return Automation(ss.share, time, success, (agent, switch), cum, retry)


def ivrs(cfg: Config, draw: Sampler) -> list[Ivr | None]:
    """Compiled IVR per channel code."""
    out = []
    for name, ch in cfg.channels.items():
        ivr = ch.ivr
        if ivr is None:
            out.append(None)
            continue
        path = f"ivr.{name}"
        levels = [int(lookup(ivr.menu_levels, s, 0)) for s in cfg.demand.segments]
        ports = float("inf") if ivr.ports is None else float(ivr.ports)
        out.append(
            Ivr(
                draw(f"{path}.identification", ivr.identification),
                draw(f"{path}.level", ivr.time_per_level),
                levels,
                automation(cfg, ivr.self_service, f"{path}.self_service", draw),
                ivr.misroute,
                draw(f"{path}.transfer", ivr.transfer_time),
                ports,
            )
        )
    return out


def automations(cfg: Config, draw: Sampler) -> list[Automation | None]:
    """Compiled self-service step per channel code."""
    return [
        automation(cfg, ch.self_service, f"selfservice.{n}", draw) for n, ch in cfg.channels.items()
    ]


def _survey_params(cfg: Config) -> tuple[tuple[float, ...], tuple[float, ...], float]:
    """Courtesy and language points by group (last entry: no agent), and stress sensitivity."""
    o = cfg.outcomes
    default = o.satisfaction.courtesy.get("default", 8.0)
    courtesy = [o.satisfaction.courtesy.get(n, default) for n in cfg.agents] + [default]
    language = [location_effect(o, cfg.vendors.get(g.vendor)).language for g in cfg.agents.values()]
    sensitivity = cfg.stress.courtesy_sensitivity if cfg.stress.enabled else 0.0
    return tuple(courtesy), (*language, 0.0), sensitivity


def outcome_plan(cfg: Config, draw: Sampler, case_rng: np.random.Generator) -> OutcomePlan:
    """Compile the outcome model's parameters."""
    o = cfg.outcomes
    reasons, channels, segments = (
        list(cfg.demand.reasons),
        list(cfg.channels),
        list(cfg.demand.segments),
    )
    quality = []
    for group in cfg.agents.values():
        vendor = cfg.vendors.get(group.vendor)
        factor = vendor.resolution_factor if vendor is not None else 1.0
        factor *= location_effect(o, vendor).resolution_factor
        quality.append(
            [factor * group.proficiency.get(q, SkillConfig()).resolution for q in cfg.queues]
        )
    codes = {
        "unresolved": SERVED,
        "abandoned": ABANDONED,
        "blocked": BLOCKED,
        "gave_up": GAVE_UP,
        "balked": BALKED,
    }
    p_return = {"balked": o.repeat.p_return.get("abandoned", 0.0), **o.repeat.p_return}
    mix = o.repeat.channel_mix
    keys = [("same", -1)] + [(c, i) for i, c in enumerate(channels)]
    cum = np.cumsum([mix.get(k, 0.0) for k, _ in keys]).tolist()
    cum[-1] = 1.0 + 1e-12
    s = o.satisfaction
    score = ScoreParams(
        s.weights["service"],
        s.weights["expectation"],
        s.weights["mood"],
        tuple(lookup(s.expectation, seg) for seg in segments),
        (s.mood[0], s.mood[1]),
        dict(s.penalty),
        s.survey_share,
        o.churn.intercept,
        o.churn.dissatisfaction,
        o.churn.unresolved,
        o.churn.repeat,
        o.churn.reference,
        *_survey_params(cfg),
        o.churn.loyalty,
        o.churn.excellent,
    )
    return OutcomePlan(
        [lookup(o.resolution, r) for r in reasons],
        quality,
        o.transfer_factor,
        o.fcr_window,
        {codes[k]: v for k, v in p_return.items()},
        draw("repeat.delay", o.repeat.delay),
        [(code, c) for (_, code), c in zip(keys, cum, strict=True)],
        o.repeat.max_contacts,
        [s.expected_wait.get(c, ch.sl_threshold) for c, ch in cfg.channels.items()],
        score,
        case_rng,
    )
