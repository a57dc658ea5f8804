"""Experiments: Hydra sweeps in parallel = serial, resumable sweeps, the HTML report
(checked in a real headless Chromium), every ready-made experiment end to end, the
SLURM launcher's submitit machinery on this machine (the Dask launcher: tests/test_cluster.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.config.compose import CONFIG_DIR
from sim.study.folders import KILL_ENV
from sim.study.folders import MANIFEST as DONE

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["replications=3", "horizon=240", "warmup=0", "params.flexible=0,2,10"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
EXPERIMENTS = sorted(p.stem for p in (CONFIG_DIR / "experiment").glob("[!_]*.yaml"))


def sweep(
    out: Path, *extra: str, python: str = sys.executable, experiment="pooling", ok=True, env=None
) -> str:
    """Run ``run.py`` as a user would; return its output."""
    cmd = [python, "run.py", "-m", f"experiment={experiment}", f"hydra.sweep.dir={out}", *extra]
    done = subprocess.run(
        cmd,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **(env or {})},
    )
    if ok:
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    else:
        assert done.returncode != 0, done.stdout[-2000:]
    return done.stdout + done.stderr


def jobs(out: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(out.iterdir()) if p.is_dir()}


def by_label(out: Path) -> dict[str, Path]:
    return {json.loads((p / DONE).read_text())["label"]: p for p in jobs(out).values()}


def tables(job: Path) -> dict[str, pd.DataFrame]:
    return {n: pd.read_csv(job / n) for n in ("kpis.csv", "replications.csv", "intervals.csv")}


@pytest.fixture(scope="module")
def parallel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sweeps") / "parallel"
    sweep(out, *SMALL)
    return out


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sweeps") / "serial"
    sweep(out, *SMALL, "hydra/launcher=basic")
    return out


def assert_same_jobs(a: Path, b: Path) -> None:
    ja, jb = jobs(a), jobs(b)
    assert sorted(ja) == sorted(jb) and len(ja) == 3
    for name in ja:
        for table, frame in tables(ja[name]).items():
            pd.testing.assert_frame_equal(frame, tables(jb[name])[table], obj=f"{name}/{table}")


def test_a_parallel_sweep_gives_the_same_numbers_as_a_serial_one(parallel, serial):
    assert_same_jobs(parallel, serial)


def test_jobs_share_random_numbers_and_differ_only_by_their_factor(parallel):
    found = {
        label: tables(p)["kpis.csv"].set_index(["scope", "metric"])
        for label, p in by_label(parallel).items()
    }
    offered = {k: v.loc[("all", "offered"), "mean"] for k, v in found.items()}
    assert len(set(offered.values())) == 1  # same arrivals in every job (CRN)
    sl = {k: v.loc[("all", "service_level"), "mean"] for k, v in found.items()}
    assert sl["0 flexible per team"] < sl["2 flexible per team"] < sl["10 flexible per team"]


def test_an_interrupted_sweep_resumes_without_redoing_or_corrupting_finished_jobs(
    parallel, serial, tmp_path
):
    out = tmp_path / "resumed"
    shutil.copytree(parallel, out)
    finished = {n: (p / "kpis.csv").stat().st_mtime_ns for n, p in jobs(out).items()}
    again = sweep(out, *SMALL)
    assert again.count("already done (same configuration)") == 3
    assert {n: (p / "kpis.csv").stat().st_mtime_ns for n, p in jobs(out).items()} == finished
    # one job is killed (SIGKILL) halfway through moving its files into place
    victim = by_label(out)["2 flexible per team"]
    shutil.rmtree(victim)
    sweep(out, *SMALL, ok=False, env={KILL_ENV: "publishing"})
    assert victim.is_dir() and not (victim / DONE).exists()
    assert (victim / "kpis.csv").exists() or (victim / "intervals.csv").exists()  # half moved
    again = sweep(out, *SMALL)
    assert again.count("already done (same configuration)") == 2
    for name, path in jobs(out).items():
        if name != victim.name:
            assert (path / "kpis.csv").stat().st_mtime_ns == finished[name]
    assert json.loads((victim / DONE).read_text())["label"] == "2 flexible per team"
    assert_same_jobs(out, serial)


def test_a_changed_configuration_is_not_taken_for_a_finished_job(parallel, tmp_path):
    out = tmp_path / "changed"
    shutil.copytree(parallel, out)
    before = {n: (p / "kpis.csv").read_text() for n, p in jobs(out).items()}
    same_folders = "hydra.job.config.override_dirname.exclude_keys=[experiment,seed,overwrite]"
    refused = sweep(out, *SMALL, "seed=7", same_folders, ok=False)
    assert "holds a finished result of another configuration" in refused
    assert {n: (p / "kpis.csv").read_text() for n, p in jobs(out).items()} == before
    again = sweep(out, *SMALL, "seed=7", same_folders, "overwrite=true")
    assert "already done" not in again
    after = {n: (p / "kpis.csv").read_text() for n, p in jobs(out).items()}
    assert sorted(after) == sorted(before) and all(after[n] != before[n] for n in before)


def test_the_report_has_every_scenario_and_paired_differences(parallel):
    page = (parallel / "report.html").read_text()
    for label in ("0 flexible per team", "2 flexible per team", "10 flexible per team"):
        assert label in page
    assert "Differences with the baseline (0 flexible per team)" in page
    assert "Differences paired on common random numbers" in page
    assert len(re.findall(r'<img alt="[^"]*" src="data:image/png;base64,', page)) >= 4
    assert "http://" not in page and "https://" not in page  # self-contained


PROBE = """<script>
window.addEventListener('load', () => {
  const imgs = [...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight]);
  const heads = [...document.querySelectorAll('table')[0].rows[0].cells].map(c => c.textContent);
  const pre = document.createElement('pre'); pre.id = 'probe';
  const tables = document.querySelectorAll('table').length;
  pre.textContent = JSON.stringify({imgs, heads, tables});
  document.body.appendChild(pre);
});
</script></body>"""


def chromium(*args: str) -> subprocess.CompletedProcess:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)"
)
def test_the_report_renders_in_a_real_headless_browser(parallel, tmp_path):
    page = (parallel / "report.html").read_text().replace("</body>", PROBE)
    probed = tmp_path / "probed.html"
    probed.write_text(page)
    profile = f"--user-data-dir={tmp_path / 'profile'}"
    dom = chromium(profile, "--virtual-time-budget=10000", "--dump-dom", probed.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, re.S)
    assert found, dom.stderr[-2000:]
    probe = json.loads(found.group(1).replace("&quot;", '"'))
    assert len(probe["imgs"]) >= 4
    assert all(done and w > 100 and h > 100 for done, w, h in probe["imgs"])
    assert any("10 flexible per team" in h for h in probe["heads"])
    assert probe["tables"] >= 2
    shot = tmp_path / "report.png"
    chromium(
        profile,
        "--window-size=1200,1600",
        f"--screenshot={shot}",
        (parallel / "report.html").as_uri(),
    )
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one


# The default run drives every experiment without the per-job PNG plots (half of a job's
# time; drawn by the same code for every scenario, checked in test_plots.py and in the
# sweeps above); test-all runs each one with its plots as well.
@pytest.mark.parametrize(
    ("name", "plots"),
    [pytest.param(n, False, id=n) for n in EXPERIMENTS]
    + [pytest.param(n, True, id=f"{n}-plots", marks=pytest.mark.slow) for n in EXPERIMENTS],
)
def test_every_ready_made_experiment_runs_end_to_end(name, plots, tmp_path):
    short = ["replications=2", "warmup=0", f"plots={str(plots).lower()}"]
    short += ["horizon=2880"] if name == "shift_design" else ["horizon=180"]
    out = tmp_path / name
    text = sweep(out, *short, experiment=name)
    assert "report:" in text
    assert (out / "report.html").is_file()
    assert all((p / DONE).is_file() for p in jobs(out).values())


def test_the_same_sweep_runs_through_the_slurm_launcher_machinery(serial, tmp_path):
    """submitit's local executor: SLURM's pickling and result path, without SLURM."""
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    out = tmp_path / "submitit"
    logs = f"hydra.launcher.submitit_folder={tmp_path}/logs/%j"
    sweep(out, *SMALL, "hydra/launcher=slurm_local", logs)
    assert_same_jobs(out, serial)
    assert (out / "report.html").is_file()


def test_the_slurm_launcher_config_selects_submitit_on_slurm():
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    from hydra import compose, initialize_config_dir

    from sim.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        overrides = ["experiment=pooling", "hydra/launcher=slurm", "hydra.launcher.partition=cpu"]
        cfg = compose("config", overrides=overrides, return_hydra_config=True)
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("SlurmLauncher")
    assert launcher.partition == "cpu" and launcher.cpus_per_task == 1
    assert str(launcher.submitit_folder).startswith("results/.submitit/pooling/")


def test_hydras_own_sweeper_gives_the_same_jobs(serial, tmp_path):
    """The default ``hydra/sweeper=checked`` expands, numbers and launches as Hydra's own."""
    out = tmp_path / "basic_sweeper"
    sweep(out, *SMALL, "hydra/launcher=basic", "hydra/sweeper=basic")
    assert_same_jobs(out, serial)


