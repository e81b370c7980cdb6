"""Real-browser fixtures: Debian's Chromium through Playwright, and axe-core checks."""

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


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder as a browser test."""
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium: Playwright cannot download its own browser here."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; `make test` installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS}


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


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Browse as a Flemish user would: Dutch (Belgium), Brussels time."""
    return {**browser_context_args, "locale": "nl-BE", "timezone_id": "Europe/Brussels"}


def missing_tool(message: str) -> None:
    """A missing browser or ffmpeg: fails in CI (which installs them), skips on a laptop."""
    if os.environ.get("CI"):
        pytest.fail(message + "; `make test` installs it with apt-get")
    pytest.skip(message)
