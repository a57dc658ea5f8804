"""Shared fixtures: small configurations built in Python (no Hydra needed)."""

from __future__ import annotations

import pytest

from sim.config import AgentGroupConfig, ArrivalConfig, Config, DistributionConfig, QueueConfig
from sim.core.rng import Streams


def queue(rate=1.0, mean=1.0, patience=None, capacity=None, priority=0, kind="exponential", **kw):
    """A queue config: Poisson(rate), service of the given kind and mean."""
    from sim.config import DistKind

    arrival = kw.pop("arrival", None) or ArrivalConfig(rate=rate)
    service = kw.pop("service", None) or DistributionConfig(kind=DistKind(kind), mean=mean)
    pat = None if patience is None else DistributionConfig(mean=patience)
    return QueueConfig(
        arrival=arrival, service=service, patience=pat, capacity=capacity, priority=priority, **kw
    )


def make_config(queues=None, agents=None, **kw) -> Config:
    """A Config with sensible small defaults for tests."""
    kw.setdefault("progress", False)
    kw.setdefault("plots", False)
    kw.setdefault("replications", 2)
    kw.setdefault("horizon", 200.0)
    return Config(
        queues=queues or {"calls": queue()},
        agents=agents or {"agents": AgentGroupConfig(count=2)},
        **kw,
    )


def mmc_config(lam, mean, c, patience=None, capacity=None, **kw) -> Config:
    """An M/M/c(/K)(+M) configuration."""
    return make_config(
        {"calls": queue(lam, mean, patience, capacity)}, {"agents": AgentGroupConfig(count=c)}, **kw
    )


@pytest.fixture
def streams() -> Streams:
    return Streams(7, 0)


@pytest.fixture
def cfg() -> Config:
    return mmc_config(4.0, 1.0, 5, horizon=300.0, warmup=20.0)
