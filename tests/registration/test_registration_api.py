"""POST /api/v1/registrations and GET/PATCH/DELETE /api/v1/me, exactly as API.md says."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from conference import hooks
from conference.cli import create_staff
from conference.clock import utcnow
from conference.extensions import db
from conference.models import ApiToken, MailMessage, User
from registration.models import ManageLink, Registration, Ticket
from registration.outcomes import Outcome
from registration.signup import account_row, registration_row
from registration.signup_statements import ROW_COLUMNS, USER_COLUMNS
from tests.factories import conference, person, set_venue
from tests.helpers import assert_counters_match, bearer

EN = {"Accept-Language": "en"}


def post(client, body, headers=None):
    return client.post("/api/v1/registrations", json=body, headers=headers or {})


def test_onsite_registration_gets_a_token_and_a_ticket(client):
    response = post(client, person(1))

    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "registered" and body["mode"] == "onsite"
    assert body["ticket_url"].startswith("http://127.0.0.1:5000/t/")
    assert len(body["token"]) >= 40  # 256 bits, URL-safe
    assert response.headers["Cache-Control"] == "no-store"
    db.session.rollback()
    reg = db.session.get(Registration, body["id"])
    assert reg.ticket.secret == body["ticket_url"].rsplit("/", 1)[1]
    assert len(reg.ticket.secret) >= 32  # at least 192 bits
    assert reg.user.role == "attendee" and reg.user.language == "nl"
    mails = db.session.scalars(select(MailMessage).filter_by(registration_id=reg.id)).all()
    assert [m.kind for m in mails] == ["registration_confirmation"]
    assert {a.get("cid") for a in mails[0].attachments} == {"ticket-qr", None}
    # The mail's personal link opens a session; the API token is for the caller alone (the
    # link lands in logs and proxies; issue 20).
    assert body["token"] not in mails[0].body_text
    assert "/mijn-inschrijving/link/" in mails[0].body_text
    assert_counters_match()

    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    data = me.get_json()
    assert data["email"] == "persoon1@example.be" and data["ticket_url"] == body["ticket_url"]
    assert data["seats"] == [] and "agenda_url" in data and "calendar_feed_url" in data


def test_online_registration_has_no_ticket(client):
    body = post(client, person(2, mode="online", language="en")).get_json()
    assert body["status"] == "registered" and body["mode"] == "online"
    assert "ticket_url" not in body
    db.session.rollback()
    reg = db.session.get(Registration, body["id"])
    assert reg.tickets == [] and reg.language == "en" and reg.user.language == "en"
    assert conference().onsite_taken == 0


def test_full_venue_waitlists_or_answers_venue_full(client):
    set_venue(onsite_capacity=1)
    assert post(client, person(1)).get_json()["status"] == "registered"

    waiting = post(client, person(2))
    assert waiting.status_code == 201
    assert waiting.get_json()["status"] == "waitlisted" and "ticket_url" not in waiting.get_json()

    refused = post(client, person(3, waitlist_ok=False))
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "venue_full" and refused.get_json()["message"]
    db.session.rollback()
    assert (
        db.session.scalar(select(func.count()).where(Registration.email == "persoon3@example.be"))
        == 0
    )
    assert db.session.scalar(select(func.count()).where(User.email == "persoon3@example.be")) == 0
    assert_counters_match()


def test_one_active_registration_per_email(client):
    first = post(client, person(1)).get_json()
    again = post(client, person(1, email="PERSOON1@Example.be ", mode="online"))
    assert again.status_code == 409
    assert again.get_json()["error"] == "already_registered"

    client.delete("/api/v1/me", headers=bearer(first["token"]))
    back = post(client, person(1, mode="online"))
    assert back.status_code == 201  # after a cancellation one may register again
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(User.email == "persoon1@example.be")) == 1


def test_a_staff_address_cannot_register(client, tokens):
    # Answered as an address already registered: registering reveals no staff account.
    response = post(client, person(1, email="organiser@example.org"))
    assert response.status_code == 409
    assert response.get_json()["error"] == "already_registered"
    assert "medewerker" not in response.get_data(as_text=True)


def test_new_and_known_addresses_on_both_databases(any_db_app):
    # PostgreSQL writes a new account's rows in one statement (registration/signup_statements);
    # an address with an account (a staff one, a cancelled registration's) goes step by step.
    client = any_db_app.test_client()
    create_staff("organiser@example.org", "organiser", "Org", "wachtwoord-organiser")
    refused = post(client, person(1, email="organiser@example.org"))
    assert refused.status_code == 409 and refused.get_json()["error"] == "already_registered"

    first = post(client, person(2)).get_json()
    assert first["status"] == "registered" and first["ticket_url"]
    assert client.get("/api/v1/me", headers=bearer(first["token"])).status_code == 200
    db.session.rollback()
    reg = db.session.get(Registration, first["id"])
    links = select(func.count()).where(ManageLink.user_id == reg.user_id)
    assert reg.ticket.status == "active" and db.session.scalar(links) == 1
    assert post(client, person(2, mode="online")).status_code == 409

    client.delete("/api/v1/me", headers=bearer(first["token"]))
    back = post(client, person(2, mode="online"))
    assert back.status_code == 201 and "ticket_url" not in back.get_json()
    assert client.get("/api/v1/me", headers=bearer(back.get_json()["token"])).status_code == 200
    db.session.rollback()
    assert db.session.get(Registration, back.get_json()["id"]).user_id == reg.user_id
    assert db.session.scalar(links.where(ManageLink.revoked_at.is_(None))) == 1


def test_the_one_statement_binds_every_column_of_both_rows():
    # A column added to a row but not to signup_statements would be left out on PostgreSQL.
    draft = SimpleNamespace(clean=defaultdict(str), conf=SimpleNamespace(id=1), user_id=1,
                            language="nl", name="Naam", now=utcnow())  # fmt: skip
    row = registration_row(draft, Outcome("registered", "onsite", False))
    assert set(row) == set(ROW_COLUMNS)
    assert set(account_row(draft)) == set(USER_COLUMNS)


@pytest.mark.parametrize(
    ("change", "field", "dutch"),
    [
        ({"email": None}, "email", "Vul je e-mailadres in."),
        ({"email": "   "}, "email", "Vul je e-mailadres in."),
        ({"email": "geen-adres"}, "email", "Dat is geen geldig e-mailadres."),
        ({"email": "a@b"}, "email", "Dat is geen geldig e-mailadres."),
        ({"email": 42}, "email", "Dat is geen geldig e-mailadres."),
        ({"email": "a" * 250 + "@x.be"}, "email", "Dit is te lang: gebruik maximaal 254 tekens."),
        ({"first_name": ""}, "first_name", "Vul je voornaam in."),
        ({"first_name": None}, "first_name", "Vul je voornaam in."),
        ({"first_name": "x" * 101}, "first_name", "Dit is te lang: gebruik maximaal 100 tekens."),
        ({"first_name": ["An"]}, "first_name", "Vul hier tekst in."),
        ({"last_name": "  "}, "last_name", "Vul je familienaam in."),
        ({"last_name": "x" * 101}, "last_name", "Dit is te lang: gebruik maximaal 100 tekens."),
        ({"organisation": "x" * 201}, "organisation", "maximaal 200 tekens"),
        ({"sector": "x" * 101}, "sector", "maximaal 100 tekens"),
        ({"accessibility_needs": "x" * 1001}, "accessibility_needs", "maximaal 1000 tekens"),
        ({"diet": "x" * 201}, "diet", "maximaal 200 tekens"),
        ({"profile": None}, "profile", "Kies wat het best bij je past."),
        ({"profile": "boss"}, "profile", "Kies wat het best bij je past."),
        ({"mode": None}, "mode", "Kies: ter plaatse of online."),
        ({"mode": "hybrid"}, "mode", "Kies: ter plaatse of online."),
        ({"language": "fr"}, "language", "Kies Nederlands of Engels."),
        ({"consent": None}, "consent", "Geef je toestemming"),
        ({"consent": False}, "consent", "Geef je toestemming"),
        ({"consent": "yes"}, "consent", "Geef je toestemming"),
        ({"waitlist_ok": "no"}, "waitlist_ok", "Kies ja (true) of nee (false)."),
        ({"shoe_size": 42}, "shoe_size", "Onbekend veld."),
    ],
)
def test_every_rule_answers_in_both_languages(client, change, field, dutch):
    body = {**person(1), **change}
    body = {k: v for k, v in body.items() if not (v is None and k in change)}

    dutch_answer = post(client, body)
    english_answer = post(client, body, headers=EN)
    english_by_query = client.post("/api/v1/registrations?lang=en", json=body)

    for answer in (dutch_answer, english_answer, english_by_query):
        assert answer.status_code == 422
        data = answer.get_json()
        assert data["error"] == "invalid" and data["message"]
        assert data["fields"][field].strip()
    assert dutch in dutch_answer.get_json()["fields"][field]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_a_body_that_is_not_a_json_object_is_invalid(client):
    response = client.post("/api/v1/registrations", data="[1]", content_type="application/json")
    assert response.status_code == 422 and response.get_json()["error"] == "invalid"


@pytest.mark.parametrize("moment", ["before", "after"])
def test_outside_the_window_registration_is_closed(client, moment):
    now = utcnow()
    if moment == "before":
        set_venue(registration_opens_at=now + timedelta(days=1))
    else:
        set_venue(registration_closes_at=now - timedelta(minutes=1))

    for body, headers in ((person(1), {}), (person(1), EN), ({"email": "x"}, {})):
        response = post(client, body, headers)
        assert response.status_code == 403
        assert response.get_json()["error"] == "registration_closed"
        assert response.get_json()["message"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_me_needs_an_attendee_token(client, tokens):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=bearer("nope")).status_code == 401
    staff = client.get("/api/v1/me", headers=bearer(tokens["organiser"]))
    assert staff.status_code == 403 and staff.get_json()["error"] == "forbidden"


def test_patch_me_changes_details_and_language(client):
    token = post(client, person(1)).get_json()["token"]
    response = client.patch(
        "/api/v1/me",
        json={"first_name": "  Anna  ", "organisation": "CAW Antwerpen", "language": "en"},
        headers=bearer(token),
    )
    assert response.status_code == 200
    data = response.get_json()
    assert data["first_name"] == "Anna" and data["organisation"] == "CAW Antwerpen"
    db.session.rollback()
    reg = db.session.get(Registration, data["id"])
    assert reg.language == "en" and reg.user.language == "en"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"mode": "both"}, "mode"),
        ({"email": "new@example.be"}, "email"),
        ({"venue_waitlist": "yes"}, "venue_waitlist"),
        ({"language": "de"}, "language"),
    ],
)
def test_patch_me_rules(client, change, field):
    token = post(client, person(1, mode="online")).get_json()["token"]
    for headers in ({}, EN):
        response = client.patch("/api/v1/me", json=change, headers=bearer(token) | headers)
        assert response.status_code == 422
        assert response.get_json()["fields"][field]


def test_profile_is_locked_while_holding_a_place(client):
    token = post(client, person(1)).get_json()["token"]
    response = client.patch("/api/v1/me", json={"profile": "manager"}, headers=bearer(token))
    assert response.status_code == 422
    assert "organisatoren" in response.get_json()["fields"]["profile"]


def test_switching_to_online_frees_the_place_for_the_waiting_list(client):
    set_venue(onsite_capacity=1)
    first = post(client, person(1)).get_json()
    second = post(client, person(2)).get_json()
    assert second["status"] == "waitlisted"
    seen = []

    def receiver(reg, **kwargs):
        seen.append((reg.id, kwargs["old_mode"], kwargs["new_mode"], kwargs["session"] is not None))

    hooks.registration_mode_changed.connect(receiver)
    try:
        response = client.patch(
            "/api/v1/me", json={"mode": "online"}, headers=bearer(first["token"])
        )
    finally:
        hooks.registration_mode_changed.disconnect(receiver)

    assert response.status_code == 200
    assert response.get_json()["mode"] == "online" and response.get_json()["ticket_url"] is None
    assert seen == [(first["id"], "onsite", "online", True)]
    db.session.rollback()
    promoted = db.session.get(Registration, second["id"])
    assert promoted.holds_venue_place and promoted.venue_offer_expires_at is not None
    old_ticket = db.session.scalar(select(Ticket).filter_by(registration_id=first["id"]))
    assert old_ticket.status == "revoked"
    kinds = db.session.scalars(select(MailMessage.kind).filter_by(registration_id=second["id"]))
    assert "venue_offer" in list(kinds)
    me = client.get("/api/v1/me", headers=bearer(second["token"])).get_json()
    assert me["venue_offer_expires_at"] is not None

    # Confirming the offer: PATCH mode onsite gives the ticket.
    confirmed = client.patch("/api/v1/me", json={"mode": "onsite"}, headers=bearer(second["token"]))
    assert confirmed.get_json()["status"] == "registered"
    assert confirmed.get_json()["ticket_url"].startswith("http://127.0.0.1:5000/t/")
    assert_counters_match()


def test_going_onsite_when_full_waits_and_keeps_online(client):
    set_venue(onsite_capacity=1)
    post(client, person(1))
    token = post(client, person(2, mode="online")).get_json()["token"]

    data = client.patch("/api/v1/me", json={"mode": "onsite"}, headers=bearer(token)).get_json()
    assert data["status"] == "registered" and data["mode"] == "online"
    assert data["venue_waitlist"] is True and data["venue_waitlist_position"] == 1

    left = client.patch("/api/v1/me", json={"venue_waitlist": False}, headers=bearer(token))
    assert left.get_json()["venue_waitlist"] is False


def test_delete_me_cancels_everything(client):
    set_venue(onsite_capacity=1)
    first = post(client, person(1)).get_json()
    second = post(client, person(2)).get_json()
    seen = []

    def receiver(reg, **kwargs):
        seen.append((reg.id, reg.status, kwargs["session"] is not None))

    hooks.registration_canceled.connect(receiver)
    try:
        response = client.delete("/api/v1/me", headers=bearer(first["token"]))
    finally:
        hooks.registration_canceled.disconnect(receiver)

    assert response.status_code == 204
    assert seen == [(first["id"], "canceled", True)]
    assert client.get("/api/v1/me", headers=bearer(first["token"])).status_code == 401
    db.session.rollback()
    reg = db.session.get(Registration, first["id"])
    assert reg.status == "canceled" and not reg.holds_venue_place and reg.ticket is None
    assert all(
        t.revoked_at for t in db.session.scalars(select(ApiToken).filter_by(user_id=reg.user_id))
    )
    assert db.session.get(Registration, second["id"]).holds_venue_place  # promoted at once
    kinds = list(db.session.scalars(select(MailMessage.kind).filter_by(registration_id=reg.id)))
    assert kinds == ["registration_confirmation", "registration_canceled"]
    assert_counters_match()


def test_the_seat_summary_hook_fills_me_seats(client):
    token = post(client, person(1)).get_json()["token"]

    def provider(reg):
        return [{"activity_id": 7, "status": "enrolled"}]

    hooks.seat_summary.connect(provider)
    try:
        data = client.get("/api/v1/me", headers=bearer(token)).get_json()
    finally:
        hooks.seat_summary.disconnect(provider)
    assert {"activity_id": 7, "status": "enrolled"} in data["seats"]
