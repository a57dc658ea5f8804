"""The express loop of one textbook queue (sim.express) against the general engine.

``engine=auto`` runs a plain textbook queue in the express loop, ``engine=simpy``
in SimPy with the general router: every table must be identical, including the
agent each contact went to, which only the exact event order gets right when
events tie (the trace cases below tie arrivals, completions and deadlines).
"""

from __future__ import annotations

import pytest

import sim
from sim.config.errors import ConfigError
from sim.express import Express
from sim.runner import _start
from tests.tables import differing_tables

TABLES = ("kpis", "replications", "intervals", "waits", "contacts", "levels", "agent_states")
QUICK = ["progress=false", "plots=false", "replications=2"]
# Three arrivals at every whole minute, then two a minute: with deterministic one-minute
# services, arrivals, completions (and one-minute deadlines) fall on the same instants.
TRACE = [float(k // 3) for k in range(300)] + [100.0 + k * 0.5 for k in range(200)]
TIES = [
    "horizon=400",
    "warmup=0",
    "replications=1",
    f"queues.calls.arrival.times={TRACE}",
    "queues.calls.service.kind=deterministic",
]


def results(scenario: str, engine: str, overrides: list[str]) -> sim.Results:
    return sim.run_experiment(sim.load_config(scenario, [*QUICK, *overrides, f"engine={engine}"]))


@pytest.mark.parametrize(
    ("scenario", "overrides"),
    [
        ("mmc", ["horizon=2000"]),  # M/M/c, drained after the horizon
        ("mmc", ["horizon=2000", "drain=false"]),  # contacts still open at the horizon
        ("mmc", ["horizon=2d", "warmup=120", "queues.calls.service.kind=lognormal"]),  # M/G/c
        ("mmc_abandon", ["horizon=2000"]),  # Erlang A: deadlines met at the head of the queue
        ("mmc_abandon", ["horizon=2000", "drain_limit=2"]),  # the drain cut short
        ("staffing_day", ["replications=1", "keep_records=true"]),  # arrivals over the day
        ("mmck", ["horizon=2000", "arrival_rate=52"]),  # M/M/c/K: blocking
        ("mmcc", ["horizon=2000"]),  # Erlang B
        ("mmck", [*TIES, "servers=2", "capacity=4"]),  # blocking at tied instants
        ("mmc", [*TIES, "servers=3"]),
        (
            "mmc",
            [
                *TIES,
                "servers=2",
                "mean_patience=1.0",
                "queues.calls.patience.kind=deterministic",
            ],
        ),
    ],
)
def test_express_gives_the_general_engines_tables(scenario: str, overrides: list[str]) -> None:
    fast = results(scenario, "auto", overrides)
    general = results(scenario, "simpy", overrides)
    assert len(fast.contacts) > 400
    assert differing_tables(fast, general, TABLES) == []


@pytest.mark.parametrize("scenario", ["mmc", "mmc_abandon", "mmck", "mmcc", "staffing_day"])
def test_plain_textbook_queues_take_the_express_loop(scenario: str) -> None:
    model, _, _ = _start(sim.load_config(scenario, ["progress=false"]), 0)
    assert isinstance(model.express, Express)
    assert model.env._queue == [], "the first arrival moved from SimPy's queue to the loop"
    model, _, _ = _start(sim.load_config(scenario, ["progress=false", "engine=simpy"]), 0)
    assert model.express is None
    assert len(model.env._queue) == 1


@pytest.mark.parametrize(
    ("scenario", "overrides"),
    [
        ("mmck", ["mean_patience=2.0"]),  # capacity and patience: room freed by deadlines
        (
            "mmc",
            ["queues.calls.service_profile=[1.0,1.2]", "queues.calls.service_profile_interval=720"],
        ),  # handle times over the day
        ("mmc", ["queues.calls.callback.enabled=true"]),
        ("multiskill", []),
        (
            "staffing_day",
            ["agents.agents.availability=[1.0,0.75]", "agents.agents.staffing_interval=720"],
        ),
        ("shift_design", []),
        ("default", []),  # the customer journey
    ],
)
def test_anything_else_takes_the_general_engine(scenario: str, overrides: list[str]) -> None:
    model, _, _ = _start(sim.load_config(scenario, ["progress=false", *overrides]), 0)
    assert model.express is None


def test_an_unknown_engine_is_refused_before_the_run() -> None:
    with pytest.raises(ConfigError, match=r"engine must be one of auto, simpy, got 'fast'"):
        sim.load_config("mmc", ["engine=fast"])
