"""Where a contact leg's machine instructions go, by C function of the interpreter.

:mod:`benchmarks.bench_bytecodes` counts the Python work of a leg; this splits
the instructions that work costs. It reads two ``valgrind --tool=callgrind``
profiles of the same script, one run to a later instant than the other (so
that start-up, imports and building the model cancel), and prints the
difference of each C function's self cost per leg, the functions grouped into
what they do (evaluating bytecode, comparing, allocating, calling, looking up).

The recipe (2026-12-07, ``benchmarks/results/callgrind_2026-12-07.txt``):
a script that calls ``bench_year.simulate_legs(bench_year.scenario(days))``,
run once to write the ``.pyc`` files, then twice under
``PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=1 valgrind --tool=callgrind
--callgrind-out-file=F`` (days 0.5 and 0.02), then
``python benchmarks/callgrind_split.py LONG SHORT LEGS`` with the difference in
legs of the two runs. It needs ``callgrind_annotate`` (valgrind's) on the path.

What it does not see: which Python function the C work serves (that is
``bench_bytecodes.py``'s view), nor anything that does not scale with the run
(the collector at exit does a little: more objects are alive at the end of the
longer run).
"""

from __future__ import annotations

import argparse
import re
import subprocess
from collections.abc import Callable

LINE = re.compile(r"\s*([\d,]+) \([ \d.]+%\)\s+(.*)")

GROUPS: dict[str, Callable[[str], bool]] = {
    "bytecode evaluation": lambda f: f.partition(":")[2].startswith("_PyEval_EvalFrameDefault"),
    "comparisons": lambda f: "richcompare" in f.lower(),
    "event heap (heapq)": lambda f: f.startswith("_heapqmodule"),
    "frames and calls": lambda f: any(
        s in f for s in ("Frame", "initialize_locals", "vectorcall", "type_call", "TpCall")
    ),
    "garbage collector (mostly at exit)": lambda f: any(
        s in f for s in ("gc_collect", "_traverse", "visit_")
    ),
    "allocation and freeing": lambda f: any(
        s in f.lower()
        for s in ("obmalloc", "dealloc", "alloc", "newreference", "fromdouble", "gc_", "_new")
    ),
    "attribute and dict look-ups": lambda f: any(
        s in f for s in ("dict", "Lookup", "GetAttr", "Hash")
    ),
    "no symbols (numpy: draws, record columns)": lambda f: f.startswith("???:"),
}


def self_costs(annotated: str) -> dict[str, int]:
    """Self instructions by ``file:function`` from ``callgrind_annotate`` output.

    Only the function table is read: from its ``file:function`` header to the
    first blank line. What follows it, the per-line costs of annotated source
    files (``callgrind_annotate`` adds them wherever a profiled source is on
    disk, Cython's generated C for one), would count the same instructions twice.
    """
    costs: dict[str, int] = {}
    lines = iter(annotated.splitlines())
    for line in lines:
        if line.rstrip().endswith("file:function"):
            break
    for line in lines:
        m = LINE.match(line)
        if m is None:
            if not line.strip():
                break
            continue
        name = m.group(2).split(" [")[0].rsplit("/", 1)[-1]
        costs[name] = costs.get(name, 0) + int(m.group(1).replace(",", ""))
    if not costs:
        raise ValueError("no function table (a 'file:function' header) in the listing")
    return costs


def difference(long: dict[str, int], short: dict[str, int]) -> dict[str, int]:
    """Each function's cost in the long run minus the short one."""
    return {k: long.get(k, 0) - short.get(k, 0) for k in long.keys() | short.keys()}


def group(costs: dict[str, int]) -> dict[str, int]:
    """The costs summed by :data:`GROUPS` (a function in the first group that takes it)."""
    sums = dict.fromkeys([*GROUPS, "other"], 0)
    for name, cost in costs.items():
        key = next((g for g, belongs in GROUPS.items() if belongs(name)), "other")
        sums[key] += cost
    return sums


def report(costs: dict[str, int], legs: int, top: int = 20) -> list[str]:
    """Lines: the total a leg, the groups, then the ``top`` functions by cost."""
    if legs <= 0:
        raise ValueError(f"legs must be positive, got {legs}")
    total = sum(costs.values())
    lines = [f"simulated part: {total:,} instructions, {legs:,} legs, {total / legs:,.0f} a leg"]
    for name, cost in sorted(group(costs).items(), key=lambda kv: -kv[1]):
        lines.append(f"{cost / legs:9,.0f} a leg {100 * cost / total:5.1f} %  {name}")
    lines.append("functions by self cost:")
    for name, cost in sorted(costs.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"{cost / legs:9,.0f} a leg {100 * cost / total:5.1f} %  {name}")
    return lines


def annotate(path: str) -> str:
    """``callgrind_annotate``'s listing of a profile, every function included."""
    cmd = ["callgrind_annotate", "--threshold=100", "--auto=no", path]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("long", help="callgrind profile of the longer run")
    parser.add_argument("short", help="callgrind profile of the shorter run")
    parser.add_argument("legs", type=int, help="legs the longer run records beyond the shorter")
    args = parser.parse_args()
    costs = difference(self_costs(annotate(args.long)), self_costs(annotate(args.short)))
    print("\n".join(report(costs, args.legs)))


if __name__ == "__main__":
    main()