def test_the_sweeper_composes_the_jobs_again_only_where_the_driver_did_not(monkeypatch):
    """In the driver, run.py's checks composed every job already; anywhere else Hydra checks."""
    from types import SimpleNamespace

    from hydra import compose, initialize_config_dir
    from hydra.core.plugins import Plugins
    from omegaconf import OmegaConf

    from sim.cli.common import DRIVER_ENV
    from sim.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("config", overrides=["experiment=pooling"], return_hydra_config=True)
    assert cfg.hydra.sweeper._target_.endswith(".CheckedSweeper")  # the default
    # Hydra's plugin scan executes the plugin modules again (and the basic sweeper's):
    # the class to test is the one Hydra has after its scan
    Plugins.instance()
    from hydra_plugins.ccsim_sweeper.checked_sweeper import CheckedSweeper

    composed: list[list[str]] = []

    def load_sweep_config(master_config, sweep_overrides):
        composed.append(sweep_overrides)

    sweeper = CheckedSweeper(max_batch_size=None)
    sweeper.config = OmegaConf.create({})
    sweeper.hydra_context = SimpleNamespace(
        config_loader=SimpleNamespace(load_sweep_config=load_sweep_config)
    )
    batch = [["params.flexible=0"], ["params.flexible=2"]]
    monkeypatch.delenv(DRIVER_ENV, raising=False)
    sweeper.validate_batch_is_legal(batch)  # no driver: Hydra's check
    monkeypatch.setenv(DRIVER_ENV, str(os.getpid() + 1))  # a worker of another driver
    sweeper.validate_batch_is_legal(batch)
    assert composed == batch + batch
    monkeypatch.setenv(DRIVER_ENV, str(os.getpid()))  # the driver, after its checks
    sweeper.validate_batch_is_legal(batch)
    assert composed == batch + batch
