"""Comparing the tables of two runs (shared by the equivalence tests)."""

from __future__ import annotations

import sim


def differing_tables(a: sim.Results, b: sim.Results, names: tuple[str, ...]) -> list[str]:
    """Names of the tables that differ: missing in one run only, or not ``DataFrame.equals``."""
    out = []
    for name in names:
        x, y = getattr(a, name), getattr(b, name)
        if (x is None) != (y is None) or (x is not None and not x.equals(y)):
            out.append(name)
    return out
