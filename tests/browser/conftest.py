"""Real-browser fixtures: Debian's Chromium through Playwright, as a Flemish user browses."""

from __future__ import annotations

import pytest

from tests.support.browser import CHROMIUM_FLAGS, chromium_path, missing_tool


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
        missing_tool("chromium is not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Browse as a Flemish user would: Dutch (Belgium), Brussels time."""
    return {**browser_context_args, "locale": "nl-BE", "timezone_id": "Europe/Brussels"}
