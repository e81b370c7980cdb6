"""The scan's hot path: a few narrow statements and one commit, the seats with their place,
and the arrival figures' stamps moved by every recorded scan (the scan is written with Core)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from conference import live
from conference.cli import create_staff
from conference.clock import utcnow
from conference.extensions import db
from conference.models import ApiToken, User
from registration.checkin.models import Scan
from registration.checkin.updates import ALL_ARRIVALS, arrivals_topic
from sessions.programme.models import Activity
from tests.factories import give_seat, open_day, seated, ticket_holder, token_for
from tests.helpers import bearer

REDEEM = "/api/v1/checkin/redeem"


def _scanner() -> dict[str, str]:
    _, raw = create_staff("scan@example.org", "checkin", "Scanner", "wachtwoord-scan")
    open_day()
    return bearer(raw)


def _redeem(client, headers, secret, **extra):
    body = {"secret": secret, "checkpoint": "entrance", "nonce": uuid.uuid4().hex, **extra}
    response = client.post(REDEEM, json=body, headers=headers)
    db.session.rollback()
    return response


def test_a_scan_is_five_statements_at_most_and_one_write_transaction(any_db_app):
    headers = _scanner()
    client = any_db_app.test_client()
    _, ticket = ticket_holder()
    statements: list[str] = []
    commits: list[int] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's own BEGIN (conference/db.py)
            statements.append(statement.split()[0])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    sa.event.listen(db.engine, "commit", lambda _conn: commits.append(1))
    response = _redeem(client, headers, ticket.secret)
    sa.event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 201
    # The token, the conference (cached with Redis), the ticket with its seats, presence, scan.
    assert statements == ["SELECT", "SELECT", "SELECT", "INSERT", "INSERT"]
    # On SQLite the read ends first, so the write takes the lock at BEGIN; PostgreSQL goes on.
    assert len(commits) == (2 if db.engine.dialect.name == "sqlite" else 1)


def test_the_seats_show_their_room_or_the_free_text_place(any_db_app):
    headers = _scanner()
    client = any_db_app.test_client()
    reg, ticket = ticket_holder()
    first, second = seated("workshop", 0)[0], seated("workshop", 1)[0]
    give_seat(reg, first)
    give_seat(reg, second)
    db.session.get(Activity, second.id).location = "Tuin, achter de bar"
    db.session.commit()
    body = _redeem(client, headers, ticket.secret).get_json()
    places = {s["activity_id"]: s["location"] for s in body["participant"]["seats"]}
    assert places == {first.id: first.place, second.id: "Tuin, achter de bar"}
    assert first.place  # the room's name


def test_every_recorded_scan_moves_the_arrival_stamps(any_db_app):
    headers = _scanner()
    client = any_db_app.test_client()
    _, ticket = ticket_holder()
    topics = [arrivals_topic("entrance"), ALL_ARRIVALS]
    before = live.versions().read(topics)
    assert _redeem(client, headers, ticket.secret).status_code == 201
    after_entry = live.versions().read(topics)
    assert all(a != b for a, b in zip(before, after_entry, strict=True))
    assert _redeem(client, headers, ticket.secret).status_code == 400  # already inside
    assert live.versions().read(topics) != after_entry


def test_the_scan_reads_the_token_narrowly_under_the_same_rules(any_db_app):
    # The scan reads only the token's account id, role and language (no ORM account): a
    # revoked token, a switched-off account and an attendee's token made staff still fail.
    client = any_db_app.test_client()
    scanner, raw = create_staff("deur@example.org", "checkin", "Deur", None)
    open_day()
    reg, ticket = ticket_holder()
    response = _redeem(client, bearer(raw), ticket.secret)
    assert response.status_code == 201
    staff_id = db.session.scalar(
        sa.select(Scan.staff_user_id).where(Scan.id == response.json["scan_id"])
    )
    assert staff_id == scanner.id
    db.session.execute(sa.update(ApiToken).values(revoked_at=utcnow()))
    db.session.commit()
    assert _redeem(client, bearer(raw), ticket.secret).status_code == 401
    _, other = create_staff("tweede@example.org", "organiser", None, None)
    assert _redeem(client, bearer(other), ticket.secret).status_code == 400  # let in: inside
    db.session.execute(
        sa.update(User).where(User.email == "tweede@example.org").values(active=False)
    )
    db.session.commit()
    assert _redeem(client, bearer(other), ticket.secret).status_code == 401
    attendee_token = token_for(reg)
    assert _redeem(client, bearer(attendee_token), ticket.secret).status_code == 403
    db.session.execute(sa.update(User).where(User.id == reg.user_id).values(role="organiser"))
    db.session.commit()
    assert _redeem(client, bearer(attendee_token), ticket.secret).status_code == 401
