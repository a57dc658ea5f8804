"""Start-up and output cost (issue 16): work a run does not need is not done.

Hydra's ConfigStore holds each schema once per process (storing one builds its
whole structured config), and the entry schemas only once an override adds an
entry; the garbage collector makes no pass while the command line starts, and
the start-up's objects are frozen out of later passes; the exact levels are
computed from the records' columns, and agree with a count of the contacts
inside at any instant.
"""

from __future__ import annotations

import dataclasses
import gc
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hydra.core.config_store import ConfigStore

from sim import load_config, run_experiment
from sim.cli.main import main
from sim.config.compose import compose_config
from sim.config.schema import register_configs
from sim.metrics.records import levels_frame

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What is stored in Hydra's ConfigStore from now on, without the entry schemas."""
    register_configs(entries=False)
    store = ConfigStore.instance()
    monkeypatch.delitem(store.repo, "schema", raising=False)
    calls: list[str] = []
    real = ConfigStore.store

    def store_and_note(self: ConfigStore, *args: object, **kwargs: object) -> None:
        name = str(kwargs.get("group") or kwargs.get("name"))
        if not name.startswith("hydra/"):  # Hydra stores its plugins' own configs
            calls.append(name)
        real(self, *args, **kwargs)

    monkeypatch.setattr(ConfigStore, "store", store_and_note)
    return calls


def test_a_composition_stores_no_schema_the_store_holds(stored: list[str]) -> None:
    compose_config(["scenario=mmc", "servers=52"], hydra_node=True)
    load_config("mmc", ["horizon=10", "warmup=0"])
    register_configs(entries=False)
    assert stored == []
    assert "schema" not in ConfigStore.instance().repo


def test_an_added_entry_stores_the_entry_schemas_once(stored: list[str]) -> None:
    cfg = load_config("minimal", ["+agents.extra={count:2,skills:[chat]}"])
    assert cfg.agents["extra"].count == 2 and list(cfg.agents["extra"].skills) == ["chat"]
    assert "schema/AgentGroupConfig" in stored and "base_config" not in stored
    first = len(stored)
    cfg = load_config("minimal", ["+agents.more={count:1,skills:[chat]}"])
    assert cfg.agents["more"].count == 1
    register_configs()
    assert len(stored) == first


def _inside(starts: np.ndarray, stops: np.ndarray, t: float) -> int:
    return int(np.sum((starts <= t) & (t < stops)))


def test_levels_count_the_contacts_inside_at_every_instant() -> None:
    """Blocked legs and legs still open at the end included, two replications."""
    cfg = load_config("mmck", ["horizon=30", "warmup=0", "replications=2", "drain=false"])
    results = run_experiment(cfg, progress=False)
    contacts, levels = results.contacts, results.levels
    assert (contacts.outcome == "blocked").any() and contacts.t_end.isna().any()
    assert list(levels.dtypes.astype(str)) == ["int64", "float64", "str", "int32"]
    for rep, c in contacts.groupby("replication"):
        c = c[c.outcome != "blocked"]
        answer, stop = c.t_answer.to_numpy(), c.t_end.fillna(cfg.horizon).to_numpy()
        queued = (c.t_queue.to_numpy(), np.where(np.isnan(answer), stop, answer))
        served = ~np.isnan(answer)
        busy = (answer[served], stop[served])
        for name, (starts, stops) in (("queue_length", queued), ("busy_agents", busy)):
            steps = levels[(levels.replication == rep) & (levels.name == name)]
            assert np.all(np.diff(steps.t.to_numpy()) > 0)
            for t in np.linspace(0.5, 29.5, 59):
                at = steps.value.to_numpy()[np.searchsorted(steps.t.to_numpy(), t, "right") - 1]
                assert at == _inside(starts, stops, t), (rep, name, t)
    assert levels_frame(contacts.iloc[:0], {}).empty


