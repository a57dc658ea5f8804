"""Stage 0 of the data flow: the configuration, typed, checked and composed.

The schemas (one module per domain: ``base``, ``journey``, ``workforce``,
``outcomes``, ``stress``, ``study``, and the root ``schema``), their rules
(:mod:`sim.config.checks`, one module per domain beside them), the size
bounds (:mod:`sim.config.size`), composition from ``configs/`` with Hydra and
its errors as one line (:mod:`sim.config.compose`, :mod:`sim.config.load`).
Nothing here imports the model; every later stage may import this package.

This ``__init__`` only re-exports the schemas, so ``from sim.config import
Config, QueueConfig`` works from outside; modules inside the package import
from the defining module instead (that keeps the package free of cycles).
"""

from __future__ import annotations

from sim.config.base import DAY, ArrivalConfig, DistKind, DistributionConfig
from sim.config.errors import ConfigError
from sim.config.journey import (
    BacklogConfig,
    ChannelConfig,
    ChannelMode,
    DemandConfig,
    IvrConfig,
    ReasonConfig,
    RouteConfig,
    SegmentConfig,
    SelfServiceConfig,
    SurgeConfig,
    channel_mix,
    demand_mix,
    lookup,
    route_of,
    success_of,
    volume_factor,
)
from sim.config.outcomes import (
    BonusMalusConfig,
    ChurnConfig,
    CostConfig,
    LocationConfig,
    OutcomesConfig,
    QualityKpi,
    RepeatConfig,
    SatisfactionConfig,
    SchemeConfig,
    location_effect,
)
from sim.config.schema import (
    TEXTBOOK_SHORTCUTS,
    BalkConfig,
    CallbackConfig,
    Config,
    QueueConfig,
    register_configs,
)
from sim.config.stress import StressConfig
from sim.config.study import StudyConfig
from sim.config.workforce import (
    AgentGroupConfig,
    AgentPolicy,
    BreakConfig,
    OverflowConfig,
    Pricing,
    QueuePolicy,
    RoutingConfig,
    ShiftConfig,
    SkillConfig,
    VendorConfig,
    VendorLocation,
    group_size,
)

__all__ = [
    "DAY",
    "TEXTBOOK_SHORTCUTS",
    "AgentGroupConfig",
    "AgentPolicy",
    "ArrivalConfig",
    "BacklogConfig",
    "BalkConfig",
    "BonusMalusConfig",
    "BreakConfig",
    "CallbackConfig",
    "ChannelConfig",
    "ChannelMode",
    "ChurnConfig",
    "Config",
    "ConfigError",
    "CostConfig",
    "DemandConfig",
    "DistKind",
    "DistributionConfig",
    "IvrConfig",
    "LocationConfig",
    "OutcomesConfig",
    "OverflowConfig",
    "Pricing",
    "QualityKpi",
    "QueueConfig",
    "QueuePolicy",
    "ReasonConfig",
    "RepeatConfig",
    "RouteConfig",
    "RoutingConfig",
    "SatisfactionConfig",
    "SchemeConfig",
    "SegmentConfig",
    "SelfServiceConfig",
    "ShiftConfig",
    "SkillConfig",
    "StressConfig",
    "StudyConfig",
    "SurgeConfig",
    "VendorConfig",
    "VendorLocation",
    "channel_mix",
    "demand_mix",
    "group_size",
    "location_effect",
    "lookup",
    "register_configs",
    "route_of",
    "success_of",
    "volume_factor",
]
