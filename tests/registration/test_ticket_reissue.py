"""One ticket-reissue rule for every caller: revoke, new secret, mail the new ticket, audit who."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conference.errors import NotFound
from conference.extensions import db
from conference.models import AuditEntry, MailMessage
from registration.errors import NoTicket, NotOnSite, RegistrationCanceled
from registration.models import Registration, Ticket
from registration.services import cancel_registration, register, reissue_ticket
from registration.tickets import ticket_url
from tests.factories import person, set_venue
from tests.helpers import bearer, login, manage_path


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def _api(client, tokens, registered) -> str:
    url = f"/api/v1/checkin/registrations/{registered.id}/reissue"
    response = client.post(url, headers=bearer(tokens["checkin"]))
    assert response.status_code == 201
    assert set(response.get_json()) == {"registration_id", "ticket_id", "ticket_url"}
    return "checkin@example.org"


def _desk_page(client, tokens, registered) -> str:
    login(client, "checkin")
    assert client.post(f"/scanner/entrance/ticket/{registered.id}", data={}).status_code == 201
    return "checkin@example.org"


def _people_page(client, tokens, registered) -> str:
    login(client, "organiser")
    response = client.post(f"/beheer/deelnemers/{registered.id}/ticket", data={"reason": "kwijt"})
    assert response.status_code == 302
    return "organiser@example.org"


def _personal_page(client, tokens, registered) -> str:
    client.post(manage_path(registered.id))
    page = client.post("/mijn-inschrijving/nieuw-ticket", follow_redirects=True)
    assert "Je hebt een nieuw ticket" in page.get_data(as_text=True)
    return "persoon1@example.be"


CALLERS = {
    "checkin API": (_api, "help desk"),
    "scanner desk page": (_desk_page, "help desk"),
    "people page": (_people_page, "kwijt"),
    "personal page": (_personal_page, None),
}


def _tickets(reg_id: int) -> list[Ticket]:
    db.session.rollback()
    return list(db.session.scalars(select(Ticket).filter_by(registration_id=reg_id)))


def _ticket_mails(reg_id: int) -> list[MailMessage]:
    return list(
        db.session.scalars(select(MailMessage).filter_by(registration_id=reg_id, kind="ticket"))
    )


@pytest.mark.parametrize("caller", CALLERS)
def test_every_caller_revokes_mails_and_audits(client, tokens, caller):
    registered = register(person(1))
    [old] = _tickets(registered.id)
    run, reason = CALLERS[caller]

    actor_email = run(client, tokens, registered)

    tickets = _tickets(registered.id)
    assert sorted(t.status for t in tickets) == ["active", "revoked"]
    new = next(t for t in tickets if t.status == "active")
    assert new.secret != old.secret and old.status == "revoked"
    assert client.get(f"/t/{old.secret}").status_code == 404
    [mail] = _ticket_mails(registered.id)
    assert mail.attachments[0]["qr"] == ticket_url(new.secret)
    [entry] = db.session.scalars(select(AuditEntry).filter_by(action="registration.reissue_ticket"))
    assert (entry.target_type, entry.target_id) == ("registration", str(registered.id))
    assert entry.actor_email == actor_email and entry.actor_id is not None
    assert entry.before == {"ticket_id": old.id} and entry.after == {"ticket_id": new.id}
    assert entry.reason == reason


def _nothing_written(reg_id: int) -> None:
    db.session.rollback()
    assert _ticket_mails(reg_id) == []
    audit = select(func.count()).select_from(AuditEntry)
    assert db.session.scalar(audit.filter_by(action="registration.reissue_ticket")) == 0


def test_only_a_confirmed_onsite_registration_has_a_ticket_to_replace(app):
    online = register(person(1, mode="online"))
    set_venue(onsite_capacity=0)
    waiting = register(person(2), venue_choice="waitlist")
    canceled = register(person(3, mode="online"))
    cancel_registration(canceled.id)
    cases = ((online, NotOnSite), (waiting, NoTicket), (canceled, RegistrationCanceled))
    for registered, error in cases:
        with pytest.raises(error):
            reissue_ticket(registered.id, actor=None)
        _nothing_written(registered.id)
        assert _tickets(registered.id) == []
    db.session.rollback()
    assert db.session.get(Registration, waiting.id).status == "waitlisted"


def test_the_desk_reaches_only_its_own_conference(app):
    registered = register(person(1))
    conference_id = db.session.get(Registration, registered.id).conference_id
    with pytest.raises(NotFound):
        reissue_ticket(registered.id, actor=None, conference_id=conference_id + 1)
    _nothing_written(registered.id)
    assert [t.status for t in _tickets(registered.id)] == ["active"]


def test_refusals_keep_the_api_error_words(client, tokens):
    online = register(person(1, mode="online"))
    canceled = register(person(2))
    cancel_registration(canceled.id)
    for registered, word in ((online, "wrong_mode"), (canceled, "canceled")):
        url = f"/api/v1/checkin/registrations/{registered.id}/reissue"
        response = client.post(url, headers=bearer(tokens["checkin"]))
        assert (response.status_code, response.get_json()["error"]) == (409, word)
