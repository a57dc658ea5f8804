"""Bytecodes and Python calls per contact leg, by function: a cost the machine does not move.

Wall and CPU time on a shared machine move by 10-20 % from run to run, so a
change to the hot path worth a few percent cannot be seen in them (the README's
speed section lists such attempts). The number of bytecodes the interpreter
runs for a leg does not move: the same seed gives the same count on every run,
whatever else the machine is doing. This benchmark counts them with
``sys.settrace`` (opcode events) for the events between two instants of a
scenario, attributes them to the function that runs them, and divides by
the contact legs recorded meanwhile.

What it does not count: the work inside C functions (numpy, ``heapq``,
``next`` on a block iterator, allocations), which the bytecodes only call;
a bytecode costs about 70 machine instructions on average in PosteMobile
(``valgrind --tool=callgrind``: about 105,000 instructions a leg for about
1,400 bytecodes), and simple ones far less. So it ranks Python-level costs and
checks that a change removed the bytecodes it meant to remove; instructions or
time decide whether it paid. The traced run is about 90 times slower than the
plain one (PosteMobile 8:00 to 12:00: 0.15 s of CPU untraced, about 13 s
traced), and runs the same events: the legs it counts are those of the
untraced run (``tests/test_bench_bytecodes.py``).

Usage: ``./dev python benchmarks/bench_bytecodes.py [--scenario postemobile]
[--start 480] [--stop 720] [--top 30]``: by default PosteMobile's first day,
traced from 8:00 to 12:00 (its busy morning) after an untraced warm-up.
"""

from __future__ import annotations

import argparse
import collections
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim import load_config  # noqa: E402
from sim.core.rng import Streams  # noqa: E402
from sim.model import build  # noqa: E402

Where = tuple[str, str]  # (file relative to the project or site-packages, function)


@dataclass
class Counts:
    """What ran between two instants: legs recorded, and bytecodes and calls by function."""

    legs: int
    ops: collections.Counter[Where]
    calls: collections.Counter[Where]

    def per_leg(self) -> tuple[float, float]:
        """Bytecodes and Python calls per leg."""
        return sum(self.ops.values()) / self.legs, sum(self.calls.values()) / self.legs


def _where(code) -> Where:
    name = code.co_filename
    for marker in ("site-packages/", f"{ROOT}/"):
        name = name.split(marker)[-1]
    return name, code.co_name


def count(scenario: str, start: float, stop: float, overrides: list[str] | None = None) -> Counts:
    """Run ``scenario`` untraced to minute ``start``, then count what runs until ``stop``.

    The model is built as ``benchmarks/bench_year.py`` builds it (aggregates
    only, sinks that drop the chunks) and run on SimPy's loop.
    """
    if not 0 <= start < stop:
        raise ValueError(f"--start {start!r} and --stop {stop!r}: need 0 <= start < stop")
    over = [f"horizon={float(stop)!r}", "replications=1", "progress=false", "plots=false"]
    cfg = load_config(scenario, [*over, "keep_records=false", *(overrides or [])])
    model = build(cfg, Streams(cfg.seed, 0), lambda _cols: None, lambda _rows: None)
    if start > 0:
        model.env.run(until=start)
    before = model.log.recorded
    ops: collections.Counter[Where] = collections.Counter()
    calls: collections.Counter[Where] = collections.Counter()

    def trace(frame, event, _arg):
        if event == "opcode":
            ops[_where(frame.f_code)] += 1
        elif event == "call":
            frame.f_trace_opcodes = True
            calls[_where(frame.f_code)] += 1
        return trace

    sys.settrace(trace)
    try:
        model.env.run(until=stop)
    finally:
        sys.settrace(None)
    legs = model.log.recorded - before
    if legs == 0:
        raise ValueError(f"{scenario}: no contact leg ended between minute {start} and {stop}")
    return Counts(legs, ops, calls)


def report(counts: Counts, top: int) -> str:
    """The table: totals per leg, then the ``top`` functions by bytecodes."""
    ops, calls = counts.per_leg()
    total = sum(counts.ops.values())
    lines = [
        f"{counts.legs:,} legs: {ops:,.1f} bytecodes and {calls:.2f} Python calls a leg",
        f"{'bytecodes/leg':>13s} {'share':>6s} {'calls/leg':>9s}  function",
    ]
    for where, n in counts.ops.most_common(top):
        share = 100 * n / total
        per_call = counts.calls[where] / counts.legs
        lines.append(f"{n / counts.legs:13.1f} {share:5.1f}% {per_call:9.2f}  {':'.join(where)}")
    return "\n".join(lines)


def main() -> None:
    """Count and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="postemobile")
    parser.add_argument("--start", type=float, default=480.0)
    parser.add_argument("--stop", type=float, default=720.0)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    counts = count(args.scenario, args.start, args.stop)
    print(f"{args.scenario}, minutes {args.start:g} to {args.stop:g}")
    print(report(counts, args.top))


if __name__ == "__main__":
    main()
