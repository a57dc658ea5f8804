"""End to end through the command line (python run.py ...)."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def run(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "run.py", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_textbook_run_prints_simulation_beside_theory_and_writes_results(tmp_path):
    out = tmp_path / "run"
    p = run(
        "scenario=mmc",
        "arrival_rate=45",
        "mean_service=1",
        "servers=50",
        "replications=3",
        "horizon=300",
        "warmup=30",
        "plots=true",  # textbook scenarios draw plots only when asked (configs/scenario/mmc.yaml)
        f"hydra.run.dir={out}",
    )
    assert p.returncode == 0, p.stderr
    assert "theory" in p.stdout and "service_level" in p.stdout
    for name in (
        "kpis.csv",
        "intervals.csv",
        "contacts.parquet",
        "levels.parquet",
        "config.yaml",
        "wait_distribution.png",
        "queue_length.png",
        "service_level.png",
        ".hydra/config.yaml",
    ):
        assert (out / name).exists(), name
    kpis = pd.read_csv(out / "kpis.csv")
    assert {"metric", "mean", "ci_low", "ci_high", "replications", "theory"} <= set(kpis.columns)
    assert not list(out.glob(".staging-*"))


def test_bad_input_stops_before_the_run_and_leaves_nothing(tmp_path):
    out = tmp_path / "bad"
    p = run("scenario=mmc", "servers=0", f"hydra.run.dir={out}")
    assert p.returncode == 2
    assert p.stderr.strip().splitlines()[-1] == "error: servers must be >= 1, got 0"
    assert "Traceback" not in p.stderr
    assert not out.exists()


def test_unknown_key_is_rejected_by_hydra(tmp_path):
    out = tmp_path / "typo"
    p = run("scenario=mmc", "serverz=3", f"hydra.run.dir={out}")
    assert p.returncode != 0
    assert "serverz" in p.stderr and "Traceback" not in p.stderr
    assert not out.exists()


def test_postemobile_day_runs_well_under_a_minute(tmp_path):
    import time

    out = tmp_path / "pm"
    start = time.perf_counter()
    p = run("scenario=postemobile", "replications=2", "plots=false", f"hydra.run.dir={out}")
    assert p.returncode == 0, p.stderr
    assert time.perf_counter() - start < 60
    assert "By channel" in p.stdout and "voice" in p.stdout
