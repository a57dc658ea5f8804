"""Configs compose, and each kind of bad input stops with a message naming key, value and rule."""

from pathlib import Path

import pytest

from sim.config import AgentGroupConfig, DistKind, DistributionConfig
from sim.config.compose import CONFIG_DIR
from sim.config.errors import ConfigError
from sim.config.load import load_config
from tests.conftest import make_config, queue

SCENARIOS = sorted(p.stem for p in (CONFIG_DIR / "scenario").glob("*.yaml"))
EXPERIMENTS = sorted(p.stem for p in (CONFIG_DIR / "experiment").glob("[!_]*.yaml"))


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_composes(name):
    cfg = load_config(name)
    assert cfg.name == name and cfg.queues and cfg.agents


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_experiment_composes(name):
    cfg = load_config(None, [f"experiment={name}"])
    assert cfg.queues and cfg.study.name == name and cfg.workers == 1


def test_textbook_shortcuts_flow_into_the_model():
    cfg = load_config("mmc", ["arrival_rate=45", "mean_service=1", "servers=50", "mean_patience=2"])
    q = cfg.queues["calls"]
    assert (q.arrival.rate, q.service.mean, q.patience.mean) == (45, 1, 2)
    assert cfg.agents["agents"].count == 50
    erlang_b = load_config("mmcc", ["servers=20"])
    assert erlang_b.queues["calls"].capacity == 20


@pytest.mark.parametrize(
    ("scenario", "override", "message"),
    [
        ("mmc", "servers=0", "servers must be >= 1, got 0"),
        ("mmc", "arrival_rate=-1", "arrival_rate must be a finite number >= 0, got -1.0"),
        ("mmc", "mean_service=0", "mean_service must be a finite number > 0, got 0.0"),
        ("mmc", "warmup=5000", "warmup must be in [0, horizon=1440.0), got 5000.0"),
        ("mmc", "replications=0", "replications must be >= 1, got 0"),
        (
            "mmc",
            "queues.calls.sl_target=1.5",
            "queues.calls.sl_target must be a probability in [0, 1], got 1.5",
        ),
        (
            "mmc",
            "queues.calls.arrival.profile=[1,-2]",
            "queues.calls.arrival.profile[1] must be a finite number >= 0, got -2.0",
        ),
        (
            "mmc",
            "agents.agents.skills=[callz]",
            "agents.agents.skills[0] must name a queue (['calls']), got 'callz'",
        ),
        (
            "default",
            "servers=3",
            "servers is a textbook shortcut that scenario 'default' does not use",
        ),
        ("mmc", "queues.calls.service.kind=lognormal", None),  # valid: lognormal with cv 1
        ("mmc", "queues.calls.service.cv=-1", None),  # cv unused by exponential: allowed
    ],
)
def test_rule_violations_name_key_value_and_rule(scenario, override, message):
    if message is None:
        load_config(scenario, [override])
        return
    with pytest.raises(ConfigError) as err:
        load_config(scenario, [override])
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("serverz=3", "serverz is not a configuration key (did you mean 'servers'?)"),
        ("servers=abc", "servers must be a whole number, got 'abc'"),
        (
            "queues.calls.service.kind=weibull",
            "queues.calls.service.kind must be one of deterministic, empirical, exponential, "
            "gamma, lognormal, trace, got 'weibull'",
        ),
    ],
)
def test_typos_and_types_are_rejected_by_the_schema(override, message):
    with pytest.raises(ConfigError) as err:
        load_config("mmc", [override])
    assert str(err.value) == message


def test_inconsistent_fields_in_python():
    with pytest.raises(ConfigError, match=r"queues.calls.service.weights must sum to 1, got 0.9"):
        make_config(
            {
                "calls": queue(
                    service=DistributionConfig(
                        kind=DistKind.empirical, values=[1, 2], weights=[0.5, 0.4]
                    )
                )
            }
        )
    with pytest.raises(ConfigError, match=r"weights must have one weight per value \(2\), got 3"):
        make_config(
            {
                "calls": queue(
                    service=DistributionConfig(
                        kind=DistKind.empirical, values=[1, 2], weights=[0.5, 0.3, 0.2]
                    )
                )
            }
        )
    with pytest.raises(ConfigError, match=r"queues.b must be served by a group with agents"):
        make_config({"a": queue(), "b": queue()}, {"g": AgentGroupConfig(count=2, skills=["a"])})
    with pytest.raises(ConfigError, match=r"queues.calls.arrival.times\[1\] must not precede"):
        q = queue()
        q.arrival.times = [2.0, 1.0]
        make_config({"calls": q})
    with pytest.raises(ConfigError, match=r"queues.all name is reserved"):
        make_config({"all": queue()})


def test_validation_runs_again_at_run_time():
    from sim.runner import run_experiment

    cfg = make_config()
    cfg.horizon = -5
    with pytest.raises(ConfigError, match="horizon must be a finite number > 0, got -5"):
        run_experiment(cfg)


