"""The seats package's shape: no import cycles, no private names across modules, imports on top."""

from __future__ import annotations

import ast

from tests.support.apps import ROOT

PACKAGE = ROOT / "sessions" / "seats"
PROJECT = ("conference", "registration", "sessions", "streaming")
# Imports of project modules that stay inside a function, each for a reason.
# No exceptions left: the seats reach registration through the kernel's hooks, wired in setup.py.
LATE_ALLOWED: set[tuple[str, str]] = set()


def _modules() -> dict[str, ast.Module]:
    return {
        str(path.relative_to(ROOT)): ast.parse(path.read_text(), str(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _name(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _project(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in PROJECT


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The project modules an import statement loads (`from pkg import mod` counts mod)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if _project(a.name)]
    if not _project(node.module):
        return []
    return [node.module, *(f"{node.module}.{a.name}" for a in node.names)]


def test_no_import_cycles_in_the_seats_package():
    trees = _modules()
    names = {_name(path) for path in trees}
    graph = {
        _name(path): {
            target
            for node in ast.walk(tree)  # imports inside functions too: they hide cycles
            if isinstance(node, ast.Import | ast.ImportFrom)
            for target in _imported(node)
            if target in names and target != _name(path)
        }
        for path, tree in trees.items()
    }
    done: set[str] = set()

    def visit(module: str, stack: list[str]) -> None:
        assert module not in stack, "import cycle: " + " -> ".join([*stack, module])
        if module in done:
            return
        for target in sorted(graph[module]):
            visit(target, [*stack, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_no_private_names_imported_across_modules():
    found = [
        f"{path}:{node.lineno} {node.module}.{alias.name}"
        for path, tree in _modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and _project(node.module)
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert found == []


def test_project_imports_sit_at_the_top():
    late = [
        (path, node.module if isinstance(node, ast.ImportFrom) else node.names[0].name)
        for path, tree in _modules().items()
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom) and _imported(node)
    ]
    assert set(late) <= LATE_ALLOWED, late
