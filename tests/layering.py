"""The layering rule of ``sim/`` and a checker for it (used by tests/test_architecture.py).

Each subpackage is a stage of the data flow (docs/architecture.md); a module
may import its own stage and the stages listed for it in :data:`MAY_IMPORT`,
never a later one. Imports are read with ``ast``: every ``import`` and
``from ... import`` anywhere in a module, also inside functions (a lazy
import is a dependency too). Imports under ``if TYPE_CHECKING:`` count for
the layering (a type from a later stage is a dependency on its design) but
not for cycles (they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ENGINE = {"core", "demand", "journey", "routing", "workforce", "outcomes"}
MAY_IMPORT: dict[str, set[str]] = {
    "config": set(),
    "analytic": set(),
    "core": {"config"},
    "demand": {"config", "core"},
    "journey": {"config", "core", "demand"},
    "routing": {"config", "core"},
    "workforce": {"config", "core", "routing", "analytic"},
    "outcomes": {"config", "core"},
    "metrics": {"config", "core", "outcomes", "analytic"},
    "build": {"config", "analytic", "metrics", *ENGINE},
    "run": {"config", "analytic", "metrics", "build", *ENGINE},
    "study": {"config", "core", "demand", "analytic", "metrics", "run"},
    "report": {"config", "metrics", "study"},
    "data": {"config", "analytic", "core", "metrics", "run", "study", "report"},
    "cli": {"config", "analytic", "metrics", "build", "run", "study", "report", "data", *ENGINE},
    "api": {"config", "metrics", "run", "report"},
}
TOP = {
    "sim.plan": "build",
    "sim.model": "build",
    "sim.express": "build",
    "sim.outbound": "build",
    "sim.runner": "run",
    "sim": "api",
}


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` (module names); ``typing``: only for type checkers."""

    source: str
    target: str
    typing: bool
    line: int


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root`` (the ``sim`` folder), by dotted name."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def layer(module: str) -> str:
    """The stage a module belongs to."""
    if module in TOP:
        return TOP[module]
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "api"


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, typing: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, typing
        elif isinstance(node, ast.If) and _type_checking(node):
            for child in node.body:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), True)
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), typing)
        else:
            yield from _imports(node, typing)


def _base(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    keep = len(parts) - node.level + (1 if is_package else 0)
    prefix = ".".join(parts[:keep])
    return f"{prefix}.{node.module}" if node.module else prefix


def edges(root: Path) -> list[Edge]:
    """Every import of a ``sim`` module by a ``sim`` module."""
    mods = modules(root)
    found = []
    for name, path in mods.items():
        tree = ast.parse(path.read_text(), str(path))
        for node, typing in _imports(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = _base(name, node, path.name == "__init__.py")
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names
                ]
            for t in targets:
                if t in mods and t != name:
                    found.append(Edge(name, t, typing, node.lineno))
    return found


def violations(root: Path) -> list[str]:
    """Imports that break the layering rule, one line each."""
    out = []
    for e in edges(root):
        src, dst = layer(e.source), layer(e.target)
        if src != dst and dst not in MAY_IMPORT[src]:
            allowed = ", ".join(sorted(MAY_IMPORT[src])) or "nothing else"
            out.append(f"{e.source} (line {e.line}) imports {e.target}: {src} may import {allowed}")
    return out


def cycles(root: Path) -> list[list[str]]:
    """Import cycles among modules (imports that run; Tarjan's strongly connected components)."""
    graph: dict[str, set[str]] = {m: set() for m in modules(root)}
    for e in edges(root):
        if not e.typing:
            graph[e.source].add(e.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found
