"""Checkpoint and resume of long runs (issue 16): a killed run resumes with identical results.

A run is "killed" in two ways: in this process, by an exception raised right
after the checkpoint of day k is written (the rest of the run never happens);
and honestly, ``kill -9`` of a ``python run.py`` once its checkpoint file holds
a finished day. The resumed run must give every table of an uninterrupted run,
exactly (``DataFrame.equals``).
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim import runner
from sim.config.base import DAY
from sim.config.errors import OutputError
from sim.core import checkpoint as ckpt
from sim.core.rng import Streams
from sim.metrics.records import CHUNK, ContactLog
from sim.runner import Checkpoints, _start
from tests.tables import differing_tables

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted(p.stem for p in (ROOT / "configs" / "scenario").glob("[!_]*.yaml"))
TABLES = (
    "kpis",
    "replications",
    "intervals",
    "waits",
    "contacts",
    "levels",
    "cases",
    "stress",
    "agent_states",
    "days",
    "weeks",
    "months",
)
COMMON = ["progress=false", "plots=false", "replications=2", "checkpoint.every=1d"]


class KilledError(Exception):
    """Stands for the process dying right after a checkpoint was written."""


def config(scenario: str, *overrides: str) -> sim.Config:
    return sim.load_config(scenario, [*COMMON, *overrides])


def kill_after(monkeypatch, replication: int, minute: float) -> None:
    """Make the run die right after saving ``replication`` at ``minute``."""
    save = Checkpoints.at_midnight

    def dying(self, r, objects, now):
        save(self, r, objects, now)
        if (r, now) == (replication, minute):
            raise KilledError

    monkeypatch.setattr(Checkpoints, "at_midnight", dying)


def killed_after_a_finished_replication(monkeypatch, cfg: sim.Config, path: Path) -> None:
    """Run ``cfg`` with checkpoints at ``path``, killed once its first replication is saved."""
    finished = Checkpoints.finished

    def dying(self, result):
        finished(self, result)
        raise KilledError

    with monkeypatch.context() as m:
        m.setattr(Checkpoints, "finished", dying)
        with pytest.raises(KilledError):
            sim.run_experiment(cfg, checkpoint=path)


def same_tables(a: sim.Results, b: sim.Results) -> list[str]:
    """Names of the tables that differ (one is None, or not ``DataFrame.equals``)."""
    return differing_tables(a, b, TABLES)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch) -> None:
    """Records reach the sink in chunks of 1,024, not 65,536: the sink holds state at a midnight.

    Both runs of a comparison use the same chunks (a float sum's order depends on them).
    """
    monkeypatch.setattr(ContactLog.__init__, "__defaults__", (1024,))


def saved_state(path: Path) -> tuple:
    """The ``(replication, minute, (model, sink, cases))`` a checkpoint file holds."""
    head, start = ckpt.read_header(path)
    return ckpt.read_payload(path, head, start)["state"]


def interrupted(monkeypatch, cfg: sim.Config, path: Path, replication: int, day: int):
    """Run ``cfg``, killed after day ``day`` of ``replication``; then resume it."""
    with monkeypatch.context() as m:
        kill_after(m, replication, day * DAY)
        with pytest.raises(KilledError):
            sim.run_experiment(cfg, checkpoint=path)
    r, minute, (_, sink, _) = saved_state(path)
    assert (r, minute) == (replication, day * DAY)
    assert sink.chunks or not cfg.keep_records, "the sink holds records: losing them shows"
    return sim.run_experiment(cfg, checkpoint=path)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_model_pickles_at_a_midnight_on_every_scenario(scenario: str) -> None:
    cfg = sim.load_config(scenario, ["horizon=2d", "warmup=0", "progress=false", "plots=false"])
    model, sink, cases = _start(cfg, 0)
    runner.run_until(model, DAY)  # SimPy's loop, or a textbook queue's express loop
    blob = pickle.dumps((model, sink, cases))
    restored = pickle.loads(blob)[0]
    heap = restored.env._queue
    ahead = restored.express is not None and restored.express.next_arrival is not None
    assert heap or ahead, "the model has events after the first midnight"
    assert not any(type(e).__name__ in ("Process", "Initialize") for *_, e in heap)


@pytest.mark.parametrize(
    ("scenario", "overrides", "day"),
    [
        # customer journeys, outcomes, repeats days ahead; dated: a day of March, two of April
        ("default", ["horizon=3d", "start_date=2026-03-31"], 1),
        ("default", ["horizon=3d", "record_days=[2]"], 2),  # records of a sample of days
        pytest.param("postemobile", ["horizon=3d"], 2, marks=pytest.mark.slow),  # calibrated
        pytest.param("multiskill", ["horizon=2d"], 1, marks=pytest.mark.slow),
        ("shift_design", ["stress=call_center", "horizon=3d", "warmup=0"], 1),  # shifts, stress
        ("staffing_day", ["horizon=3d"], 2),  # staffing profiles
        ("proactive", ["horizon=3d"], 1),  # outbound dialer, campaigns
        ("wind", ["horizon=3d"], 1),
        ("mmc_abandon", ["horizon=3d", "warmup=0"], 2),  # the express loop's state
    ],
)
def test_resume_after_a_kill_equals_an_uninterrupted_run(
    monkeypatch, tmp_path: Path, scenario: str, overrides: list[str], day: int
) -> None:
    cfg = config(scenario, *overrides)
    whole = sim.run_experiment(cfg)
    path = tmp_path / ckpt.NAME
    resumed = interrupted(monkeypatch, cfg, path, 1, day)
    assert same_tables(whole, resumed) == []
    assert os.listdir(tmp_path) == [], "the checkpoint files are removed when the run has finished"


def test_resume_starts_from_the_saved_day_not_from_zero(
    monkeypatch, tmp_path: Path, capsys
) -> None:
    cfg = config("default", "horizon=3d")
    path = tmp_path / ckpt.NAME
    with monkeypatch.context() as m:
        kill_after(m, 1, 2 * DAY)
        with pytest.raises(KilledError):
            sim.run_experiment(cfg, checkpoint=path)
    built: list[int] = []
    starts: list[float] = []
    start, simulate = runner._start, runner._simulate
    monkeypatch.setattr(runner, "_start", lambda c, r: built.append(r) or start(c, r))
    monkeypatch.setattr(
        runner, "_simulate", lambda c, m, a, t, n: starts.append(t) or simulate(c, m, a, t, n)
    )
    capsys.readouterr()
    sim.run_experiment(cfg, checkpoint=path)
    assert built == [], "replication 0 came from the file, replication 1 from its day 2"
    assert starts == [2 * DAY]
    said = capsys.readouterr().err
    assert (
        f"resuming from {path}: 1 finished replication(s) ([0]), replication 1 from day 2" in said
    )


def test_the_comparison_sees_lost_state(monkeypatch, tmp_path: Path) -> None:
    """A resume that loses state (the sink's records and partial aggregates) is caught."""
    cfg = config("default", "horizon=2d")
    whole = sim.run_experiment(cfg)
    take = Checkpoints.take_state

    def losing(self, r):
        saved = take(self, r)
        if saved is not None:
            sink = saved[1][1]
            assert sink.chunks, "records had reached the sink at the kill"
            sink.partial = runner.empty_partial(sink.kept_win, sink.strata)
            sink.chunks = []
        return saved

    monkeypatch.setattr(Checkpoints, "take_state", losing)
    resumed = interrupted(monkeypatch, cfg, tmp_path / ckpt.NAME, 1, 1)
    assert "kpis" in same_tables(whole, resumed)


def test_the_comparison_sees_a_restart_with_other_streams(monkeypatch, tmp_path: Path) -> None:
    """A resume that rebuilt the replication on other random streams is caught too."""
    cfg = config("default", "horizon=3d")
    whole = sim.run_experiment(cfg)
    with monkeypatch.context() as m:
        kill_after(m, 1, DAY)
        with pytest.raises(KilledError):
            sim.run_experiment(cfg, checkpoint=tmp_path / ckpt.NAME)
    monkeypatch.setattr(Checkpoints, "take_state", lambda self, r: None)  # state ignored
    monkeypatch.setattr(runner, "Streams", lambda seed, r: Streams(seed + 1, r))
    resumed = sim.run_experiment(cfg, checkpoint=tmp_path / ckpt.NAME)
    assert "kpis" in same_tables(whole, resumed)


def test_saving_checkpoints_changes_no_number(tmp_path: Path) -> None:
    cfg = config("default", "horizon=2d")
    plain = sim.run_experiment(config("default", "horizon=2d", "checkpoint.every=0"))
    saved = sim.run_experiment(cfg, checkpoint=tmp_path / ckpt.NAME)
    assert same_tables(plain, saved) == []


def test_every_saves_only_at_its_midnights(monkeypatch, tmp_path: Path) -> None:
    written: list[float | None] = []
    write = Checkpoints._write
    monkeypatch.setattr(
        Checkpoints, "_write", lambda s, st: written.append(st and st[1]) or write(s, st)
    )
    sim.run_experiment(
        config("minimal", "horizon=5d", "replications=1", "checkpoint.every=2d"),
        checkpoint=tmp_path / ckpt.NAME,
    )
    assert written == [2 * DAY, 4 * DAY, None]  # days 2 and 4, then the finished replication
    written.clear()
    sim.run_experiment(
        config("minimal", "horizon=5d", "replications=1", "checkpoint.every=0"),
        checkpoint=tmp_path / ckpt.NAME,
    )
    assert written == [], "checkpoint.every=0 saves nothing"


def test_parallel_replications_resume_from_the_finished_ones(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ContactLog.__init__, "__defaults__", (CHUNK,))  # the workers' chunks
    cfg = config("minimal", "horizon=2d", "replications=3", "workers=2")
    whole = sim.run_experiment(config("minimal", "horizon=2d", "replications=3"))
    path = tmp_path / ckpt.NAME
    killed_after_a_finished_replication(monkeypatch, cfg, path)
    head, _ = ckpt.read_header(path)
    assert len(head["replications_done"]) == 1
    assert same_tables(whole, sim.run_experiment(cfg, checkpoint=path)) == []


def test_a_serial_runs_midnight_resumes_in_a_worker_and_a_workers_serially(
    monkeypatch, tmp_path: Path, capsys
) -> None:
    """The live state moves between the main file and a replication's running file."""
    monkeypatch.setattr(ContactLog.__init__, "__defaults__", (CHUNK,))  # the workers' chunks
    serial, parallel = (config("minimal", "horizon=3d", "replications=2", f"workers={n}")
                        for n in (1, 2))  # fmt: skip
    whole = sim.run_experiment(serial)
    path = tmp_path / ckpt.NAME
    with monkeypatch.context() as m:
        kill_after(m, 1, DAY)
        with pytest.raises(KilledError):
            sim.run_experiment(serial, checkpoint=path)
    hand_over = Checkpoints.for_workers

    def handed_then_killed(self):
        hand_over(self)
        raise KilledError

    with monkeypatch.context() as m:  # resumed with workers: the state goes to their file
        m.setattr(Checkpoints, "for_workers", handed_then_killed)
        with pytest.raises(KilledError):
            sim.run_experiment(parallel, checkpoint=path)
    assert saved_state(path) is None and sorted(ckpt.running_files(path)) == [1]
    assert saved_state(ckpt.running_path(path, 1))[:2] == (1, DAY)
    built: list[int] = []
    start = runner._start
    monkeypatch.setattr(runner, "_start", lambda c, r: built.append(r) or start(c, r))
    capsys.readouterr()
    assert same_tables(whole, sim.run_experiment(serial, checkpoint=path)) == []
    assert built == [] and ckpt.all_files(path) == [], "both from their files; then gone"
    assert "replication 1 from day 1\n" in capsys.readouterr().err


def test_a_finished_replication_is_written_once_in_its_own_file(
    monkeypatch, tmp_path: Path
) -> None:
    """Later saves rewrite the small main file only, not the finished tables (no O(n^2) bytes)."""
    writes: list[tuple[str, set]] = []
    write = ckpt.write
    monkeypatch.setattr(
        ckpt, "write", lambda p, h, data: writes.append((p.name, set(data))) or write(p, h, data)
    )
    path = tmp_path / ckpt.NAME
    cfg = config("minimal", "horizon=2d", "replications=3")
    sim.run_experiment(cfg, checkpoint=path, keep_checkpoint=True)
    finished = [f".ccsim-checkpoint-r{r}.pkl" for r in range(3)]
    assert [n for n, _ in writes if n != ckpt.NAME] == finished, "each one once, in order"
    assert {frozenset(keys) for n, keys in writes if n == ckpt.NAME} == {frozenset({"state"})}
    assert sorted(ckpt.finished_files(path)) == [0, 1, 2]
    assert path.stat().st_size < min(p.stat().st_size for p in ckpt.finished_files(path).values())
    assert ckpt.read_header(path)[0]["replications_done"] == [0, 1, 2]
    store = Checkpoints.open(cfg, path)  # what a resume of the finished run would read
    assert sorted(store.results()) == [0, 1, 2] and store.state is None


def test_killed_between_a_replications_file_and_the_main_file_resumes(
    monkeypatch, tmp_path: Path, capsys
) -> None:
    """The finished replication's file is the truth: the main file's older state is dropped."""
    cfg = config("minimal", "horizon=2d", "replications=2")
    whole = sim.run_experiment(cfg)
    path = tmp_path / ckpt.NAME
    write = Checkpoints._write

    def dying(self, state):
        if state is None and self.finished_reps == {0}:
            raise KilledError  # replication 0's file is written, the main file still says day 1
        write(self, state)

    with monkeypatch.context() as m:
        m.setattr(Checkpoints, "_write", dying)
        with pytest.raises(KilledError):
            sim.run_experiment(cfg, checkpoint=path)
    assert saved_state(path)[:2] == (0, DAY) and sorted(ckpt.finished_files(path)) == [0]
    built: list[int] = []
    start = runner._start
    monkeypatch.setattr(runner, "_start", lambda c, r: built.append(r) or start(c, r))
    capsys.readouterr()
    assert same_tables(whole, sim.run_experiment(cfg, checkpoint=path)) == []
    assert built == [1], "replication 0 came from its file, not from day 1 of the main file"
    said = capsys.readouterr().err
    assert f"resuming from {path}: 1 finished replication(s) ([0])\n" in said, said


@pytest.mark.parametrize("kind", ["r", "s"])  # a finished replication's, a worker's midnight
def test_a_foreign_file_named_like_a_replications_checkpoint_is_refused(
    tmp_path: Path, kind: str
) -> None:
    mine = tmp_path / f".ccsim-checkpoint-{kind}1.pkl"
    mine.write_bytes(b"my notes\n")
    for overwrite in ("false", "true"):
        cfg = config("minimal", "horizon=2d", f"overwrite={overwrite}")
        with pytest.raises(OutputError, match=rf"ccsim-checkpoint-{kind}1\.pkl was not written by"):
            sim.run_experiment(cfg, checkpoint=tmp_path / ckpt.NAME)
    assert mine.read_bytes() == b"my notes\n" and os.listdir(tmp_path) == [mine.name]


def test_overwrite_discards_an_earlier_runs_finished_replications(
    monkeypatch, tmp_path: Path
) -> None:
    """Else a later resume of the new run would meet the earlier run's files (other seed)."""
    path = tmp_path / ckpt.NAME
    killed_after_a_finished_replication(
        monkeypatch, config("minimal", "horizon=2d", "seed=3"), path
    )
    assert sorted(ckpt.finished_files(path)) == [0]
    earlier = {
        "code": ckpt.code_version(),
        "config": ckpt.config_keys(config("minimal", "horizon=2d", "seed=3")),
    }
    runner.WorkerMidnights(path, DAY, earlier).save(1, DAY, ())  # and a worker's midnight
    with monkeypatch.context() as m:
        kill_after(m, 0, DAY)
        with pytest.raises(KilledError):
            sim.run_experiment(config("minimal", "horizon=2d", "overwrite=true"), checkpoint=path)
    assert ckpt.finished_files(path) == {}, "the earlier run's replication 0 is gone"
    assert ckpt.running_files(path) == {}, "and its worker's state of replication 1"
    cfg = config("minimal", "horizon=2d")
    assert same_tables(sim.run_experiment(cfg), sim.run_experiment(cfg, checkpoint=path)) == []


def test_the_folder_counts_replication_files_as_the_runs_own(tmp_path: Path) -> None:
    from sim.study.folders import clean_leftovers, inspect

    (tmp_path / "thesis.txt").write_text("mine")
    ckpt.write(tmp_path / ".ccsim-checkpoint-r0.pkl", {"replication": 0}, {"result": None})
    ckpt.write(tmp_path / ".ccsim-checkpoint-s3.pkl", {"replication": 3}, {"state": None})
    (tmp_path / ".ccsim-checkpoint-r1.pkl.ccsim-tmp").write_bytes(b"half")  # killed mid-write
    (tmp_path / ".ccsim-checkpoint-s4.pkl.ccsim-tmp").write_bytes(b"half")  # a worker's, too
    (tmp_path / ".ccsim-checkpoint-r2.pkl").write_bytes(b"not ours")
    (tmp_path / ".ccsim-checkpoint-s2.pkl").write_bytes(b"not ours either")
    state = inspect(tmp_path)
    assert state.foreign == (".ccsim-checkpoint-r2.pkl", ".ccsim-checkpoint-s2.pkl", "thesis.txt")
    assert {
        ".ccsim-checkpoint-r0.pkl",
        ".ccsim-checkpoint-s3.pkl",
        ".ccsim-checkpoint-r1.pkl.ccsim-tmp",
        ".ccsim-checkpoint-s4.pkl.ccsim-tmp",
    } <= state.ours
    clean_leftovers(state)
    assert sorted(os.listdir(tmp_path)) == [
        ".ccsim-checkpoint-r0.pkl",  # kept: a run resumes from it
        ".ccsim-checkpoint-r2.pkl",
        ".ccsim-checkpoint-s2.pkl",
        ".ccsim-checkpoint-s3.pkl",  # kept: a worker's midnight, resumed from
        "thesis.txt",
    ]


def _killed_file(monkeypatch, tmp_path: Path, cfg: sim.Config) -> Path:
    path = tmp_path / ckpt.NAME
    with monkeypatch.context() as m:
        kill_after(m, 0, DAY)
        with pytest.raises(KilledError):
            sim.run_experiment(cfg, checkpoint=path)
    return path


def test_a_checkpoint_of_another_configuration_is_refused_naming_the_keys(
    monkeypatch, tmp_path: Path
) -> None:
    path = _killed_file(monkeypatch, tmp_path, config("minimal", "horizon=2d"))
    other = config("minimal", "horizon=2d", "warmup=60", "seed=3")
    with pytest.raises(OutputError, match=r"another configuration \(differs in seed, warmup\)"):
        sim.run_experiment(other, checkpoint=path)
    before = path.read_bytes()
    with pytest.raises(OutputError):
        sim.run_experiment(other, checkpoint=path)
    assert path.read_bytes() == before, "a refused checkpoint is left as it was"
    fresh = sim.run_experiment(
        config("minimal", "horizon=2d", "warmup=60", "seed=3", "overwrite=true"), checkpoint=path
    )
    assert same_tables(fresh, sim.run_experiment(other)) == []


def test_a_corrupt_or_foreign_checkpoint_is_refused(monkeypatch, tmp_path: Path) -> None:
    cfg = config("minimal", "horizon=2d")
    path = _killed_file(monkeypatch, tmp_path, cfg)
    data = path.read_bytes()
    path.write_bytes(data[:-100])
    with pytest.raises(OutputError, match=r"is corrupt \(.*bytes of"):
        sim.run_experiment(cfg, checkpoint=path)
    path.write_bytes(ckpt.MAGIC + b"not json\n")
    with pytest.raises(OutputError, match=r"is corrupt \(its header is not a ccsim checkpoint"):
        sim.run_experiment(cfg, checkpoint=path)
    path.write_bytes(b"my notes\n")
    with pytest.raises(
        OutputError, match="was not written by a ccsim run and would be overwritten"
    ):
        sim.run_experiment(config("minimal", "horizon=2d", "overwrite=true"), checkpoint=path)
    assert path.read_bytes() == b"my notes\n"


def test_a_checkpoint_of_another_code_version_is_refused(monkeypatch, tmp_path: Path) -> None:
    cfg = config("minimal", "horizon=2d")
    path = _killed_file(monkeypatch, tmp_path, cfg)
    monkeypatch.setattr(ckpt, "code_version", lambda: "0" * 64)
    with pytest.raises(OutputError, match="written by another version of ccsim"):
        sim.run_experiment(cfg, checkpoint=path)


def _cli(folder: Path) -> list[str]:
    return [
        sys.executable,
        "run.py",
        "scenario=postemobile",
        "horizon=4d",
        "replications=1",
        "plots=false",
        "progress=false",
        "checkpoint.every=1d",
        f"hydra.run.dir={folder}",
    ]


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    read = {".csv": pd.read_csv, ".parquet": pd.read_parquet}
    return {p.name: read[p.suffix](p) for p in sorted(folder.iterdir()) if p.suffix in read}


def test_kill_9_then_the_same_command_resumes_with_identical_files(tmp_path: Path) -> None:
    a, b = tmp_path / "killed", tmp_path / "whole"
    proc = subprocess.Popen(_cli(a), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    path, end = a / ckpt.NAME, time.monotonic() + 300
    while not (path.exists() and (ckpt.read_header(path)[0].get("day") or 0) >= 1):
        assert proc.poll() is None, "the run ended before its first checkpoint"
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    day = ckpt.read_header(path)[0]["day"]
    assert not (a / "done.json").exists(), "killed before it finished"
    again = subprocess.run(_cli(a), cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    whole = subprocess.run(_cli(b), cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert whole.returncode == 0, whole.stderr
    for folder in (a, b):  # the main file and the finished replication's file
        assert not [n for n in os.listdir(folder) if n.startswith(".ccsim")], "published: gone"
    ta, tb = _tables(a), _tables(b)
    assert set(ta) == set(tb) and "contacts.parquet" in ta
    assert [n for n in ta if not ta[n].equals(tb[n])] == [], f"killed after day {day}"


def test_kill_9_of_a_run_with_workers_resumes_each_replication_from_its_midnight(
    tmp_path: Path,
) -> None:
    """Worker processes save their replications' midnights; the rerun continues from them."""
    a, b = tmp_path / "killed", tmp_path / "whole"
    args = ["replications=2", "horizon=3d"]
    proc = subprocess.Popen(
        [*_cli(a), *args, "workers=2"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    path, end = a / ckpt.NAME, time.monotonic() + 300
    while len(ckpt.running_files(path)) < 2:  # each worker saved a midnight (renamed: whole)
        assert proc.poll() is None, "the run ended before its workers' first checkpoints"
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)  # its workers die with it
    proc.wait()
    assert not (a / "done.json").exists(), "killed before it finished"
    again = subprocess.run(
        [*_cli(a), *args, "workers=2"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert again.returncode == 0, again.stderr
    assert f"resuming from {path}: replication 0 from day" in again.stderr, again.stderr
    assert ", replication 1 from day" in again.stderr, again.stderr
    whole = subprocess.run([*_cli(b), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert whole.returncode == 0, whole.stderr
    assert not [n for n in os.listdir(a) if n.startswith(".ccsim")], "published: gone"
    ta, tb = _tables(a), _tables(b)
    assert set(ta) == set(tb) and "contacts.parquet" in ta
    assert [n for n in ta if not ta[n].equals(tb[n])] == [], "workers resumed = one serial run"
