"""The shape of the package: its layers kept, no import cycle, a small front door, tests that stand alone."""

from __future__ import annotations

import ast
import sys

import grimp
from helpers import ROOT
from importlinter.cli import lint_imports

FRONT_DOOR = {"pnet_expert", "pnet_expert.__main__", "pnet_expert.api", "pnet_expert._version"}


def _graph() -> grimp.ImportGraph:
    """The package's runtime imports (function-level ones included; TYPE_CHECKING ones never run)."""
    return grimp.build_graph("pnet_expert", exclude_type_checking_imports=True, cache_dir=None)


def _cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one member (Tarjan)."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_import_linter_contracts_are_kept() -> None:
    """setup.cfg's contracts (layers, experta only in the engine, acyclic siblings) all hold."""
    assert lint_imports(config_filename=str(ROOT / "setup.cfg"), no_cache=True) == 0


def test_no_runtime_import_cycle_between_modules() -> None:
    """No module reaches itself through runtime imports, lazy ones included."""
    graph = _graph()
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert _cycles(edges) == []


def test_no_import_cycle_between_subpackages() -> None:
    """pnet_expert's subpackages (and front-door modules) import each other one way only."""
    graph = _graph()

    def top(module: str) -> str:
        return ".".join(module.split(".")[:2])

    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if top(module) != top(imported):
                edges.setdefault(top(module), set()).add(top(imported))
    assert _cycles(edges) == []


def test_the_top_level_holds_only_the_front_door() -> None:
    """Top-level modules: __init__, __main__, api and the version; everything else is in a subpackage."""
    graph = _graph()
    top_level = {m for m in graph.modules if m.count(".") <= 1 and not graph.find_children(m)}
    assert top_level == FRONT_DOOR - {"pnet_expert"}


def test_no_test_module_imports_another() -> None:
    """Shared test code lives in tests/helpers (and fixtures in conftest), never in a test module."""
    tests = ROOT / "tests"
    modules = {p.stem for p in tests.glob("*.py")}
    for path in tests.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert name.split(".")[0] not in modules, f"{path.name} imports {name}"
