"""The code stays ruff-clean (lint and format), as the style guide asks."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.support.apps import ROOT


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff(args):
    ruff = shutil.which("ruff") or str(ROOT / ".venv" / "bin" / "ruff")
    command = [ruff, *args] if shutil.which(ruff) else [sys.executable, "-m", "ruff", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
