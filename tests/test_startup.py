"""Start-up cost: what ``import sim`` and a trivial run load, and the cheap exact statistics.

The import checks run in fresh interpreters and look at ``sys.modules``, so they
cannot flake on a busy machine the way a CPU-time bound would: a module that is
not loaded costs nothing. pandas itself imports pyarrow's core when it is
installed (pandas 3), so the checks name ``pyarrow.parquet``, the part ccsim loads
to write Parquet. The statistics checks compare the table-based Student-t
quantile, the logistic function and the matrix KPI summary with scipy and with
the one-KPI-at-a-time computation, to the last bit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.metrics.kpis import BOUNDS, UNBOUNDED
from sim.metrics.stats import (
    T_TABLE,
    TABLE_LEVEL,
    bounded_interval,
    difference_bounds,
    expit,
    kpi_bounds,
    paired_difference,
    summarise_replications,
    t_interval,
    t_quantile,
)
from sim.runner import run_experiment
from tests.conftest import mmc_config

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("matplotlib", "scipy.stats", "scipy.optimize", "openpyxl", "pyarrow.parquet")
TRIVIAL = ["scenario=mmc", "horizon=10", "warmup=0", "replications=1", "progress=false"]


def loaded_after(code: str) -> set[str]:
    """The modules loaded in a fresh interpreter after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_sim_loads_no_library():
    mods = loaded_after("import sim")
    for name in ("numpy", "pandas", "scipy", "matplotlib", "pyarrow", "hydra", "simpy"):
        assert name not in mods, name


def test_sim_journey_stays_the_function_once_the_engine_is_loaded():
    code = (
        "import types, sim, sim.runner, sim.journey.front_door\n"
        "assert callable(sim.journey) and not isinstance(sim.journey, types.ModuleType)"
    )
    assert "sim.journey.front_door" in loaded_after(code)


def test_the_public_api_loads_no_plotting_scipy_stats_or_parquet():
    mods = loaded_after("from sim import Results, load_config, paired_difference, run_experiment")
    assert "sim.runner" in mods  # the names did load their modules
    for name in (*HEAVY, "tqdm", "sim.report.plots", "sim.analytic.sbr"):
        assert name not in mods, name


def test_a_trivial_run_loads_no_plotting_or_scipy_stats(tmp_path):
    out = tmp_path / "run"
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['run.py', *{[*TRIVIAL, f'hydra.run.dir={out}']!r}]\n"
        "try:\n    runpy.run_path('run.py', run_name='__main__')\n"
        "except SystemExit as e:\n    assert not e.code, e.code\n"
    )
    mods = loaded_after(code)
    for name in ("matplotlib", "scipy.stats", "openpyxl", "sim.report.plots", "sim.data"):
        assert name not in mods, name
    assert {"kpis.csv", "contacts.parquet", "done.json"} <= {p.name for p in out.iterdir()}
    assert not list(out.glob("*.png"))  # textbook scenarios draw plots only when asked


