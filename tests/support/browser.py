"""Real-browser tools: Debian's Chromium and its flags, axe-core checks, a missing tool."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

VENDOR = Path(__file__).resolve().parents[1] / "vendor"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_SOURCE = (VENDOR / "axe.min.js").read_text(encoding="utf-8")


def chromium_path() -> str | None:
    """Debian's Chromium binary (the wrapper script's target when present)."""
    for candidate in ("/usr/lib/chromium/chromium", "/usr/bin/chromium"):
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


def assert_accessible(page, context: str = "") -> None:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page and fail on any violation."""
    # Evaluated through DevTools, not as an inline <script>: the app's CSP (script-src 'self')
    # stays on during the checks, so a page that needs an inline script still fails its tests.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE + "\n;undefined")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(
            node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
            for node in v["nodes"][:5]
        )
        for v in result["violations"]
    ]
    assert not violations, f"axe-core violations on {context or page.url}:\n" + "\n".join(
        violations
    )


def missing_tool(message: str) -> None:
    """A missing browser or ffmpeg: fails in CI (which installs them), skips on a laptop."""
    if os.environ.get("CI"):
        pytest.fail(message + "; `make test` installs it with apt-get")
    pytest.skip(message)
