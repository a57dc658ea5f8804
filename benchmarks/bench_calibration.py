"""Time of calibrate and backtest on a 30-day log of about 1,500 calls a day.

The log is made by simulating a known centre (tests/test_calibration.py's,
scaled to ~1,500 calls a day) and exporting it; then the log is loaded,
calibrated (estimates, scenario file, report) and backtested (every day
replayed with 20 replications, the typical day with 20). One run, wall time.

Usage: ``./dev python benchmarks/bench_calibration.py [--days 30]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim import load_config  # noqa: E402
from sim.data.backtest import run_backtest  # noqa: E402
from sim.data.calibrate import calibrate, write_scenario  # noqa: E402
from sim.data.export import SIM_LOG_MAPPING, export_log  # noqa: E402
from sim.data.logs import load_log  # noqa: E402
from sim.data.pages import write_backtest, write_calibration  # noqa: E402
from sim.runner import run_experiment  # noqa: E402
from tests.test_calibration import truth  # noqa: E402


def main() -> None:
    """Build the log, then time each step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    cfg = truth(days=args.days)
    cfg.queues["calls"].arrival.rate = 1.3  # about 1,500 calls a day on this profile
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        log_path = export_log(run_experiment(cfg).contacts, tmp / "log.csv")
        t0 = time.perf_counter()
        log = load_log(log_path, SIM_LOG_MAPPING)
        t1 = time.perf_counter()
        cal = calibrate(log, "bench", scheme="all", day_type="all")
        (tmp / "scenario").mkdir()
        write_scenario(cal, tmp / "scenario" / "bench.yaml")
        write_calibration(cal, tmp / "scenario" / "bench.yaml", tmp / "calibration")
        t2 = time.perf_counter()
        base = load_config("bench", config_dir=tmp)
        bt = run_backtest(base, log.contacts, cal.staffing, cal.typical, cal.days, 20)
        write_backtest(bt, "bench", tmp / "backtest", "bench")
        t3 = time.perf_counter()
    calls = len(log.contacts)
    print(f"{args.days}-day log, {calls:,} calls ({calls / args.days:,.0f} a day)")
    print(f"load the log        {t1 - t0:6.1f} s")
    print(f"calibrate + report  {t2 - t1:6.1f} s")
    print(f"backtest (20 reps)  {t3 - t2:6.1f} s   ({args.days + 1} days x 20 replications)")


if __name__ == "__main__":
    main()
