"""A run never destroys or writes outside its own folder (sim/publish.py, sim/cli.py).

Every test here runs ``python run.py`` as a user would, into folders that hold
a user's files or earlier results, and interrupts it (Ctrl-C, ``kill -9`` at
named points of the writer through ``CCSIM_KILL_AT``, a full disk), then looks
at what is left: the user's files, the earlier results, nothing half-written
that looks finished, no worker process left behind.
"""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.study.folders import KILL_ENV, MANIFEST, STAGING, inspect, read_manifest

ROOT = Path(__file__).resolve().parents[1]
TINY = ["scenario=mmc", "replications=1", "horizon=60", "warmup=0", "plots=false"]
LONG = ["scenario=postemobile", "replications=4", "horizon=2880", "plots=false"]


def run(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "run.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
        **kw,
    )


def start(*args: str) -> subprocess.Popen:
    """A run in its own process group, as a terminal's foreground job is.

    With Ctrl-C's default action, too: a test suite started in the background of
    a non-interactive shell (``./dev test &``) ignores SIGINT, and a child inherits
    an ignored signal, so the run would (rightly) ignore the Ctrl-C sent below.
    """
    return subprocess.Popen(
        [sys.executable, "run.py", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=default_sigint,
    )


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def ctrl_c(proc: subprocess.Popen) -> None:
    """What Ctrl-C does: SIGINT to the whole foreground process group."""
    os.killpg(proc.pid, signal.SIGINT)


def wait_for(predicate, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.05)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a digest of its content."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def users_folder(tmp_path: Path, name: str = "d") -> Path:
    d = tmp_path / name
    d.mkdir()
    (d / "thesis.txt").write_text("three years of work\n")
    (d / "notes").mkdir()
    (d / "notes" / "kpis.csv").write_text("mine,not yours\n")
    return d


def staging_appears(folder: Path) -> bool:
    return folder.is_dir() and any(p.name.startswith(STAGING) for p in folder.iterdir())


def test_a_configuration_error_leaves_a_users_folder_untouched(tmp_path):
    d = users_folder(tmp_path)
    before = snapshot(d)
    p = run("scenario=mmc", "servers=0", f"hydra.run.dir={d}")
    assert p.returncode == 2
    assert p.stderr.strip() == "error: servers must be >= 1, got 0"
    assert snapshot(d) == before and sorted(os.listdir(d)) == ["notes", "thesis.txt"]


def test_a_run_refuses_a_folder_of_a_users_files_and_writes_beside_them_only_when_told(tmp_path):
    d = users_folder(tmp_path)
    before = snapshot(d)
    p = run(*TINY, f"hydra.run.dir={d}")
    assert p.returncode == 2 and "is not empty" in p.stderr and "overwrite=true" in p.stderr
    assert snapshot(d) == before
    p = run(*TINY, "overwrite=true", f"hydra.run.dir={d}")
    assert p.returncode == 0, p.stderr
    after = snapshot(d)
    assert {k: after[k] for k in before} == before  # the user's files, byte for byte
    assert read_manifest(d) is not None


def test_ctrl_c_leaves_a_users_folder_untouched_and_publishes_nothing(tmp_path):
    d = users_folder(tmp_path)
    before = snapshot(d)
    proc = start(*LONG, "overwrite=true", f"hydra.run.dir={d}")
    wait_for(lambda: staging_appears(d))
    time.sleep(1.0)  # well inside the simulation
    ctrl_c(proc)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert snapshot(d) == before and sorted(os.listdir(d)) == ["notes", "thesis.txt"]


def earlier_results(tmp_path: Path) -> Path:
    """A results folder as a user has it: a README and two finished runs."""
    results = tmp_path / "results"
    results.mkdir()
    (results / "README.md").write_text("my results\n")
    for n in ("a", "b"):
        p = run(*TINY, f"seed={(n == 'a' and 1) or 2}", f"hydra.run.dir={results / 'runs' / n}")
        assert p.returncode == 0, p.stderr
    return results


def test_running_into_the_results_folder_itself_leaves_earlier_results_alone(tmp_path):
    results = earlier_results(tmp_path)
    before = snapshot(results)
    for args in (TINY, ["scenario=mmc", "servers=0"]):
        p = run(*args, f"hydra.run.dir={results}")
        assert p.returncode == 2
        assert snapshot(results) == before
    proc = start(*LONG, "overwrite=true", f"hydra.run.dir={results}")
    wait_for(lambda: staging_appears(results))
    ctrl_c(proc)
    proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert snapshot(results) == before


def test_interrupting_a_sweep_keeps_other_experiments_and_finished_jobs(tmp_path):
    experiments = tmp_path / "experiments"
    other = experiments / "other"
    p = run(
        "-m", "experiment=pooling", "replications=2", "horizon=60", "warmup=0",
        "params.flexible=0,1", f"hydra.sweep.dir={other}",
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    before = snapshot(experiments)
    proc = start(
        "-m", "experiment=pooling", "replications=40", "horizon=2880",
        "params.flexible=0,2,5,10", f"hydra.sweep.dir={experiments / 'mine'}",
    )  # fmt: skip
    wait_for(lambda: any(staging_appears(p) for p in (experiments / "mine").glob("*")), 120)
    ctrl_c(proc)
    proc.communicate(timeout=120)
    assert {k: v for k, v in snapshot(experiments).items() if k.startswith("other")} == before
    for job in (experiments / "mine").iterdir():
        if job.is_dir():
            assert not inspect(job).foreign


@pytest.mark.parametrize(
    "args",
    [
        ["scenario=mmc", "name=../../OUTSIDE"],
        ["scenario=mmc", "study.name=../../OUTSIDE"],
        ["scenario=../../../../OUTSIDE"],
        ["experiment=../../OUTSIDE"],
        ["-m", "scenario=mmc", "servers=50,51", "hydra.sweep.subdir=../../OUTSIDE"],
    ],
)
def test_names_never_lead_outside_the_output_folder(args, tmp_path):
    (tmp_path / "OUTSIDE.yaml").write_text("# @package _global_\nname: escaped\n")
    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    before = snapshot(tmp_path)
    p = run(*args, f"hydra.run.dir={work / 'run'}", f"hydra.sweep.dir={work / 'sweep'}")
    assert p.returncode == 2, p.stdout[-500:]
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "a" / "OUTSIDE").exists() and not (tmp_path / "OUTSIDE").exists()


def test_job_folders_built_from_odd_values_stay_inside_the_sweep_folder(tmp_path):
    out = tmp_path / "sweep"
    p = run(
        "-m", "experiment=pooling", "params.flexible=0", "replications=1", "horizon=30",
        "warmup=0", "+params.note=../../up,'a/b c'", f"hydra.sweep.dir={out}",
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    jobs = [j for j in out.iterdir() if j.is_dir()]
    assert len(jobs) == 2 and all(read_manifest(j) for j in jobs)
    assert sorted(os.listdir(tmp_path)) == ["sweep"]
    assert all(".." not in j.name and "/" not in j.name for j in jobs)


def test_two_runs_into_one_folder_at_once_one_refuses_and_nothing_is_mixed(tmp_path):
    d = tmp_path / "shared"
    first = start(*LONG, f"hydra.run.dir={d}")
    wait_for(lambda: staging_appears(d))
    second = run(*TINY, f"hydra.run.dir={d}")
    assert second.returncode == 2
    assert (
        second.stderr.strip() == f"error: another run is writing into {d}; this one did not start"
    )
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    manifest = read_manifest(d)
    assert sorted([*manifest["files"], MANIFEST]) == sorted(os.listdir(d))
    assert "postemobile" in manifest["overrides"][0]
    again = run(*LONG, f"hydra.run.dir={d}")  # the same configuration: nothing to do
    assert again.returncode == 0 and "already done" in again.stdout


def clean_kpis(tmp_path: Path) -> pd.DataFrame:
    ref = tmp_path / "reference"
    assert run(*TINY, f"hydra.run.dir={ref}").returncode == 0
    return pd.read_csv(ref / "kpis.csv")


@pytest.mark.parametrize("point", ["claimed", "writing", "staged", "publishing", "manifest"])
def test_killed_at_any_point_no_folder_looks_finished_unless_it_is(point, tmp_path):
    d = users_folder(tmp_path)
    before = snapshot(d)
    killed = run(*TINY, "overwrite=true", f"hydra.run.dir={d}", env={KILL_ENV: point})
    assert killed.returncode == -signal.SIGKILL
    state = inspect(d)
    assert {k: snapshot(d)[k] for k in before} == before
    if point == "manifest":  # killed after the manifest: a finished, complete result
        assert state.finished and all((d / f).exists() for f in state.manifest["files"])
    else:
        assert not state.finished and read_manifest(d) is None
    again = run(*TINY, "overwrite=true", f"hydra.run.dir={d}")
    assert again.returncode == 0, again.stderr
    pd.testing.assert_frame_equal(pd.read_csv(d / "kpis.csv"), clean_kpis(tmp_path))
    assert not [n for n in os.listdir(d) if n.startswith(".ccsim")]
    assert {k: snapshot(d)[k] for k in before} == before


def test_killed_while_replacing_an_earlier_result_nothing_looks_finished(tmp_path):
    d = users_folder(tmp_path)
    assert run(*TINY, "seed=1", "overwrite=true", f"hydra.run.dir={d}").returncode == 0
    killed = run(
        *TINY, "seed=2", "overwrite=true", f"hydra.run.dir={d}", env={KILL_ENV: "retiring"}
    )
    assert killed.returncode == -signal.SIGKILL
    assert read_manifest(d) is None and (d / "thesis.txt").exists()
    again = run(*TINY, "seed=2", "overwrite=true", f"hydra.run.dir={d}")
    assert again.returncode == 0, again.stderr
    assert "seed=2" in read_manifest(d)["overrides"]


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid,ppid"], capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines()[1:]]
    return [int(c) for c, p in rows if int(p) == pid]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not status.exists() or status.read_text().split()[2] != "Z"


SWEEP = ["-m", "experiment=pooling", "replications=40", "horizon=2880", "params.flexible=0,5,10"]


@pytest.mark.parametrize(
    ("args", "busy"),
    [
        (["scenario=postemobile", "workers=2", "replications=8", "horizon=2880"], 2.0),
        (SWEEP, 2.0),
        (SWEEP, 0.0),
    ],
    ids=[
        "replications in a process pool",
        "sweep jobs in joblib workers",
        "joblib workers killed as they start, before any job reached them",
    ],
)
def test_worker_processes_die_with_their_parent(args, busy, tmp_path):
    """Killed with ``kill -9``, the parent leaves no worker behind.

    With ``busy=0`` the parent dies as its workers appear: a worker must
    watch it from its start, not from its first job (loky's idle workers wait
    five minutes for a job).
    """
    proc = start(*args, f"hydra.run.dir={tmp_path / 'r'}", f"hydra.sweep.dir={tmp_path / 's'}")
    wait_for(lambda: len(children(proc.pid)) >= 2, 120)
    time.sleep(busy)  # the workers are busy
    workers = children(proc.pid)
    proc.kill()
    proc.wait()
    try:
        wait_for(lambda: not any(alive(w) for w in workers), 10)
    except AssertionError:  # name the survivors: which child outlives its parent
        left = [Path(f"/proc/{w}/cmdline").read_bytes()[:200] for w in workers if alive(w)]
        raise AssertionError(f"children alive 10 s after their parent died: {left}") from None
    finally:
        for w in workers:
            if alive(w):
                os.kill(w, signal.SIGKILL)


def full_disk() -> None:
    """In the child: files may not grow beyond 64 KB (writes fail with EFBIG)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, 64_000))


def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(tmp_path):
    d = users_folder(tmp_path)
    before = snapshot(d)
    p = run(
        *TINY[:-1], "progress=false", "overwrite=true", f"hydra.run.dir={d}", preexec_fn=full_disk
    )
    assert p.returncode == 2
    (line,) = p.stderr.strip().splitlines()
    assert line.startswith(f"error: cannot write the results into {d}: ")
    assert "File too large" in line and line.endswith("nothing was published")
    assert snapshot(d) == before and sorted(os.listdir(d)) == ["notes", "thesis.txt"]
    new = tmp_path / "new"
    p = run(*TINY[:-1], f"hydra.run.dir={new}", preexec_fn=full_disk)
    assert p.returncode == 2 and not new.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_one_line(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o555)
    p = run(*TINY, f"hydra.run.dir={d / 'run'}")
    assert p.returncode == 2 and p.stderr.startswith("error: cannot create")


def test_a_staging_folder_stopped_while_made_or_removed_is_still_the_runs(tmp_path, monkeypatch):
    """Ctrl-C between creating a staging folder and marking it, or while removing it, leaves a
    folder the next run recognises as a run's own (and removes), not a user's that blocks it."""
    from sim.study import folders

    d = tmp_path / "out"
    claim = folders.Claim(d, "digest")
    with monkeypatch.context() as m:  # stopped right after the folder is made, before its mark
        m.setattr(Path, "touch", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
        with pytest.raises(KeyboardInterrupt):
            claim.__enter__()
    assert not d.exists(), "the half-made staging folder went with the folder it was in"
    d.mkdir()
    empty = d / f"{STAGING}abc123"  # what a kill between mkdtemp and the mark leaves
    empty.mkdir()
    marked = d / f"{STAGING}def456"
    marked.mkdir()
    for name in (folders.STAGING_MARK, "a.csv", "b.csv", "c.csv"):
        (marked / name).write_text("x")
    removed: list[str] = []

    def stopped(path: Path) -> None:  # killed while removing its second file
        if len(removed) == 1:
            raise KeyboardInterrupt
        removed.append(path.name)
        path.unlink()

    with monkeypatch.context() as m:
        m.setattr(folders, "_remove", stopped)
        with pytest.raises(KeyboardInterrupt):
            folders.remove_staging(marked)
    assert (marked / folders.STAGING_MARK).exists() and len(removed) == 1
    state = inspect(d)
    assert set(state.staging) == {empty.name, marked.name} and not state.foreign
    users = d / f"{STAGING}mine"  # named like ours, but a user's: not empty, not marked
    users.mkdir()
    (users / "thesis.txt").write_text("mine")
    assert inspect(d).foreign == (users.name,)
    users.rename(tmp_path / "kept")
    with folders.Claim(d, "digest") as again:  # the next run cleans both and writes
        assert not empty.exists() and not marked.exists() and again.staging.is_dir()
    assert os.listdir(d) == []
