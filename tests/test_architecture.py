"""The package layout stays true: no import cycles, and no stage imports a later one.

The rule and its checker are in tests/layering.py; docs/architecture.md shows
the same table. The checker is shown to catch what it must on a copy of
``sim/`` with an upward import or a cycle planted in it. The entry points
outside ``sim/`` (``run.py``, the Hydra launcher plugin) sit above every stage.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from tests.layering import MAY_IMPORT, cycles, edges, layer, modules, violations

ROOT = Path(__file__).resolve().parents[1]
SIM = ROOT / "sim"
# Entry points outside sim/: the command line and the Dask launcher, which Hydra only
# loads from the hydra_plugins namespace. They reach the simulator through `cli` (and
# `config`, whose schemas run.py registers with Hydra), and no stage imports them.
ENTRY_POINTS = [ROOT / "run.py", *sorted((ROOT / "hydra_plugins").rglob("*.py"))]
ENTRY_MAY_IMPORT = {"cli", "config"}


def test_no_module_imports_a_later_stage():
    assert violations(SIM) == []


def test_there_is_no_import_cycle():
    assert cycles(SIM) == []


def test_every_module_belongs_to_a_known_stage():
    assert {layer(m) for m in modules(SIM)} <= set(MAY_IMPORT)


def imported(path: Path) -> set[str]:
    """Every module a file imports (lazy and type-only imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.add(node.module or "")
    return found


def test_the_entry_points_reach_the_simulator_through_the_command_line_stage():
    for path in ENTRY_POINTS:
        stages = {layer(m) for m in imported(path) if m.startswith("sim.")}
        assert stages <= ENTRY_MAY_IMPORT, f"{path.relative_to(ROOT)} imports {stages}"
    launcher = ROOT / "hydra_plugins" / "ccsim_dask_launcher" / "dask_launcher.py"
    assert "sim.cli.cluster" in imported(launcher)  # the plugin only hands over to the cli


def test_no_stage_imports_an_entry_point():
    for path in modules(SIM).values():
        assert not {m for m in imported(path) if m.split(".")[0] in ("run", "hydra_plugins")}, path


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
