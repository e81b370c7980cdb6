"""The confirmation and allocation mails carry the person's calendar (.ics)."""

from __future__ import annotations

import icalendar
from sqlalchemy import select

from conference.extensions import db
from conference.mail import attachment_bytes
from conference.models import MailMessage
from registration.signup import register
from sessions.calendar import calendar_attachment
from tests.registration_support import person


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