@pytest.fixture
def collections(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Garbage collections seen by the command line, and the collector's state as a run starts."""
    import sim.runner

    seen: dict[str, Any] = {"passes": 0}
    real = sim.runner.run_experiment

    def note(phase: str, info: dict[str, int]) -> None:
        seen["passes"] += phase == "start"

    def run_and_note(*args: Any, **kwargs: Any) -> Any:
        seen["at start"] = (seen["passes"], gc.isenabled(), gc.get_freeze_count())
        return real(*args, **kwargs)

    monkeypatch.setattr(sim.runner, "run_experiment", run_and_note)
    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)
        gc.unfreeze()


def test_the_collector_is_off_while_the_command_line_starts_then_frozen(collections, tmp_path):
    argv = ["scenario=mmc", "horizon=10", "warmup=0", "replications=1", "progress=false"]
    assert main([*argv, f"hydra.run.dir={tmp_path / 'run'}"], lambda: None) == 0
    passes, enabled, frozen = collections["at start"]
    assert passes == 0  # not one pass over the start-up's objects
    assert enabled and frozen > 10_000  # then on, with what start-up left out of its passes
    assert gc.isenabled()


def test_the_collector_is_back_on_after_a_refused_command_line(collections, capsys):
    assert main(["scenario=mmc", "serverz=3"], lambda: None) == 2
    assert "serverz" in capsys.readouterr().err
    assert gc.isenabled() and "at start" not in collections


def test_parquet_dictionary_encodes_the_columns_of_few_values_only(tmp_path) -> None:
    """Unique ids and times are written plainly (no dictionary attempt); values are unchanged."""
    import pandas as pd
    import pyarrow.parquet as pq

    from sim.report.io import _write_table, dictionary_columns

    cfg = load_config("default", ["horizon=180", "warmup=0", "progress=false", "plots=false"])
    contacts = run_experiment(cfg).contacts
    chosen = dictionary_columns(contacts)
    assert {"queue", "outcome", "channel", "segment", "replication"} <= set(chosen)
    distinct = {"contact_id", "t_arrival", "t_answer", "t_end"}  # one value per contact
    assert distinct <= set(contacts.columns) and not distinct & set(chosen)
    path = tmp_path / "contacts.parquet"
    _write_table(contacts, path)
    meta = pq.ParquetFile(path).metadata.row_group(0)
    encoded = {
        meta.column(i).path_in_schema
        for i in range(meta.num_columns)
        if any("DICTIONARY" in e for e in meta.column(i).encodings)
    }
    assert encoded == set(chosen)
    contacts.to_parquet(tmp_path / "plain.parquet", index=False)  # pyarrow's default encoding
    assert pd.read_parquet(path).equals(pd.read_parquet(tmp_path / "plain.parquet"))


SCENARIOS = sorted(p.stem for p in (ROOT / "configs" / "scenario").glob("*.yaml"))


def omegaconf_text(value: Any) -> str:
    """What ``OmegaConf.save`` wrote before :mod:`sim.config.dump` (the reference)."""
    from omegaconf import OmegaConf

    node = value if OmegaConf.is_config(value) else OmegaConf.structured(value)
    return OmegaConf.to_yaml(node)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_scenarios_config_file_is_what_omegaconf_wrote(scenario: str) -> None:
    """Every field type the schema has (enums, tuples, nested dicts, None) written alike."""
    from sim.config.dump import to_yaml

    plain = dataclasses.asdict(load_config(scenario, []))
    assert to_yaml(plain) == omegaconf_text(plain)