def test_configs_dir_is_the_repository_one():
    assert (Path(CONFIG_DIR) / "config.yaml").exists()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("demand.channel_mix.default.voice=0.5", "demand.channel_mix.default must sum to 1, got"),
        (
            "demand.profile=[1,2,3]",
            "demand.profile must have 48 entries (24 h of 30-minute intervals), got 3",
        ),
        ("demand.segments.consumer.share=0.5", "demand.segments (shares) must sum to 1, got"),
        (
            "routes=[{channels:[voice],queue:voice_care}]",
            "routes must route channel 'app', segment 'consumer', reason 'billing' to a queue",
        ),
        (
            "demand.reasons.billing.rate.default=-0.1",
            "demand.reasons.billing.rate.default must be a finite number >= 0, got -0.1",
        ),
        (
            "channels.voice.ivr.misroute=1.5",
            "channels.voice.ivr.misroute must be a probability in [0, 1], got 1.5",
        ),
        (
            "channels.app.self_service.on_failure.agent=0.9",
            "channels.app.self_service.on_failure must sum to 1, got",
        ),
        (
            "channels.app.self_service.switch_to.voice=0.9",
            "channels.app.self_service.switch_to must sum to 1, got 1.2",
        ),
        (
            "+demand.surges=[{start:605,end:700,factor:2}]",
            "demand.surges[0].start must be a multiple of demand.profile_interval (30), got 605",
        ),
        ("demand.weekly=[1,1,1]", "demand.weekly must have 7 entries (Monday first), got 3"),
        (
            "agents.back_office.hours=[600,500]",
            "agents.back_office.hours[1] must be in (start, start + 1440], got 500",
        ),
        ("channels.chat.closed_to=pigeon", "channels.chat.closed_to must name a channel"),
    ],
)
def test_journey_rule_violations(override, message):
    with pytest.raises(ConfigError) as err:
        load_config("postemobile", [override])
    assert message in str(err.value)


def test_switch_to_an_unknown_channel_is_rejected():
    cfg = load_config("postemobile")
    cfg.channels["app"].self_service.switch_to = {"voice": 0.5, "pigeon": 0.5}
    with pytest.raises(
        ConfigError, match=r"channels.app.self_service.switch_to.pigeon must name a channel"
    ):
        cfg.__post_init__()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "+agents.voice_agents.proficiency={chat:{speed:1.2}}",
            "agents.voice_agents.proficiency.chat must name one of the group's skills",
        ),
        ("agents.voice_agents.vendor=ghost", "agents.voice_agents.vendor must name a vendor ([])"),
        (
            "+routing.overflow=[{queue:voice_consumer,after:1,groups:[ghost]}]",
            "routing.overflow[0].groups[0] must name an agent group",
        ),
        (
            "+routing.overflow=[{queue:nowhere,after:1,groups:[digital_team]}]",
            "routing.overflow[0].queue must name a queue",
        ),
        (
            "+agents.voice_agents.shifts=[{start:900,end:600,count:3}]",
            "agents.voice_agents.shifts cannot be combined with hours",
        ),
        (
            "agents.voice_agents.concurrency=0",
            "agents.voice_agents.concurrency must be >= 1, got 0",
        ),
        (
            "agents.voice_agents.shrinkage=1.0",
            "agents.voice_agents.shrinkage must be in [0, 1), got 1.0",
        ),
    ],
)
def test_workforce_rule_violations(override, message):
    with pytest.raises(ConfigError) as err:
        load_config("default", [override])
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("shift", "message"),
    [
        (
            {"start": 900, "end": 600, "count": 3},
            "shifts[0].(start, end)[1] must be in (start, start + 1440], got 600",
        ),
        (
            {
                "start": 480,
                "end": 960,
                "count": 3,
                "breaks": [{"after": 100, "length": 30}, {"after": 120, "length": 15}],
            },
            "shifts[0].breaks[1].after must not overlap the previous break (ends at 130)",
        ),
        (
            {"start": 480, "end": 960, "count": 3, "breaks": [{"after": 470, "length": 30}]},
            "must end inside the shift (480 min)",
        ),
        (
            {"start": 480, "end": 960, "count": 3, "days": [7]},
            "shifts[0].days[0] must be a weekday 0..6",
        ),
    ],
)
def test_inverted_shifts_and_overlapping_breaks_are_rejected(shift, message):
    from sim.config import BreakConfig, ShiftConfig

    cfg = load_config("default")
    breaks = [BreakConfig(**b) for b in shift.pop("breaks", [])]
    cfg.agents["voice_agents"].hours = []
    cfg.agents["voice_agents"].shifts = [ShiftConfig(**shift, breaks=breaks)]
    with pytest.raises(ConfigError) as err:
        cfg.__post_init__()
    assert message in str(err.value)
