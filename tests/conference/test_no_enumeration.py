"""Nothing tells whether an address belongs to a staff account (or is registered at all).

Before (issue 20): registering with a staff address said it belonged to a staff account;
`/beheer/login` took ~100 ms for a staff address (a password hash checked) against ~7 ms for an
unknown one (none); and asking for a login link did its database and mail work inside the
request only for registered addresses. Now the answers are the same and so is the work: one
password hash per login attempt, whatever the address, and the login link's lookup and mail
happen after the answer has gone out.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import conference.login_guard
import conference.models
from conference.extensions import db
from conference.models import MailMessage, User
from registration.models import LoginLink
from registration.services import register
from tests.factories import person


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def _shape(response) -> tuple[int, dict]:
    body = response.get_json()
    return response.status_code, {key: body[key] for key in ("error", "message")}


def test_registering_a_staff_address_answers_as_an_address_already_registered(app, tokens):
    register(person(1))
    client = app.test_client()
    taken = client.post("/api/v1/registrations", json=person(2, email="persoon1@example.be"))
    staff = client.post("/api/v1/registrations", json=person(3, email="checkin@example.org"))
    assert _shape(staff) == _shape(taken) == (409, _shape(taken)[1])
    page_taken = client.post("/inschrijven", data=_form("persoon1@example.be"))
    page_staff = client.post("/inschrijven", data=_form("checkin@example.org"))
    assert page_staff.status_code == page_taken.status_code == 409
    assert "account van een medewerker" not in page_staff.get_data(as_text=True)


def _form(email: str) -> dict[str, str]:
    return {
        "email": email,
        "first_name": "Iemand",
        "last_name": "Anders",
        "profile": "practitioner",
        "mode": "online",
        "language": "nl",
        "consent": "y",
    }


@pytest.fixture
def hashes(monkeypatch):
    """Count the password hashes checked (the work that took ~100 ms)."""
    calls: list[str] = []
    for module in (conference.models, conference.login_guard):
        real = module.check_password_hash

        def spy(stored, password, real=real):
            calls.append(password)
            return real(stored, password)

        monkeypatch.setattr(module, "check_password_hash", spy)
    return calls


def test_every_staff_login_checks_one_password_hash_whatever_the_address(
    app, client, tokens, hashes
):
    db.session.rollback()
    invited = User(email="uitgenodigd@example.org", role="checkin", active=True)
    stopped = User(email="gestopt@example.org", role="moderator", active=False)
    stopped.set_password("een lang oud wachtwoord")
    db.session.add_all([invited, stopped])
    db.session.commit()
    register(person(1))  # an attendee's address
    for email in (
        "organiser@example.org",  # staff, wrong password
        "niemand@example.org",  # unknown
        "persoon1@example.be",  # an attendee
        "uitgenodigd@example.org",  # staff without a password yet
        "gestopt@example.org",  # a deactivated account
    ):
        hashes.clear()
        response = client.post("/beheer/login", data={"email": email, "password": "fout"})
        assert response.status_code == 401, email
        assert "horen niet bij een medewerker" in response.get_data(as_text=True)
        assert len(hashes) == 1, email


def _work_done() -> tuple[int, int]:
    db.session.rollback()
    links = db.session.scalar(select(func.count()).select_from(LoginLink))
    mails = db.session.scalar(select(func.count()).select_from(MailMessage))
    return links, mails


def test_a_login_link_request_does_its_work_after_the_same_answer(app):
    register(person(1, mode="online"))
    before = _work_done()
    client = app.test_client()
    answers = {}
    for email in ("persoon1@example.be", "niemand@example.be"):
        start = _work_done()
        # Not buffered: the response is in hand, not yet closed (as the server still sends it).
        response = client.post("/aanmelden", data={"email": email}, buffered=False)
        answers[email] = response.status_code
        assert _work_done() == start, email  # nothing looked up or written in the request
        response.close()
    assert answers["persoon1@example.be"] == answers["niemand@example.be"] == 200
    # The link and its mail are made after the answer, for the registered address only.
    assert _work_done() == (before[0] + 1, before[1] + 1)