def test_strings_that_read_as_other_types_stay_strings_as_omegaconf_writes_them() -> None:
    from enum import Enum

    from sim.config.dump import to_yaml

    class Mode(Enum):
        live = "LIVE"

    value = {
        "numbers": ["1.0", "12", "1e-3", "1_000", "nan", "inf"],
        "booleans": ["yes", "No", "on", "OFF", "y", "true"],
        "others": ["null", "~", "città", "a: b", "- x", "", "${x}"],
        "mode": Mode.live,
        "pair": (1, 2.5),
        "nested": {"deep": [{"k": None}]},
    }
    text = to_yaml(value)
    assert text == omegaconf_text(value)
    assert "'1.0'" in text and "'yes'" in text and "mode: live" in text


def test_a_run_writes_its_config_files_as_omegaconf_did(tmp_path) -> None:
    from omegaconf import OmegaConf

    from sim.config.load import to_config

    argv = ["scenario=mmc", "horizon=10", "warmup=0", "replications=1", "progress=false"]
    out = tmp_path / "run"
    assert main([*argv, f"hydra.run.dir={out}"], lambda: None) == 0
    composed = compose_config(argv, hydra_node=True)
    task = OmegaConf.masked_copy(composed, [k for k in composed if k != "hydra"])
    assert (out / ".hydra" / "config.yaml").read_text() == omegaconf_text(task)
    assert (out / ".hydra" / "overrides.yaml").read_text() == omegaconf_text(OmegaConf.create(argv))
    config = dataclasses.asdict(to_config(composed))
    assert (out / "config.yaml").read_text() == omegaconf_text(config)


def test_a_value_no_configuration_holds_is_refused_by_name() -> None:
    from sim.config.dump import to_yaml

    with pytest.raises(TypeError, match=r"\{1\}.*set"):
        to_yaml({"bad": {1}})


def omegaconf_config(path: Path) -> Any:
    """How a job's saved configuration was read before :func:`sim.config.dump.read_config`."""
    from omegaconf import OmegaConf

    from sim.config import Config

    loaded = OmegaConf.load(path)
    return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(Config), loaded))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_saved_config_reads_back_as_omegaconf_built_it(scenario: str, tmp_path) -> None:
    """Same dataclasses, same enums, and the same types of numbers (compared as text)."""
    from sim.config.dump import read_config, save_yaml, to_yaml

    cfg = load_config(scenario, ["horizon=2d", "warmup=30m"])
    path = tmp_path / "config.yaml"
    save_yaml(dataclasses.asdict(cfg), path)
    back, reference = read_config(path), omegaconf_config(path)
    assert back == reference == cfg
    assert to_yaml(dataclasses.asdict(back)) == to_yaml(dataclasses.asdict(reference))


def test_a_saved_config_converts_as_omegaconf_does() -> None:
    from sim.config.base import DistKind, DistributionConfig
    from sim.config.dump import typed

    dist = typed({"kind": "gamma", "mean": 2, "cv": 1, "values": [1, 2.5]}, DistributionConfig)
    assert dist == DistributionConfig(kind=DistKind.gamma, mean=2.0, cv=1.0, values=[1.0, 2.5])
    assert [type(v) for v in (dist.mean, dist.cv, *dist.values)] == [float] * 4
    assert typed(None, float | None) is None and typed(True, bool) is True


def test_a_saved_config_this_version_cannot_hold_is_refused_naming_the_file_and_key(tmp_path):
    from sim.config.dump import read_config, save_yaml

    plain = dataclasses.asdict(load_config("mmc", []))
    path = tmp_path / "config.yaml"
    save_yaml({**plain, "old_key": 1}, path)
    with pytest.raises(ValueError, match=rf"^{re.escape(str(path))}: old_key is not a config"):
        read_config(path)
    plain["queues"]["calls"]["service"]["kind"] = "weibull"
    save_yaml(plain, path)
    with pytest.raises(
        ValueError, match=r"queues\.calls\.service\.kind must be one of .*'weibull'"
    ):
        read_config(path)
    plain["queues"]["calls"]["service"] = 3
    save_yaml(plain, path)
    with pytest.raises(ValueError, match=r"queues\.calls\.service must be a mapping of .*got 3"):
        read_config(path)
