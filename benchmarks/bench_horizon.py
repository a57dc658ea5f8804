"""Cost per contact and peak memory against the horizon: 1, 7, 28 (and 365) days.

Two parts:

- **Whole runs.** One replication of a scenario (``default`` unless ``--scenario``)
  for each horizon, each in a fresh interpreter: with the per-contact records kept
  (``records``), with aggregates only (``keep_records=false``: ``aggregates``) and with
  aggregates per day only (``intervals=false`` too: ``per day``). The report gives
  the wall time per offered contact (the run alone: composing, building, simulating,
  reducing, tables; no file written) and the child's peak resident memory
  (``getrusage``; the interpreter and imports included, about 150 MiB).
  ``--year`` adds the 365-day line (minutes of CPU; with records only if asked by
  ``--year-records``, since records grow with the horizon by design).
- **One chunk.** The same 65,536 records (the scenario's first chunk) reduced into a
  window of 14, 28, 91 and 365 days: ``reduce_span`` (what a run does: only the
  intervals the chunk covers) against ``reduce_chunk`` on the whole window (what it
  did before: a fresh full-horizon array per chunk), median of ``--repeats``.

``--root`` runs the whole runs with another checkout's package (``--no-chunk``: those
only), for a before/after comparison on one machine.

Usage: ``python benchmarks/bench_horizon.py [--year] [--scenario NAME] [--root DIR]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAYS = (1, 7, 28)
WINDOWS = (14, 28, 91, 365)  # the default centre's first chunk covers 13 days


MODES = {  # name: (keep_records, intervals)
    "records": (True, True),
    "aggregates": (False, True),
    "per day": (False, False),
}


def child(root: str, scenario: str, days: int, mode: str) -> None:
    """Run one replication and print its figures as JSON (in a fresh interpreter)."""
    sys.path.insert(0, root)
    import sim

    overrides = [f"horizon={days * 1440}", "replications=1", "progress=false", "plots=false"]
    keep, intervals = MODES[mode]
    flags = [f"keep_records={str(keep).lower()}", *([] if intervals else ["intervals=false"])]
    if not root.startswith(str(ROOT)) and not intervals:
        raise SystemExit(0)  # intervals=false is new: another checkout may not have it
    cfg = sim.load_config(scenario, [*overrides, *flags, "force=true"])
    start = time.perf_counter()
    res = sim.run_experiment(cfg)
    wall = time.perf_counter() - start
    offered = float(res.kpis.set_index(["scope", "metric"]).loc[("all", "offered"), "mean"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"wall": wall, "offered": offered, "peak_mib": peak, "sim": sim.__file__}))


def whole_run(root: Path, scenario: str, days: int, mode: str) -> dict | None:
    """Figures of one run in a fresh interpreter, with the package of checkout ``root``."""
    argv = [sys.executable, __file__, "--child", str(root), scenario, str(days), mode]
    done = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=True)
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def chunk_costs(scenario: str, repeats: int) -> list[tuple[int, float, float]]:
    """Milliseconds to reduce one chunk into windows of each horizon: by span, whole window."""
    import dataclasses

    import sim
    from sim.core.rng import Streams
    from sim.metrics.records import Columns
    from sim.metrics.reduce import reduce_chunk, reduce_span
    from sim.model import build, window
    from sim.plan import kinds_and_strata
    from sim.runner import run_until

    cfg = sim.load_config(scenario, ["horizon=365d", "replications=1", "force=true"])
    chunks: list[Columns] = []
    model = build(cfg, Streams(cfg.seed, 0), chunks.append)
    while not chunks:  # the first full chunk: a day of the M/M/c, 13 of the default centre
        run_until(model, model.env.now + 1440.0)
    chunk = chunks[0]
    strata, end = kinds_and_strata(cfg)[2], model.env.now
    out = []
    for days in WINDOWS:
        win = dataclasses.replace(window(cfg), horizon=days * 1440.0)
        timings = []
        for fn in (reduce_span, reduce_chunk):
            runs = []
            for _ in range(repeats):
                start = time.perf_counter()
                fn(chunk, win, strata, end)
                runs.append(time.perf_counter() - start)
            timings.append(1e3 * statistics.median(runs))
        out.append((days, *timings))
    return out


def main() -> None:
    """Print both tables."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", default="default")
    p.add_argument("--year", action="store_true", help="add the 365-day line (minutes)")
    p.add_argument("--year-records", action="store_true", help="and with records kept")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--root", type=Path, default=ROOT, help="another checkout (before/after)")
    p.add_argument("--no-chunk", action="store_true", help="whole runs only")
    p.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]), args.child[3])
        return
    print(f"one replication of '{args.scenario}' ({args.root}), fresh interpreter per line")
    print(f"{'days':>5} {'kept':>11} {'contacts':>11} {'us/contact':>11} {'peak MiB':>9}")
    for days in (*DAYS, *((365,) if args.year else ())):
        for mode in MODES:
            if days == 365 and mode == "records" and not args.year_records:
                continue
            r = whole_run(args.root.resolve(), args.scenario, days, mode)
            if r is None:
                continue
            assert r["sim"].startswith(str(args.root.resolve())), r["sim"]  # the checkout asked
            us = 1e6 * r["wall"] / r["offered"]
            print(f"{days:>5} {mode:>11} {r['offered']:>11,.0f} {us:>11.1f} {r['peak_mib']:>9.0f}")
    if args.no_chunk:
        return
    print(f"\none chunk of 65,536 records of '{args.scenario}', median ms of {args.repeats}")
    print(f"{'window days':>11} {'by span':>8} {'whole window':>13}")
    for days, span_ms, whole_ms in chunk_costs(args.scenario, args.repeats):
        print(f"{days:>11} {span_ms:>8.1f} {whole_ms:>13.1f}")


if __name__ == "__main__":
    main()
