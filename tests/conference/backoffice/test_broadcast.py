"""Broadcasts: an audience gets the message exactly once, through the outbox and real SMTP."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conference.backoffice import broadcasts
from conference.backoffice.models import Broadcast, BroadcastRecipient
from conference.errors import Conflict, Invalid
from conference.extensions import db
from conference.mail.delivery import deliver_due
from registration.services import cancel_registration
from sessions.seats.models import WaitlistEntry
from tests.factories import activity, conference, give_seat, register, set_venue, staff
from tests.helpers import audit_entries, login, mails


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


@pytest.fixture
def crowd(app, tokens):
    """On site (two with a workshop seat), online, the venue waiting list, and a canceled one."""
    people = {
        "ann": register(1, first_name="Ann", language="nl"),
        "bert": register(2, first_name="Bert", language="en"),
        "cato": register(3, first_name="Cato"),
        "dirk": register(4, first_name="Dirk", mode="online"),
        "els": register(5, first_name="Els", mode="online"),
        "gone": register(6, first_name="Gone"),
    }
    cancel_registration(people["gone"].id)
    give_seat(people["ann"].id, "ws-diversiteit-1", by=staff())
    give_seat(people["bert"].id, "ws-diversiteit-1", by=staff())
    set_venue(onsite_capacity=3)  # full now: the next on-site person waits
    people["wait"] = register(7, first_name="Wanda", venue="waitlist")
    db.session.rollback()
    return people


def _drain() -> None:
    """Deliver the outbox as the scheduler does, until nothing is due."""
    for _ in range(10):
        if not deliver_due(limit=100)["sent"]:
            return


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


def test_onsite_broadcast_reaches_exactly_its_audience_once(app, smtp, crowd):
    _drain()  # the registration confirmations first
    smtp.messages.clear()
    sent = _send(
        conference(), audience="onsite", subject_en="Practical news", body_en="In English."
    )
    assert sent.recipient_count == 3
    _drain()
    expected = sorted(crowd[k].email for k in ("ann", "bert", "cato"))
    assert smtp.recipients() == expected
    by_address = {m.envelope_to[0]: m for m in smtp.messages}
    ann = by_address[crowd["ann"].email]
    assert ann["Subject"] == "Praktisch nieuws"
    text = ann.get_body(("plain",)).get_content()
    assert "Beste Ann," in text and "Tweede alinea met é, ë en ï." in text
    html = ann.get_body(("html",)).get_content()
    assert "<p>Eerste alinea.</p>" in html
    assert by_address[crowd["bert"].email]["Subject"] == "Practical news"  # Bert chose English
    # Sending again is refused, and delivering again sends nothing new.
    with pytest.raises(Conflict):
        broadcasts.send(conference(), sent.id, actor=staff())
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
    sent = _send(conference(), audience=audience, activity_id=act.id)
    addresses = sorted(m.to_address for m in mails("broadcast"))
    assert addresses == sorted(crowd[k].email for k in who)
    assert sent.recipient_count == len(who)
    assert crowd["gone"].email not in addresses  # canceled people never get a broadcast


def test_activity_waitlist_audience(app, crowd):
    act = activity("ws-diversiteit-3")
    db.session.add(WaitlistEntry(activity_id=act.id, registration_id=crowd["cato"].id))
    db.session.add(
        WaitlistEntry(activity_id=act.id, registration_id=crowd["dirk"].id, status="declined")
    )
    db.session.commit()
    _send(conference(), audience="activity_waitlist", activity_id=act.id)
    assert [m.to_address for m in mails("broadcast")] == [crowd["cato"].email]


def test_two_drafts_are_two_messages_but_one_draft_is_never_sent_twice(app, crowd):
    first = _send(conference(), audience="online")
    second = _send(conference(), audience="online")
    assert first.id != second.id
    assert len(mails("broadcast")) == 4
    keys = {m.dedupe_key for m in mails("broadcast")}
    assert keys == {
        f"broadcast:{b}:{crowd[p].id}" for b in (first.id, second.id) for p in ("dirk", "els")
    }


def test_draft_validation(app, tokens):
    with pytest.raises(Invalid) as error:
        broadcasts.save_draft(
            conference(), {"audience": "activity_seats", "subject": "", "body": ""}, actor=staff()
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
    assert mails("broadcast") == []  # nothing is sent by a preview
    broadcast_id = int(preview_url.rstrip("/").rsplit("/", 1)[1])
    client.post(f"/beheer/berichten/{broadcast_id}/versturen")
    client.post(f"/beheer/berichten/{broadcast_id}/versturen")  # a double click
    assert len(mails("broadcast")) == 2
    page = client.get(preview_url).get_data(as_text=True)
    assert crowd["dirk"].email in page and crowd["els"].email in page
    assert "Link naar de stream" in client.get("/beheer/berichten").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(BroadcastRecipient)) == 2
