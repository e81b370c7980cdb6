"""Sessions end on the server: logout, deactivation and a new password make every copy of the
session cookie worthless, on either database.

Before, `POST /uitloggen` only dropped the cookie in the browser that posted: a copy of it (a
shared computer, a stolen cookie) stayed valid for 30 days, for staff and attendees alike.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conference.backoffice import staff as staff_service
from conference.extensions import db
from conference.models import User
from registration.services import register
from tests.factories import person
from tests.helpers import login
from tests.registration.account.test_login_links import ask_link, link_from_mail


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def copy_of(client):
    """Another browser that holds a copy of `client`'s session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = client.application.test_client()
    other.set_cookie("session", cookie.value)
    return other


def _staff_in(client) -> bool:
    return client.get("/beheer").status_code == 200


def _attendee_in(client) -> bool:
    return client.get("/mijn-inschrijving").status_code == 200


def test_staff_logout_ends_the_session_for_every_copy_of_the_cookie(app, client, tokens):
    login(client)
    copy = copy_of(client)
    assert _staff_in(copy)
    assert client.post("/uitloggen").status_code == 302
    assert not _staff_in(client)
    answer = copy.get("/beheer")
    assert answer.status_code == 302 and "/beheer/login" in answer.headers["Location"]
    login(client)  # logging in again works, with a new session
    assert _staff_in(client) and not _staff_in(copy)


def test_attendee_logout_ends_the_session_for_every_copy_of_the_cookie(app, client):
    register(person(1, mode="online"))
    ask_link(client)
    assert client.post(link_from_mail()).status_code == 303
    copy = copy_of(client)
    assert _attendee_in(copy)
    client.post("/uitloggen")
    assert not _attendee_in(client) and not _attendee_in(copy)


def test_deactivation_and_a_new_password_end_staff_sessions(app, client, tokens):
    login(client, "checkin")
    organiser = db.session.scalar(select(User).filter_by(email="organiser@example.org"))
    checkin = db.session.scalar(select(User).filter_by(email="checkin@example.org"))
    assert client.get("/scanner").status_code == 200
    staff_service.set_active(checkin.id, False, actor=organiser)
    assert client.get("/scanner").status_code == 302
    staff_service.set_active(checkin.id, True, actor=organiser)
    login(client, "checkin")
    assert client.get("/scanner").status_code == 200
    db.session.rollback()
    token = staff_service.invite_token(db.session.get(User, checkin.id))
    staff_service.set_password(token, "een nieuw lang wachtwoord")
    assert client.get("/scanner").status_code == 302
