"""The package layout stays true: no import cycles, and no stage imports a later one.

The rule and its checker are in tests/layering.py; docs/architecture.md shows
the same table. The checker is shown to catch what it must on a copy of
``sim/`` with an upward import or a cycle planted in it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.layering import MAY_IMPORT, cycles, edges, layer, modules, violations

ROOT = Path(__file__).resolve().parents[1]
SIM = ROOT / "sim"


def test_no_module_imports_a_later_stage():
    assert violations(SIM) == []


def test_there_is_no_import_cycle():
    assert cycles(SIM) == []


def test_every_module_belongs_to_a_known_stage():
    assert {layer(m) for m in modules(SIM)} <= set(MAY_IMPORT)


def test_the_checker_reads_lazy_relative_and_type_only_imports():
    found = {(e.source, e.target, e.typing) for e in edges(SIM)}
    assert ("sim.config.schema", "sim.config.checks", False) in found  # inside __post_init__
    assert ("sim.analytic.erlang", "sim.analytic.formulas", False) in found  # relative
    assert ("sim.config.checks.journey", "sim.config.schema", True) in found  # TYPE_CHECKING


@pytest.fixture
def copy(tmp_path) -> Path:
    target = tmp_path / "sim"
    shutil.copytree(SIM, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def plant(copy: Path, module: str, line: str) -> None:
    path = copy / module
    path.write_text(path.read_text() + f"\n{line}\n")


def test_a_planted_upward_import_is_caught(copy):
    plant(copy, "metrics/kpis.py", "from sim.routing.router import Router  # planted")
    (found,) = violations(copy)
    assert found.startswith("sim.metrics.kpis (line ")
    assert "imports sim.routing.router: metrics may import " in found


def test_a_planted_type_only_upward_import_is_caught_too(copy):
    plant(copy, "report/text.py", "if TYPE_CHECKING:\n    from sim.core.entities import Contact")
    (found,) = violations(copy)
    assert "sim.report.text" in found and "sim.core.entities" in found
    assert cycles(copy) == []


def test_a_planted_cycle_is_caught(copy):
    plant(copy, "core/clock.py", "def _later():\n    from sim.core import rng, entities  # planted")
    plant(copy, "core/rng.py", "from sim.core.clock import Clock  # planted")
    assert violations(copy) == []  # the same stage: allowed, but...
    assert cycles(copy) == [["sim.core.clock", "sim.core.rng"]]


def test_the_architecture_page_states_the_same_rule():
    page = (ROOT / "docs" / "architecture.md").read_text()
    rows = dict(re.findall(r"^\| `(\w+)` \| [^|]* \| ([^|]*) \|$", page, re.M))
    assert set(rows) == set(MAY_IMPORT)
    for stage, allowed in rows.items():
        named = set(re.findall(r"`(\w+)`", allowed))
        assert named == MAY_IMPORT[stage], stage
