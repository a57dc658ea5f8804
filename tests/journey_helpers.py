"""Small demand-model configurations for tests."""

from __future__ import annotations

from sim.config import (
    AgentGroupConfig,
    ChannelConfig,
    ChannelMode,
    Config,
    DemandConfig,
    DistKind,
    DistributionConfig,
    QueueConfig,
    ReasonConfig,
    RouteConfig,
    SegmentConfig,
    SelfServiceConfig,
)


def dist(mean, kind="exponential"):
    return DistributionConfig(kind=DistKind(kind), mean=mean)


def demand_config(**kw) -> Config:
    """Two segments, two reasons, voice + chat + email, one agent pool per channel."""
    channels = kw.pop("channels", None) or {
        "voice": ChannelConfig(handle=dist(5.0), patience=dist(2.0)),
        "chat": ChannelConfig(handle=dist(8.0), patience=dist(3.0), sl_threshold=1.0),
        "email": ChannelConfig(mode=ChannelMode.deferred, handle=dist(5.0), sl_threshold=1440),
    }
    demand = kw.pop("demand", None) or DemandConfig(
        customers=100_000,
        segments={"consumer": SegmentConfig(share=0.8), "business": SegmentConfig(share=0.2)},
        reasons={
            "billing": ReasonConfig(rate={"default": 0.2, "business": 0.4}),
            "technical": ReasonConfig(rate={"default": 0.1}, handle_factor=1.5),
        },
        channel_mix={
            "default": {"voice": 0.7, "chat": 0.2, "email": 0.1},
            "business": {"voice": 0.5, "email": 0.5},
        },
    )
    queues = kw.pop("queues", None) or {
        "voice": QueueConfig(),
        "chat": QueueConfig(),
        "email": QueueConfig(priority=1),
    }
    routes = kw.pop("routes", None) or [
        RouteConfig(queue="voice", channels=["voice"]),
        RouteConfig(queue="chat", channels=["chat"]),
        RouteConfig(queue="email", channels=["email"]),
    ]
    agents = kw.pop("agents", None) or {
        "voice": AgentGroupConfig(count=60, skills=["voice"]),
        "digital": AgentGroupConfig(count=20, skills=["chat", "email"]),
    }
    kw.setdefault("progress", False)
    kw.setdefault("plots", False)
    kw.setdefault("replications", 3)
    kw.setdefault("horizon", 1440.0)
    return Config(
        channels=channels, demand=demand, queues=queues, routes=routes, agents=agents, **kw
    )


def self_service(success, share=1.0, **kw) -> SelfServiceConfig:
    return SelfServiceConfig(share=share, time=dist(1.0), success=success, **kw)
