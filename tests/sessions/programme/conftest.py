"""Fixtures of the programme tests."""

from __future__ import annotations

import pytest

from conference import hooks


@pytest.fixture
def changes():
    """Every activity_changed signal sent (the agenda turns them into mails)."""
    seen: list[tuple[str, dict]] = []

    def receiver(act, changes, session, **_):
        seen.append((act.slug, dict(changes)))

    hooks.activity_changed.connect(receiver)
    yield seen
    hooks.activity_changed.disconnect(receiver)