def openblas_threads(code: str, env: dict[str, str]) -> int:
    """OpenBLAS's thread count (threadpoolctl) in a fresh interpreter after ``code``."""
    probe = (
        f"{code}\nimport numpy, threadpoolctl\n"
        "print([i['num_threads'] for i in threadpoolctl.threadpool_info()"
        " if i['internal_api'] == 'openblas'][0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip().splitlines()[-1])


def trivial_run(out: Path) -> str:
    """Code that runs the trivial command line in-process, into ``out``."""
    argv = [*TRIVIAL, f"hydra.run.dir={out}"]
    return f"from sim.cli.main import main\nassert main({argv!r}, None) == 0"


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: OpenBLAS has one thread anyway")
def test_the_command_line_runs_openblas_on_one_thread_unless_the_user_chose(tmp_path):
    pytest.importorskip("threadpoolctl")
    unset = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    assert openblas_threads("", env) > 1  # the default this changes: a thread per core
    assert openblas_threads(trivial_run(tmp_path / "a"), env) == 1
    assert (tmp_path / "a" / "kpis.csv").is_file()
    chosen = {**env, "OPENBLAS_NUM_THREADS": "2"}
    assert openblas_threads(trivial_run(tmp_path / "b"), chosen) == 2


@pytest.mark.parametrize("df", range(1, len(T_TABLE) + 1))
def test_the_t_table_is_scipys_quantile_to_the_last_bit(df):
    assert t_quantile(TABLE_LEVEL, df) == stats.t.ppf(0.5 + TABLE_LEVEL / 2, df)


@pytest.mark.parametrize(("level", "df"), [(0.95, len(T_TABLE) + 1), (0.9, 9), (0.99, 4)])
def test_levels_and_sizes_off_the_table_ask_scipy(level, df):
    assert t_quantile(level, df) == stats.t.ppf(0.5 + level / 2, df)


def test_expit_is_scipys_logistic_cdf_to_the_last_bit():
    rng = np.random.default_rng(3)
    z = np.concatenate(
        [
            np.linspace(-800.0, 800.0, 16_001),
            rng.normal(0.0, 5.0, 20_000),
            [0.0, -0.0, 1e-300, -1e-300, -709.8, -745.2, np.inf, -np.inf],
        ]
    )
    ours = np.array([expit(float(v)) for v in z])
    assert np.array_equal(ours, stats.logistic.cdf(z))
    assert np.isnan(expit(float("nan")))


def one_at_a_time(per_rep: pd.DataFrame, bounds=kpi_bounds) -> pd.DataFrame:
    """The KPI summary as it was computed before: a groupby loop, one KPI at a time."""
    rows = []
    for (scope, metric), grp in per_rep.groupby(["scope", "metric"], sort=False):
        mean, lo, hi = bounded_interval(grp["value"].to_numpy(), bounds(metric))
        rows.append((scope, metric, mean, lo, hi, int(grp["value"].notna().sum())))
    columns = ["scope", "metric", "mean", "ci_low", "ci_high", "replications"]
    return pd.DataFrame(rows, columns=columns)


def crossing(per_rep: pd.DataFrame) -> int:
    """How many KPIs have a plain t-interval outside their bounds (the transformed path)."""
    n = 0
    for (_, metric), grp in per_rep.groupby(["scope", "metric"], sort=False):
        _, lo, hi = t_interval(grp["value"].to_numpy())
        low, high = kpi_bounds(metric)
        n += bool(lo < low or hi > high)
    return n


@pytest.fixture(scope="module")
def per_rep() -> pd.DataFrame:
    cfg = mmc_config(4.0, 1.0, 5, patience=3.0, horizon=120.0, replications=6, keep_records=False)
    return run_experiment(cfg).replications


def synthetic(rng: np.random.Generator, reps: int) -> pd.DataFrame:
    """KPIs on or near their bounds (rare abandonment, short waits, occupancy near 1), others."""
    metrics = ["p_abandon", "asa", "occupancy", "offered", "not_a_kpi"]
    rows = []
    for r in range(reps):
        for s in range(40):
            for m in metrics:
                v = rng.exponential(0.02) * (rng.random() < 0.1)  # mostly 0, rare spikes
                v = 1 - v if m == "occupancy" else v
                rows.append((r, f"queue:q{s}", m, min(v, 1.0) if m != "not_a_kpi" else -v))
    return pd.DataFrame(rows, columns=["replication", "scope", "metric", "value"])


def test_the_matrix_summary_equals_one_kpi_at_a_time_on_a_run(per_rep):
    pd.testing.assert_frame_equal(
        summarise_replications(per_rep), one_at_a_time(per_rep), check_exact=True
    )


@pytest.mark.parametrize("reps", [1, 2, 3, 10, 30])
def test_the_matrix_summary_equals_one_kpi_at_a_time_near_bounds(reps):
    data = synthetic(np.random.default_rng(reps), reps)
    assert reps < 2 or crossing(data) > 0  # the transformed intervals are exercised
    pd.testing.assert_frame_equal(
        summarise_replications(data), one_at_a_time(data), check_exact=True
    )


def test_missing_values_and_unequal_counts_take_the_one_kpi_path_with_the_same_numbers(per_rep):
    holes = per_rep.copy()
    holes.loc[holes.index[::7], "value"] = np.nan
    fewer = per_rep.drop(index=per_rep.index[::5])
    for data in (holes, fewer, per_rep.iloc[:0]):
        pd.testing.assert_frame_equal(
            summarise_replications(data), one_at_a_time(data), check_exact=True
        )


def test_paired_differences_equal_one_kpi_at_a_time(per_rep):
    other = per_rep.assign(value=per_rep["value"] * 1.01 + 0.001)
    keys = ["replication", "scope", "metric"]
    both = per_rep.merge(other, on=keys, suffixes=("_a", "_b"))
    both["value"] = both["value_b"] - both["value_a"]
    expected = one_at_a_time(
        both[[*keys, "value"]], lambda m: difference_bounds(BOUNDS.get(m, UNBOUNDED))
    )
    pd.testing.assert_frame_equal(paired_difference(per_rep, other), expected, check_exact=True)


def test_lazy_names_stay_functions_after_their_modules_are_imported():
    """A public name must not be shadowed by a submodule of the same name (sim.analytic)."""
    import sim.analytic
    import sim.analytic.erlang  # imports the birth-death module itself

    for name in sim.analytic.__all__:
        assert not isinstance(getattr(sim.analytic, name), type(sim.analytic)), name
