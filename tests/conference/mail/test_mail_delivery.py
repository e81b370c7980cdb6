"""The outbox sender against a real SMTP server (aiosmtpd): once each, retried, nothing lost."""

from __future__ import annotations

import io
import logging
import threading
from datetime import timedelta

import pytest
import zxingcpp
from aiosmtpd.controller import Controller
from PIL import Image
from sqlalchemy import select

from conference.clock import utcnow
from conference.extensions import db
from conference.mail.delivery import SmtpSettings, deliver_due
from conference.models import MailMessage
from registration.models import Registration
from registration.services import register
from tests.factories import person, set_venue
from tests.helpers import manage_path
from tests.support.smtp import Inbox, free_port


def decode_qr(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_one_confirmation_per_registration_with_a_readable_qr(app, smtp):
    onsite = [register(person(i), venue_choice="waitlist") for i in range(3)]
    online = register(person(9, mode="online"))

    assert deliver_due() == {"sent": 4, "retry": 0, "failed": 0, "skipped": 0, "suppressed": 0}
    assert deliver_due()["sent"] == 0  # nothing twice

    by_address = {str(m["To"]): m for m in smtp.messages}
    assert len(smtp.messages) == 4 and len(by_address) == 4
    for result in onsite:
        message = by_address[f"persoon{onsite.index(result)}@example.be"]
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        # Each mail carries its own person's link (a link token, not the API token).
        assert "cid:ticket-qr" in html and manage_path(result.id) in text
        assert result.token not in text
        inline = [p for p in message.walk() if p["Content-ID"] == "<ticket-qr>"]
        assert len(inline) == 1
        assert decode_qr(inline[0].get_content()) == [result.ticket_url]
        files = [p for p in message.iter_attachments() if p.get_filename() == "ticket.png"]
        assert decode_qr(files[0].get_content()) == [result.ticket_url]
        assert result.ticket_url.startswith(app.config["BASE_URL"] + "/t/")
    no_ticket = by_address["persoon9@example.be"]
    assert not [p for p in no_ticket.walk() if p.get_content_type() == "image/png"]
    assert manage_path(online.id) in no_ticket.get_body(("plain",)).get_content()
    db.session.rollback()
    rows = db.session.scalars(select(MailMessage)).all()
    assert {r.status for r in rows} == {"sent"} and all(r.attempts == 1 for r in rows)


def test_a_refused_delivery_is_retried_later_and_nothing_is_lost(app, smtp):
    smtp.refuse = 1
    result = register(person(1))

    first = deliver_due()
    assert first == {"sent": 0, "retry": 1, "failed": 0, "skipped": 0, "suppressed": 0}
    db.session.rollback()
    row = db.session.scalar(select(MailMessage).filter_by(registration_id=result.id))
    assert row.status == "pending" and row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at > utcnow()
    assert deliver_due()["sent"] == 0  # not due yet: backoff

    later = utcnow() + timedelta(minutes=5)
    assert deliver_due(now=later)["sent"] == 1
    assert smtp.attempts == 2 and len(smtp.messages) == 1
    db.session.rollback()
    row = db.session.get(MailMessage, row.id)
    assert row.status == "sent" and row.attempts == 2 and row.sent_at is not None
    assert deliver_due(now=later + timedelta(hours=1))["sent"] == 0


def test_a_server_that_is_down_delays_mail_without_losing_it(app):
    dead = free_port()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{dead}"
    register(person(1))
    register(person(2, mode="online"))
    counts = deliver_due()
    assert counts["retry"] == 1 and counts["sent"] == 0  # the run stops at the first failure

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=dead)
    controller.start()
    try:
        assert deliver_due(now=utcnow() + timedelta(minutes=5))["sent"] == 2
    finally:
        controller.stop()
    assert len(inbox.messages) == 2


def test_a_permanent_refusal_is_marked_failed(app, smtp):
    smtp.refuse, smtp.reply = 1, "550 5.1.1 Onbekende ontvanger"
    register(person(1))
    assert deliver_due()["failed"] == 1
    db.session.rollback()
    row = db.session.scalar(select(MailMessage))
    assert row.status == "failed" and "550" in row.last_error


def test_two_senders_never_send_one_message_twice(any_db_app, smtp_server):
    app, smtp = any_db_app, smtp_server
    app.config["SMTP_URL"] = smtp.url
    for i in range(12):
        register(person(i, mode="online"))

    results = []

    def sender():
        with app.app_context():
            try:
                results.append(deliver_due(limit=100))
            except Exception as exc:
                results.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["sent"] for r in results) == 12
    assert len(smtp.messages) == 12
    assert len({str(m["Message-ID"]) for m in smtp.messages}) == 12
    assert len({str(m["To"]) for m in smtp.messages}) == 12


def test_without_smtp_url_the_mail_goes_to_the_log(app, caplog):
    """On a laptop (MAIL_LOG_BODIES, `make run`) the whole mail is logged, links and all."""
    app.config["SMTP_URL"] = ""
    app.config["MAIL_LOG_BODIES"] = True
    register(person(1, mode="online"))
    with caplog.at_level(logging.INFO, logger="conference.mail"):
        assert deliver_due()["sent"] == 1
    assert "persoon1@example.be" in caplog.text


def test_mail_follows_the_registration_language(app, smtp):
    set_venue(onsite_capacity=10)
    register(person(1, language="en", mode="online"))
    deliver_due()
    message = smtp.messages[0]
    assert 'lang="en"' in message.get_body(("html",)).get_content()
    db.session.rollback()
    assert db.session.scalar(select(Registration.language)) == "en"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://127.0.0.1:1025", ("127.0.0.1", 1025, False, False, None, None)),
        ("smtps://mail.example.be", ("mail.example.be", 465, True, False, None, None)),
        (
            "smtp://user%40x.be:p%3Ass@mail.example.be:587?starttls=1",
            ("mail.example.be", 587, False, True, "user@x.be", "p:ss"),
        ),
    ],
)
def test_smtp_url(url, expected):
    s = SmtpSettings.from_url(url)
    assert (s.host, s.port, s.ssl, s.starttls, s.username, s.password) == expected


def test_a_bad_smtp_url_says_so():
    with pytest.raises(ValueError, match="smtp://"):
        SmtpSettings.from_url("http://mail.example.be")
