"""The colleagues API and its rules: shapes, 422s, limits, and what a coordinator may see."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from conference.clock import utcnow
from conference.extensions import db
from registration.account.personal_data import erase_registration, export_data
from registration.colleagues import services
from registration.colleagues.confirm import confirm_invitation, decline_invitation
from registration.colleagues.errors import InvitationInvalid
from registration.colleagues.models import ColleagueInvitation
from registration.models import Registration
from tests.factories import register, token_for
from tests.helpers import bearer
from tests.registration.colleagues.support import (
    answers,
    colleague,
    invitation_of,
    link_token,
    registration_of,
)


def _post(client, token, body):
    return client.post("/api/v1/me/colleagues", json=body, headers=bearer(token))


def test_invite_answers_201_per_address_and_an_active_address_is_already_registered(app, client):
    coordinator = register(1)
    register(2)  # persoon2 has an active registration
    token = token_for(coordinator)

    response = _post(
        client, token, [colleague(1), {**colleague(2), "email": "persoon2@example.be"}]
    )

    assert response.status_code == 201
    assert response.json == [
        {"email": "collega1@example.be", "status": "invited"},
        {"email": "persoon2@example.be", "status": "already_registered"},
    ]
    group = client.get("/api/v1/me/colleagues", headers=bearer(token)).json
    assert [(c["email"], c["status"]) for c in group] == [("collega1@example.be", "invited")]


def test_bad_rows_are_422_with_fields_per_row_and_nothing_is_stored(app, client):
    token = token_for(register(1))
    body = [
        colleague(1),
        {"email": "geen-adres", "first_name": "", "last_name": "X", "mode": "boot"},
        {**colleague(3), "extra": 1},
        colleague(1),
    ]

    response = _post(client, token, body)

    assert response.status_code == 422
    fields = response.json["fields"]
    assert {"1.email", "1.first_name", "1.mode", "2.extra", "3.email"} <= set(fields)
    assert db.session.scalar(select(func.count()).select_from(ColleagueInvitation)) == 0
    for bad in ({"email": "x"}, [], [colleague(i) for i in range(21)], "tekst"):
        answer = _post(client, token, bad)
        assert answer.status_code == 422, bad
        assert answer.json["error"] == "invalid"


def test_only_a_registered_attendee_invites(app, client):
    assert client.post("/api/v1/me/colleagues", json=[colleague(1)]).status_code == 401
    coordinator = register(1)
    services.invite_colleagues(coordinator.id, [colleague(2)])
    invited = registration_of("collega2@example.be")
    # An invited colleague has not consented: their account cannot act yet.
    answer = _post(client, token_for(invited), [colleague(3)])
    assert answer.status_code == 403


def test_the_coordinator_sees_status_only_never_the_colleagues_own_data(app, client):
    coordinator = register(1)
    token = token_for(coordinator)
    _post(client, token, [colleague(1)])
    confirm_invitation(
        link_token("collega1@example.be"),
        answers(1, first_name="Geheim", diet="glutenvrij", accessibility_needs="rolstoel"),
    )

    body = client.get("/api/v1/me/colleagues", headers=bearer(token))

    assert body.json[0]["status"] == "confirmed"
    assert set(body.json[0]) == {"id", "email", "status", "invited_at", "can_resend"}
    assert "Geheim" not in body.text and "glutenvrij" not in body.text
    assert "rolstoel" not in body.text
    page = client.get("/mijn-inschrijving/collegas", headers=bearer(token))
    assert "Geheim" not in page.text and "glutenvrij" not in page.text


def test_consent_is_the_colleagues_own_and_required(app):
    coordinator = register(1)
    services.invite_colleagues(coordinator.id, [colleague(1)])
    reg = registration_of("collega1@example.be")
    assert reg.status == "invited" and reg.consent_at is None
    token = link_token("collega1@example.be")

    for refused in (answers(1, consent=False), {**answers(1), "consent": None}):
        try:
            confirm_invitation(token, refused)
        except Exception as exc:  # the kind of error is what is checked
            assert getattr(exc, "fields", {}).get("consent"), exc
        else:
            raise AssertionError("confirmed without consent")
    assert registration_of("collega1@example.be").consent_at is None
    # The refused attempts did not use the link.
    assert confirm_invitation(token, answers(1)) == "registered"
    assert registration_of("collega1@example.be").consent_at is not None


def test_the_link_is_single_use_and_a_resend_replaces_it(app):
    coordinator = register(1)
    services.invite_colleagues(coordinator.id, [colleague(1), colleague(2)])
    first = link_token("collega1@example.be")
    later = utcnow() + timedelta(hours=1)
    services.resend_invitation(coordinator.id, invitation_of("collega1@example.be").id, later)
    second = link_token("collega1@example.be")
    assert second != first

    for used in (first,):
        try:
            confirm_invitation(used, answers(1))
        except InvitationInvalid:
            pass
        else:
            raise AssertionError("a replaced link worked")
    confirm_invitation(second, answers(1))
    try:
        confirm_invitation(second, answers(1))
    except InvitationInvalid:
        pass
    else:
        raise AssertionError("a used link worked twice")
    decline_invitation(link_token("collega2@example.be"))
    assert invitation_of("collega2@example.be").status == "declined"
    assert registration_of("collega2@example.be") is None  # canceled


def test_limits_stop_a_coordinator_from_spamming(app, client):
    coordinator = register(1)
    token = token_for(coordinator)
    for batch in range(2):
        rows = [colleague(batch * 20 + i) for i in range(20)]
        assert _post(client, token, rows).status_code == 201
    # 40 an hour: the next one waits.
    answer = _post(client, token, [colleague(99)])
    assert answer.status_code == 429
    assert answer.json["error"] == "too_many_invitations"
    # A resend right after the invitation is too soon.
    invitation = invitation_of("collega0@example.be")
    resend = client.post(f"/api/v1/me/colleagues/{invitation.id}/resend", headers=bearer(token))
    assert resend.status_code == 429


def test_a_resend_only_for_ones_own_colleagues(app, client):
    services.invite_colleagues(register(1).id, [colleague(1)])
    other = token_for(register(2))
    invitation = invitation_of("collega1@example.be")
    answer = client.post(f"/api/v1/me/colleagues/{invitation.id}/resend", headers=bearer(other))
    assert answer.status_code == 404


def test_erasure_removes_the_link_and_the_export_shows_the_invitation(app, client):
    coordinator = register(1)
    services.invite_colleagues(coordinator.id, [colleague(1), colleague(2)])
    confirm_invitation(link_token("collega1@example.be"), answers(1))
    colleague_reg = registration_of("collega1@example.be")
    export = client.get(
        "/mijn-inschrijving/gegevens.json", headers=bearer(token_for(colleague_reg))
    )
    assert export.json["invitation"]["status"] == "confirmed"
    coordinator_export = export_data(coordinator)
    assert [c["status"] for c in coordinator_export["colleagues_invited"]] == [
        "confirmed",
        "invited",
    ]

    erase_registration(colleague_reg.id)
    assert invitation_of("collega1@example.be") is None
    erase_registration(coordinator.id)
    assert invitation_of("collega2@example.be").coordinator_id is None
    # The invited colleague still decides for themselves.
    assert registration_of("collega2@example.be").status == "invited"
    db.session.rollback()
    assert (
        db.session.scalar(select(func.count()).where(Registration.email == "collega1@example.be"))
        == 0
    )
