"""Polls that cost almost nothing: an unchanged Q&A, status or figures poll is a 304 answered
from the live stamps before any query; a change is seen at the next poll."""

from __future__ import annotations

import contextlib

import pytest
import time_machine
from sqlalchemy import event

from conference.clock import utcnow
from conference.extensions import db
from streaming.models import Question
from tests.factories import activity_of_kind, attendee, token_for
from tests.helpers import bearer, login


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


@pytest.fixture
def plenary(app):
    return activity_of_kind("plenary")


@contextlib.contextmanager
def statements():
    """The SQL statements the app sends meanwhile."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _poll(client, url, etag=None, **headers):
    if etag:
        headers["If-None-Match"] = etag
    return client.get(url, headers=headers)


def test_an_unchanged_q_and_a_fragment_is_a_304_without_sql(app, plenary):
    viewer = attendee("online")
    client = app.test_client()
    login(client, viewer)
    url = f"/online/vragen/{plenary.id}/lijst"
    first = _poll(client, url)
    assert first.status_code == 200 and first.headers["ETag"]
    with statements() as seen:
        again = _poll(client, url, first.headers["ETag"])
    assert (again.status_code, seen) == (304, [])
    assert again.headers["ETag"] == first.headers["ETag"]
    # The room screen's mode of the same list has a validator of its own.
    assert _poll(client, url + "?mode=screen", first.headers["ETag"]).status_code == 200
    # A question is approved elsewhere: the next poll brings it.
    db.session.add(
        Question(activity_id=plenary.id, user_id=viewer.user_id, text="Nieuw?", status="approved")
    )
    db.session.commit()
    changed = _poll(client, url, first.headers["ETag"])
    assert changed.status_code == 200 and "Nieuw?" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != first.headers["ETag"]


def test_an_unchanged_api_poll_is_a_304_without_sql_and_a_vote_changes_it(app, plenary, tokens):
    asker, voter = bearer(token_for(attendee("online"))), bearer(token_for(attendee("online")))
    client = app.test_client()
    url = f"/api/v1/activities/{plenary.id}/questions"
    made = client.post(url, json={"text": "Wat met de wachtlijsten?"}, headers=asker).get_json()
    client.patch(
        f"/api/v1/questions/{made['id']}",
        json={"status": "approved"},
        headers=bearer(tokens["moderator"]),
    )
    first = _poll(client, url, **voter)
    with statements() as seen:
        assert _poll(client, url, first.headers["ETag"], **voter).status_code == 304
    assert seen == []
    # Another person's ETag is no key to this person's list (their own questions differ).
    assert _poll(client, url, first.headers["ETag"], **asker).status_code == 200
    client.post(f"/api/v1/questions/{made['id']}/vote", headers=asker)  # a Core UPDATE
    after = _poll(client, url, first.headers["ETag"], **voter)
    assert after.status_code == 200 and after.get_json()["questions"][0]["votes"] == 1


def test_the_status_poll_is_answered_from_memory_until_the_stream_changes(app, tokens):
    stream = activity_of_kind("plenary")
    client = app.test_client()
    url = f"/api/v1/streams/{stream.id}/status"
    first = _poll(client, url)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=5"
    with statements() as seen:
        assert _poll(client, url, first.headers["ETag"]).status_code == 304
        full = _poll(client, url)  # a browser without the ETag: the body from memory
    assert seen == [] and full.get_json() == first.get_json()
    client.post(
        f"/api/v1/streams/{stream.id}/status",
        json={"override": "live"},
        headers=bearer(tokens["moderator"]),
    )
    changed = _poll(client, url, first.headers["ETag"])
    assert changed.status_code == 200 and changed.get_json()["override"] == "live"
    assert changed.get_json()["status"] == "live"


def test_unchanged_arrival_figures_are_a_304_without_sql(app, tokens):
    from registration.checkin.models import Scan

    client = app.test_client()
    login(client, "checkin")
    url = "/beheer/checkin?fragment=1"
    # The figures' validator also turns with the clock's minute: held still, only the scan
    # below can change it (a minute passing between two polls made this fail now and then).
    with time_machine.travel(utcnow(), tick=False):
        first = _poll(client, url)
        assert first.status_code == 200 and first.headers["ETag"]
        with statements() as seen:
            assert _poll(client, url, first.headers["ETag"]).status_code == 304
        assert seen == []
        assert "ETag" not in _poll(client, "/beheer/checkin").headers  # the page: in full
        reg = attendee("onsite")
        db.session.add(
            Scan(
                conference_id=reg.conference_id,
                registration_id=reg.id,
                checkpoint="entrance",
                status="ok",
                nonce="test-nonce-figures",
                scanned_at=utcnow(),
            )
        )
        db.session.commit()
        assert _poll(client, url, first.headers["ETag"]).status_code == 200


def test_a_304_needs_the_etag_this_server_gave(app, plenary):
    client = app.test_client()
    login(client, attendee("online"))
    url = f"/online/vragen/{plenary.id}/lijst"
    assert _poll(client, url, '"made-up"').status_code == 200
    assert _poll(client, url, "*").status_code == 200  # no 304 to a caller who has nothing


def test_an_unchanged_live_poll_is_a_304_without_sql_and_a_vote_changes_it(app, plenary, tokens):
    """The hybrid room's polls (GET /api/v1/polls/<id> and the list) ride the same stamps."""
    moderator, viewer = bearer(tokens["moderator"]), bearer(token_for(attendee("online")))
    voter = bearer(token_for(attendee("online")))
    client = app.test_client()
    made = client.post(
        f"/api/v1/activities/{plenary.id}/polls",
        json={"question": "Haalbaar?", "kind": "scale"},
        headers=moderator,
    ).get_json()
    assert client.post(f"/api/v1/polls/{made['id']}/open", headers=moderator).status_code == 200
    for url in (f"/api/v1/polls/{made['id']}", f"/api/v1/activities/{plenary.id}/polls"):
        first = _poll(client, url, **viewer)
        assert first.status_code == 200
        with statements() as seen:
            again = _poll(client, url, first.headers["ETag"], **viewer)
        assert (again.status_code, seen) == (304, [])
        # Someone else's validator is not this viewer's.
        assert _poll(client, url, first.headers["ETag"], **voter).status_code == 200
        vote = client.post(f"/api/v1/polls/{made['id']}/vote", json={"score": 4}, headers=voter)
        assert vote.status_code == 200
        changed = _poll(client, url, first.headers["ETag"], **viewer)
        assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
