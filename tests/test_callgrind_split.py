"""benchmarks/callgrind_split.py: parsing callgrind_annotate's listing, the difference, groups."""

from __future__ import annotations

import pytest

from benchmarks.callgrind_split import difference, group, report, self_costs

LIB = "[/usr/lib/libpython3.11.so.1.0]"


def listing(ceval: int, compare: int, heap: int, draws: int) -> str:
    """A listing shaped as ``callgrind_annotate`` prints it (totals, then one line a function)."""
    total = ceval + compare + heap + draws
    return "\n".join(
        [
            "Ir",
            f"{total:,} (100.0%)  PROGRAM TOTALS",
            "Ir                      file:function",
            f"{ceval:,} (50.00%)  build/Python/ceval.c:_PyEval_EvalFrameDefault {LIB}",
            f"   {compare:,} ( 5.60%)  build/Objects/floatobject.c:float_richcompare {LIB}",
            f"{heap:,} ( 0.10%)  build/Modules/_heapqmodule.c:siftup {LIB}",
            f"  {draws:,} ( 0.01%)  ???:__pyx_f_5numpy_6random_pcg64_double [/x/_pcg64.so]",
        ]
    )


def test_self_costs_reads_each_function_once_without_the_totals() -> None:
    costs = self_costs(listing(1_234_567, 89_000, 4_500, 120))
    assert costs == {
        "ceval.c:_PyEval_EvalFrameDefault": 1_234_567,
        "floatobject.c:float_richcompare": 89_000,
        "_heapqmodule.c:siftup": 4_500,
        "???:__pyx_f_5numpy_6random_pcg64_double": 120,
    }


def test_self_costs_stops_at_the_table_and_skips_annotated_source() -> None:
    """Lines of an auto-annotated source file after the table would count instructions twice."""
    annotated = "\n".join(
        [
            listing(1_000, 200, 30, 4),
            "",
            "-" * 80,
            "-- Auto-annotated source: /build/sim/outcomes/satisfaction.c",
            "-" * 80,
            "Ir",
            "-- line 125 ----------------------------------------",
            "    7,000 ( 0.10%)  __pyx_v_x = __pyx_v_m0 + __pyx_v_m1;",
            "      .           }",
        ]
    )
    assert self_costs(annotated) == self_costs(listing(1_000, 200, 30, 4))
    assert sum(self_costs(annotated).values()) == 1_234


def test_self_costs_refuses_a_listing_without_a_function_table() -> None:
    with pytest.raises(ValueError, match="no function table"):
        self_costs("Ir\n5,000 (100.0%)  PROGRAM TOTALS\n")


def test_the_difference_cancels_the_start_up_and_groups_what_is_left() -> None:
    long = self_costs(listing(5_000_000, 700_000, 30_000, 9_000))
    short = self_costs(listing(1_000_000, 100_000, 10_000, 1_000))
    costs = difference(long, short)
    assert costs["ceval.c:_PyEval_EvalFrameDefault"] == 4_000_000
    sums = group(costs)
    assert sums["bytecode evaluation"] == 4_000_000
    assert sums["comparisons"] == 600_000
    assert sums["event heap (heapq)"] == 20_000
    assert sums["no symbols (numpy: draws, record columns)"] == 8_000
    assert sum(sums.values()) == sum(costs.values())


def test_report_gives_costs_a_leg_and_refuses_no_legs() -> None:
    costs = {"ceval.c:_PyEval_EvalFrameDefault": 3_000, "floatobject.c:float_richcompare": 1_000}
    lines = report(costs, legs=10)
    assert lines[0] == "simulated part: 4,000 instructions, 10 legs, 400 a leg"
    assert "      300 a leg  75.0 %  bytecode evaluation" in lines
    with pytest.raises(ValueError, match="legs must be positive, got 0"):
        report(costs, legs=0)
