"""conference.snapshot: the conference's settings cached per process, fresh after any change.

Two apps on one database and one Redis stand for two web processes (or hosts, the fixture
`two_processes`): a change made through one is seen by the other at its next request, and an
unchanged conference costs no query at all.
"""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from conference.extensions import db
from conference.models import Conference
from conference.services import current_conference, update_conference
from conference.snapshot import conference_settings


def _read(app) -> tuple[object, int]:
    """The snapshot as one request of `app` sees it, and the statements that request ran."""
    statements = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's own BEGIN (conference/db.py)
            statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            with app.test_request_context("/"):
                snapshot = conference_settings()
                db.session.remove()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    return snapshot, len(statements)


def _change(app, **data) -> None:
    with app.app_context(), app.test_request_context("/"):
        update_conference(current_conference(), data)
        db.session.remove()


def test_an_unchanged_conference_is_read_once_per_process(two_processes):
    first, _second = two_processes
    snapshot, statements = _read(first)
    assert statements == 1
    again, statements = _read(first)
    assert statements == 0
    assert again is snapshot


def test_a_change_through_another_process_is_seen_at_the_next_request(two_processes):
    first, second = two_processes
    before, _ = _read(first)
    _read(second)
    _change(second, venue_offer_hours=12, onsite_capacity=before.onsite_capacity + 7)
    after, statements = _read(first)
    assert statements == 1
    assert after.setting("venue_offer_hours") == 12
    # The cap is set by a bulk UPDATE, which marks the stamp itself.
    assert after.onsite_capacity == before.onsite_capacity + 7
    assert _read(first)[1] == 0


def test_the_counter_is_never_cached_and_the_snapshot_is_read_only(two_processes):
    first, _second = two_processes
    snapshot, _ = _read(first)
    assert not hasattr(snapshot, "onsite_taken")
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.onsite_capacity = 1
    assert snapshot.registration_open(snapshot.registration_opens_at)


def test_without_shared_stamps_every_request_reads_the_row(app):
    # No REDIS_URL: another process (the scheduler of `make run`) could not move this stamp.
    first, statements = _read(app)
    assert statements == 1
    db.session.execute(sa.update(Conference).values(venue="Elders"))
    db.session.commit()
    second, statements = _read(app)
    assert statements == 1
    assert first.venue != "Elders"
    assert second.venue == "Elders"
