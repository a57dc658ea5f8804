r"""``./dev calibrate`` and ``./dev backtest``: a centre's log to a scenario, and back to the log.

::

    ./dev calibrate data/anonymous_bank/anonymous_bank_1999-02-01_07.tsv \\
        --mapping data/anonymous_bank/mapping.yaml --out configs/scenario/bank_weekday.yaml
    ./dev backtest bank_weekday

``calibrate`` writes the scenario file and ``results/calibration/<name>/``
(tables, the per-day staffing, calibration.json, report.html); ``backtest``
reads that folder, runs the days of the log and the typical day, and writes
``results/backtest/<name>/`` (tables, backtest.png, backtest.md,
report.html). A bad input is one line (``error: ...``) and exit code 2, and
nothing is written.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from sim.config.errors import ConfigError

RESULTS = Path("results")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="./dev", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("calibrate", help="a scenario file from a contact log")
    c.add_argument("log", help="the contact log (CSV or Parquet)")
    c.add_argument("--mapping", required=True, help="its column mapping (YAML)")
    c.add_argument("--out", required=True, help="the scenario file, in a scenario/ folder")
    c.add_argument("--name", help="the scenario's name (default: the file's)")
    c.add_argument("--interval-report", help="an ACD interval report (scheduled agents)")
    c.add_argument("--report-mapping", help="the interval report's column mapping (YAML)")
    c.add_argument("--staffing", help="a staffing table (scheduled agents per interval)")
    c.add_argument("--staffing-mapping", help="the staffing table's column mapping (YAML)")
    c.add_argument(
        "--week",
        default="israel",
        help="day types: israel, weekday_saturday_sunday, day_of_week, all",
    )
    c.add_argument("--day-type", default="weekday", help="the day type the scenario describes")
    c.add_argument("--interval", type=float, default=30.0, help="minutes per interval")
    c.add_argument("--overwrite", action="store_true", help="replace an earlier calibration")
    b = sub.add_parser("backtest", help="the calibrated scenario against its log")
    b.add_argument("name", help="the calibration's name (results/calibration/<name>/)")
    b.add_argument("--replications", type=int, default=20)
    b.add_argument("--overwrite", action="store_true", help="replace an earlier backtest")
    return p


def _scheduled(args: argparse.Namespace):
    from sim.data.reports import load_interval_report, load_staffing_table

    if args.interval_report:
        report = load_interval_report(args.interval_report, args.report_mapping)
        return report.groupby(["day", "t_start"], as_index=False).agents.sum()
    if args.staffing:
        table = load_staffing_table(args.staffing, args.staffing_mapping)
        return table.groupby(["day", "t_start"], as_index=False).agents.sum()
    return None


def calibrate_command(args: argparse.Namespace) -> int:
    """Estimate, write the scenario file and the calibration folder."""
    from sim.config.checks.common import check_safe_name
    from sim.data.calibrate import calibrate, write_scenario
    from sim.data.logs import load_log
    from sim.data.pages import write_calibration

    out = Path(args.out)
    if out.parent.name != "scenario" or out.suffix != ".yaml":
        raise ConfigError(
            f"--out must be a .yaml file in a scenario/ folder (a scenario), got {args.out!r}"
        )
    name = args.name or out.stem
    check_safe_name(name, "--name")
    start = time.perf_counter()
    log = load_log(args.log, args.mapping)
    print(log.summary())
    cal = calibrate(
        log, name, args.mapping, args.interval, args.week, args.day_type, scheduled=_scheduled(args)
    )
    folder = RESULTS / "calibration" / name
    write_calibration(cal, out, folder, args.overwrite)
    write_scenario(cal, out, args.overwrite)
    print(
        f"scenario: {out}\nreport: {folder / 'report.html'}  ({time.perf_counter() - start:.1f} s)"
    )
    return 0


def backtest_command(args: argparse.Namespace) -> int:
    """Run the days of the log and the typical day; write the comparison."""
    import pandas as pd

    from sim.config.checks.common import check_safe_name
    from sim.config.load import load_config
    from sim.data.backtest import run_backtest
    from sim.data.logs import load_log
    from sim.data.pages import overall_table, write_backtest
    from sim.data.staffing import typical_staffing

    check_safe_name(args.name, "name")
    folder = RESULTS / "calibration" / args.name
    info_path = folder / "calibration.json"
    if not info_path.is_file():
        raise ConfigError(
            f"no calibration {args.name!r}: {info_path} is missing (run ./dev calibrate first)"
        )
    start = time.perf_counter()
    info = json.loads(info_path.read_text())
    scenario = Path(info["scenario"])
    base = load_config(scenario.stem, config_dir=scenario.parent.parent)
    log = load_log(info["log"], info["mapping"] or None)
    staffing = pd.read_csv(folder / "staffing.csv", parse_dates=["day"])
    typical = typical_staffing(staffing, info["scheme"], info["day_type"])
    from sim.data.estimate import day_types

    days = [
        d
        for d, t in zip(log.days, day_types(pd.Series(log.days), info["scheme"]), strict=True)
        if t == info["day_type"]
    ]
    bt = run_backtest(base, log.contacts, staffing, typical, days, args.replications)
    out = RESULTS / "backtest" / args.name
    digest = f"{info['created']}:{args.replications}"
    write_backtest(bt, args.name, out, digest, args.overwrite)
    print(overall_table(bt).to_string(index=False))
    print(f"backtest: {out / 'report.html'}  ({time.perf_counter() - start:.1f} s)")
    return 0


def main(argv: Sequence[str]) -> int:
    """The two commands; a user error is one line and exit code 2."""
    args = _parser().parse_args(list(argv))
    try:
        return (calibrate_command if args.command == "calibrate" else backtest_command)(args)
    except (ConfigError, ValueError, OSError) as err:
        print(f"error: {' '.join(str(err).split())}", file=sys.stderr)
        return 2
