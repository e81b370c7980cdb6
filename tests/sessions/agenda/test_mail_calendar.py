"""The confirmation and allocation mails carry the person's calendar (.ics)."""

from __future__ import annotations

import icalendar
from sqlalchemy import select

from conference.extensions import db
from conference.mail.delivery import attachment_bytes
from conference.models import AuditEntry, MailMessage
from registration.signup import register
from sessions.agenda.calendar import calendar_attachment
from tests.factories import person


def _events(data: bytes) -> list[str]:
    calendar = icalendar.Calendar.from_ical(data)
    return [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]


def test_the_confirmation_carries_the_calendar(app):
    done = register(person(1))
    db.session.rollback()
    mail = db.session.scalar(
        select(MailMessage).filter_by(registration_id=done.id, kind="registration_confirmation")
    )
    [ics] = [item for item in mail.attachments if item["filename"].endswith(".ics")]
    assert ics["content_type"].startswith("text/calendar")
    assert "Plenaire opening: sociaal werk doet ertoe" in _events(attachment_bytes(ics))


def test_the_allocation_mail_attachment_is_drawn_at_delivery(app):
    done = register(person(2, mode="online"))
    item = calendar_attachment(done.id)
    assert "data" not in item  # nothing heavy is stored with the queued mail
    summaries = _events(attachment_bytes(item))
    assert "Plenaire afsluiting" in summaries


def test_the_help_desk_resends_the_confirmation(app, client, tokens):
    done = register(person(3))
    client.post(
        "/beheer/login", data={"email": "organiser@example.org", "password": "wachtwoord-organiser"}
    )
    for _ in range(2):
        response = client.post(f"/beheer/deelnemers/{done.id}/bevestiging", data={"reason": ""})
        assert response.status_code == 302
    db.session.rollback()
    mails = db.session.scalars(
        select(MailMessage).where(
            MailMessage.registration_id == done.id,
            MailMessage.kind.like("registration_confirmation%"),
        )
    ).all()
    assert len(mails) == 3  # the first one and two resends, each with its own manage link
    assert len({m.body_text for m in mails}) == 3
    assert all(any(a["filename"].endswith(".ics") for a in m.attachments) for m in mails)
    assert db.session.scalar(
        select(AuditEntry).filter_by(action="registration.resend_confirmation")
    )
