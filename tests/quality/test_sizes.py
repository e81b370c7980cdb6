"""Files and functions of the four packages stay short enough to read (issue 14's limits)."""

from __future__ import annotations

import ast

from tests.support.apps import ROOT

PACKAGES = ("conference", "registration", "sessions", "streaming")
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60


def _sources() -> list:
    """Every Python file of the packages, migrations aside (generated)."""
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_the_packages_have_sources():
    assert len(_sources()) > 100


def test_no_file_is_too_long():
    limit = MAX_FILE_LINES
    long = {
        str(path.relative_to(ROOT)): n
        for path in _sources()
        if (n := path.read_text(encoding="utf-8").count("\n")) > limit
    }
    assert long == {}, f"split these files (over {limit} lines)"


def test_no_function_is_too_long():
    long = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines
    assert long == {}, f"split these functions (over {MAX_FUNCTION_LINES} lines)"
