"""The day-before reminder reaches exactly the registered people, once, in their language."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from conference import scheduler
from conference.extensions import db
from conference.models import Conference, MailMessage
from registration.services import cancel_registration
from registration.signup import register
from tests.factories import person


def _reminders() -> dict[str, MailMessage]:
    db.session.rollback()
    rows = db.session.scalars(select(MailMessage).filter_by(kind="reminder")).all()
    return {row.to_address: row for row in rows}


def test_the_day_before_reminder(app):
    onsite_nl = register(person(1, language="nl"))
    online_en = register(person(2, mode="online", language="en"))
    canceled = register(person(3))
    cancel_registration(canceled.id)
    conf = db.session.scalar(select(Conference))
    job = scheduler.job_by_name("send_reminders")

    # Two days before: nothing yet.
    with time_machine.travel(conf.starts_at - timedelta(days=2), tick=False):
        assert scheduler.run_job(job).result == {"queued": 0}
    with time_machine.travel(conf.starts_at - timedelta(hours=20), tick=False):
        first = scheduler.run_job(job)
        second = scheduler.run_job(job)
    assert first.status == "ok" and first.result == {"queued": 2}
    assert second.result == {"queued": 0}  # run again: nobody gets it twice

    mails = _reminders()
    assert set(mails) == {"persoon1@example.be", "persoon2@example.be"}
    dutch, english = mails["persoon1@example.be"], mails["persoon2@example.be"]
    assert dutch.subject.startswith("Morgen:") and "je ticket" in dutch.subject
    assert "QR-ticket" in dutch.body_text and onsite_nl.ticket_url in dutch.body_text
    assert any(a.get("cid") == "ticket-qr" for a in dutch.attachments)
    assert "Plenaire opening" in dutch.body_text
    assert english.subject.startswith("Tomorrow") and "online" in english.body_text.lower()
    assert not english.attachments and "/online" in english.body_text
    assert online_en.ticket_url is None
