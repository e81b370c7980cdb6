"""Broadcasts: an audience gets the message exactly once, through the outbox and real SMTP."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from conference.backoffice import broadcasts
from conference.backoffice.models import Broadcast, BroadcastRecipient
from conference.errors import Conflict
from conference.extensions import db
from conference.mail.outbox import deliver_due
from conference.models import MailMessage
from registration.services import cancel_registration
from tests.test_backoffice_helpers import activity, audit_entries, give_seat, login, register, staff


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def recipients(self) -> list[str]:
        return sorted(address for rcpt, _ in self.messages for address in rcpt)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    yield inbox
    controller.stop()


@pytest.fixture
def crowd(app, tokens):
    """On site (two with a workshop seat), online, the venue waiting list, and a canceled one."""
    from tests.registration_support import set_venue

    people = {
        "ann": register(1, first_name="Ann", language="nl"),
        "bert": register(2, first_name="Bert", language="en"),
        "cato": register(3, first_name="Cato"),
        "dirk": register(4, first_name="Dirk", mode="online"),
        "els": register(5, first_name="Els", mode="online"),
        "gone": register(6, first_name="Gone"),
    }
    cancel_registration(people["gone"].id)
    give_seat(people["ann"].id, "ws-diversiteit-1")
    give_seat(people["bert"].id, "ws-diversiteit-1")
    set_venue(onsite_capacity=3)  # full now: the next on-site person waits
    people["wait"] = register(7, first_name="Wanda", venue="waitlist")
    db.session.rollback()
    return people


def _drain() -> None:
    """Deliver the outbox as the scheduler does, until nothing is due."""
    for _ in range(10):
        if not deliver_due(limit=100)["sent"]:
            return


def _mails(kind: str = "broadcast") -> list[MailMessage]:
    db.session.rollback()
    return list(db.session.scalars(select(MailMessage).filter_by(kind=kind)))


def _send(conf, *, audience: str, activity_id=None, **texts) -> Broadcast:
    data = {
        "audience": audience,
        "activity_id": activity_id,
        "subject": "Praktisch nieuws",
        "body": "Eerste alinea.\n\nTweede alinea met é, ë en ï.",
    }
    data.update(texts)
    draft = broadcasts.save_draft(conf, data, actor=staff())
    broadcasts.send(conf, draft.id, actor=staff())
    db.session.rollback()
    return db.session.get(Broadcast, draft.id)


def _conf():
    from conference.services import current_conference

    return current_conference()


def test_onsite_broadcast_reaches_exactly_its_audience_once(app, smtp, crowd):
    _drain()  # the registration confirmations first
    smtp.messages.clear()
    sent = _send(_conf(), audience="onsite", subject_en="Practical news", body_en="In English.")
    assert sent.recipient_count == 3
    _drain()
    expected = sorted(crowd[k].email for k in ("ann", "bert", "cato"))
    assert smtp.recipients() == expected
    by_address = {rcpt[0]: message for rcpt, message in smtp.messages}
    ann = by_address[crowd["ann"].email]
    assert ann["Subject"] == "Praktisch nieuws"
    text = ann.get_body(("plain",)).get_content()
    assert "Beste Ann," in text and "Tweede alinea met é, ë en ï." in text
    html = ann.get_body(("html",)).get_content()
    assert "<p>Eerste alinea.</p>" in html
    assert by_address[crowd["bert"].email]["Subject"] == "Practical news"  # Bert chose English
    # Sending again is refused, and delivering again sends nothing new.
    with pytest.raises(Conflict):
        broadcasts.send(_conf(), sent.id, actor=staff())
    _drain()
    assert len(smtp.messages) == 3
    recipients = db.session.scalars(
        select(BroadcastRecipient).filter_by(broadcast_id=sent.id)
    ).all()
    assert sorted(r.email for r in recipients) == expected
    assert all(r.mail_message_id for r in recipients)
    [entry] = audit_entries("broadcast.send")
    assert entry.after["recipients"] == 3 and entry.actor_email == "organiser@example.org"


@pytest.mark.parametrize(
    ("audience", "who"),
    [
        ("everyone", ("ann", "bert", "cato", "dirk", "els", "wait")),
        ("online", ("dirk", "els")),
        ("venue_waitlist", ("wait",)),
        ("activity_seats", ("ann", "bert")),
    ],
)
def test_each_audience(app, crowd, audience, who):
    act = activity("ws-diversiteit-1")
    sent = _send(_conf(), audience=audience, activity_id=act.id)
    addresses = sorted(m.to_address for m in _mails())
    assert addresses == sorted(crowd[k].email for k in who)
    assert sent.recipient_count == len(who)
    assert crowd["gone"].email not in addresses  # canceled people never get a broadcast


def test_activity_waitlist_audience(app, crowd):
    from sessions.seats.models import WaitlistEntry

    act = activity("ws-diversiteit-3")
    db.session.add(WaitlistEntry(activity_id=act.id, registration_id=crowd["cato"].id))
    db.session.add(
        WaitlistEntry(activity_id=act.id, registration_id=crowd["dirk"].id, status="declined")
    )
    db.session.commit()
    _send(_conf(), audience="activity_waitlist", activity_id=act.id)
    assert [m.to_address for m in _mails()] == [crowd["cato"].email]


def test_two_drafts_are_two_messages_but_one_draft_is_never_sent_twice(app, crowd):
    first = _send(_conf(), audience="online")
    second = _send(_conf(), audience="online")
    assert first.id != second.id
    assert len(_mails()) == 4
    keys = {m.dedupe_key for m in _mails()}
    assert keys == {
        f"broadcast:{b}:{crowd[p].id}" for b in (first.id, second.id) for p in ("dirk", "els")
    }


def test_draft_validation(app, tokens):
    from conference.errors import Invalid

    with pytest.raises(Invalid) as error:
        broadcasts.save_draft(
            _conf(), {"audience": "activity_seats", "subject": "", "body": ""}, actor=staff()
        )
    assert set(error.value.fields) == {"activity", "subject", "body"}


def test_broadcast_screens_preview_then_send(app, client, crowd):
    login(client)
    assert client.get("/beheer/berichten/nieuw").status_code == 200
    response = client.post(
        "/beheer/berichten/nieuw",
        data={
            "audience": "online",
            "subject": "Link naar de stream",
            "body": "Tot morgen!",
        },
    )
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "Versturen naar 2 personen" in page and "Beste Dirk," in page
    assert _mails() == []  # nothing is sent by a preview
    broadcast_id = int(preview_url.rstrip("/").rsplit("/", 1)[1])
    client.post(f"/beheer/berichten/{broadcast_id}/versturen")
    client.post(f"/beheer/berichten/{broadcast_id}/versturen")  # a double click
    assert len(_mails()) == 2
    page = client.get(preview_url).get_data(as_text=True)
    assert crowd["dirk"].email in page and crowd["els"].email in page
    assert "Link naar de stream" in client.get("/beheer/berichten").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(BroadcastRecipient)) == 2
