"""Fixtures of the programme tests."""

from __future__ import annotations

import pytest

from sessions.programme.signals import activity_changed


@pytest.fixture
def changes():
    """Every activity_changed signal sent (the agenda turns them into mails)."""
    seen: list[tuple[str, dict]] = []

    def receiver(act, changes, session, **_):
        seen.append((act.slug, dict(changes)))

    activity_changed.connect(receiver)
    yield seen
    activity_changed.disconnect(receiver)
