"""Staff accounts: invitations with a one-time link, roles, deactivation, API tokens."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from conference.extensions import db
from conference.models import ApiToken, MailMessage, User
from tests.factories import person, staff
from tests.helpers import audit_entries, bearer, login


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def _invite_link(address: str) -> str:
    db.session.rollback()
    message = db.session.scalars(
        select(MailMessage)
        .filter_by(kind="staff_invite", to_address=address)
        .order_by(MailMessage.id.desc())
    ).first()
    return re.search(r"http://\S+/beheer/wachtwoord/\S+", message.body_text).group(0)


def test_invite_then_choose_a_password_once(app, client, tokens):
    login(client)
    assert client.get("/beheer/medewerkers").status_code == 200
    response = client.post(
        "/beheer/medewerkers",
        data={"email": "Nieuwe@Example.org", "name": "Nina", "role": "checkin"},
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).filter_by(email="nieuwe@example.org"))
    assert user.role == "checkin" and user.password_hash is None
    link = _invite_link("nieuwe@example.org")
    path = link.split("5000", 1)[1]
    assert "Nieuwe@Example.org" not in link and "nieuwe" not in path  # no address in the link
    fresh = app.test_client()
    page = fresh.get(path)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    short = fresh.post(path, data={"password": "kort", "confirm": "kort"})
    assert short.status_code == 422
    done = fresh.post(
        path,
        data={
            "password": "een lange zin als wachtwoord",
            "confirm": "een lange zin als wachtwoord",
        },
    )
    assert done.status_code == 302
    assert (
        fresh.post(
            "/beheer/login",
            data={"email": "nieuwe@example.org", "password": "een lange zin als wachtwoord"},
        ).status_code
        == 302
    )
    assert fresh.get("/scanner").status_code in (200, 302)
    # The link works once.
    again = app.test_client().get(path)
    assert again.status_code == 400 and "ongeldig of al gebruikt" in again.get_data(as_text=True)
    assert app.test_client().get("/beheer/wachtwoord/vervalst").status_code == 400
    actions = [e.action for e in audit_entries()]
    assert actions == ["staff.invite", "staff.set_password"]


def test_reinvite_spends_the_old_link(app, client, tokens):
    login(client)
    client.post("/beheer/medewerkers", data={"email": "x@example.org", "role": "moderator"})
    first = _invite_link("x@example.org").split("5000", 1)[1]
    client.post("/beheer/medewerkers", data={"email": "x@example.org", "role": "moderator"})
    second = _invite_link("x@example.org").split("5000", 1)[1]
    assert first != second
    assert app.test_client().get(first).status_code == 400
    assert app.test_client().get(second).status_code == 200


def test_role_change_deactivation_and_tokens(app, client, tokens):
    login(client)
    api = app.test_client()  # bearer calls without the organiser's cookie
    checkin = staff("checkin")
    assert api.get("/scanner", headers=bearer(tokens["checkin"])).status_code == 200
    client.post(
        f"/beheer/medewerkers/{checkin.id}/rol", data={"role": "moderator", "reason": "wissel"}
    )
    db.session.rollback()
    assert staff("checkin").role == "moderator"
    assert api.get("/scanner", headers=bearer(tokens["checkin"])).status_code == 403

    response = client.post(f"/beheer/medewerkers/{checkin.id}/sleutel", data={"label": "tablet"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    raw = re.search(r'id="token">([^<]+)<', response.get_data(as_text=True)).group(1)
    assert raw not in str([t.token_hash for t in db.session.scalars(select(ApiToken))])
    assert api.get("/beheer", headers=bearer(raw)).status_code == 200

    client.post(f"/beheer/medewerkers/{checkin.id}/sleutels-intrekken", data={})
    assert api.get("/beheer", headers=bearer(raw)).status_code == 302
    assert api.get("/beheer", headers=bearer(tokens["checkin"])).status_code == 302

    new = client.post(f"/beheer/medewerkers/{checkin.id}/sleutel", data={}).get_data(as_text=True)
    raw = re.search(r'id="token">([^<]+)<', new).group(1)
    client.post(f"/beheer/medewerkers/{checkin.id}/uitschakelen", data={"reason": "weg"})
    assert api.get("/beheer", headers=bearer(raw)).status_code == 302
    db.session.rollback()
    assert staff("checkin").active is False
    assert (
        app.test_client()
        .post(
            "/beheer/login", data={"email": "checkin@example.org", "password": "wachtwoord-checkin"}
        )
        .status_code
        == 401
    )
    client.post(f"/beheer/medewerkers/{checkin.id}/inschakelen", data={})
    db.session.rollback()
    assert staff("checkin").active is True
    actions = [e.action for e in audit_entries()]
    assert actions == [
        "staff.role",
        "staff.issue_token",
        "staff.revoke_tokens",
        "staff.issue_token",
        "staff.deactivate",
        "staff.activate",
    ]
    assert all(raw not in str(e.after) for e in audit_entries())  # never the token itself


def test_nobody_locks_themselves_out(app, client, tokens):
    login(client)
    me = staff("organiser")
    assert (
        client.post(f"/beheer/medewerkers/{me.id}/rol", data={"role": "checkin"}).status_code == 403
    )
    assert client.post(f"/beheer/medewerkers/{me.id}/uitschakelen", data={}).status_code == 403
    db.session.rollback()
    assert staff("organiser").role == "organiser" and staff("organiser").active
    assert audit_entries() == []


def test_inviting_an_attendee_as_staff_never_widens_their_attendee_tokens(app, client, tokens):
    api = app.test_client()
    registered = api.post("/api/v1/registrations", json=person(3, email="an@example.be"))
    attendee_token = registered.get_json()["token"]
    assert api.get("/api/v1/me", headers=bearer(attendee_token)).status_code == 200
    assert api.get("/api/v1/checkin/list", headers=bearer(attendee_token)).status_code == 403
    login(client)
    response = client.post(
        "/beheer/medewerkers", data={"email": "an@example.be", "role": "checkin"}
    )
    assert response.status_code == 302
    # The attendee's token (also the one in the confirmation mail) is not a staff token.
    for path in ("/api/v1/checkin/list", "/api/v1/me"):
        answer = api.get(path, headers=bearer(attendee_token))
        assert answer.status_code == 401, path
        assert answer.get_json()["error"] == "unauthenticated"
    db.session.rollback()
    user = db.session.scalar(select(User).filter_by(email="an@example.be"))
    assert all(t.revoked_at is not None for t in user.tokens)
    [entry] = audit_entries("staff.reinvite")
    assert entry.after["tokens_revoked"] >= 1
    # Staff tokens are issued for the staff account and work as such.
    page = client.post(f"/beheer/medewerkers/{user.id}/sleutel", data={"label": "scanner"})
    raw = re.search(r'id="token">([^<]+)<', page.get_data(as_text=True)).group(1)
    assert api.get("/api/v1/checkin/list", headers=bearer(raw)).status_code == 200


def test_an_attendee_token_is_never_a_staff_token_even_unrevoked(app, tokens):
    registered = app.test_client().post("/api/v1/registrations", json=person(4))
    raw = registered.get_json()["token"]
    db.session.rollback()
    user = db.session.scalar(select(User).filter_by(email="persoon4@example.be"))
    user.role = "organiser"  # a role change made any other way (the CLI, by hand)
    db.session.commit()
    answer = app.test_client().get("/api/v1/checkin/list", headers=bearer(raw))
    assert answer.status_code == 401
