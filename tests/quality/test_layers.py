"""Imports run one way (DESIGN.md §3): import-linter keeps the layer contract of pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.support.apps import ROOT

PACKAGES = ["streaming", "sessions", "registration", "conference"]


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def test_the_contract_names_the_four_packages_in_their_order():
    contracts = _contracts()
    assert contracts["packages"]["type"] == "layers"
    assert contracts["packages"]["layers"] == PACKAGES
    assert contracts["sessions"]["layers"] == ["agenda", "seats", "programme"]
    # Only the kernel reaches up (its shell, DESIGN.md §3); no other package gets an exception.
    importers = {line.split("->")[0].strip() for line in contracts["packages"]["ignore_imports"]}
    assert all(i == "conference" or i.startswith("conference.") for i in importers), importers


def test_lint_imports_keeps_every_contract():
    # The venv that runs the tests has it (the `test` extra); PATH may not lead there.
    beside = Path(sys.executable).with_name("lint-imports")
    command = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert command, "lint-imports is missing: pip install -e '.[test]'"
    result = subprocess.run(
        [command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-1000:]
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in result.stdout, result.stdout
