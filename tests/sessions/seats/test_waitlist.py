"""Waiting lists: offers that reserve a seat, the mail and its links, expiry, declines."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from conference.clock import utcnow
from conference.extensions import db
from conference.mail.delivery import deliver_due
from sessions.seats import services as seats
from sessions.seats.jobs import expire_seat_offers
from sessions.seats.models import WaitlistEntry
from sessions.seats.waitlist import offer_token
from tests.factories import attendee, open_booking, seated, set_capacity
from tests.helpers import assert_consistent, counts, mails


@pytest.fixture
def full_workshop(app):
    open_booking("fcfs")
    act = seated("workshop")[0]
    set_capacity(act, 1)
    holder = attendee(email="holder@example.org")
    first = attendee(email="first@example.org")
    second = attendee(email="second@example.org")
    seats.enroll(holder.id, act.id)
    seats.enroll(first.id, act.id)
    seats.enroll(second.id, act.id)
    return act, holder, first, second


def _entry(reg_id, act_id) -> WaitlistEntry:
    db.session.rollback()
    return db.session.scalar(
        select(WaitlistEntry)
        .filter_by(registration_id=reg_id, activity_id=act_id)
        .order_by(WaitlistEntry.id.desc())
    )


def test_offer_mail_over_smtp_and_accept_link(full_workshop, app, client, smtp_server):
    act, holder, first, _second = full_workshop
    seats.leave(holder.id, act.id)
    app.config["SMTP_URL"] = smtp_server.url
    deliver_due()
    offers = [m.raw for m in smtp_server.messages if b"first@example.org" in m.raw]
    assert len(offers) == 1
    text = offers[0].decode("utf-8", "replace").replace("=\r\n", "").replace("=\n", "")
    link = re.search(r"http://127\.0\.0\.1:5000(/plaatsen/aanbod/[\w.\-]+)", text)
    assert link, text
    page = client.get(link.group(1))
    assert page.status_code == 200
    assert "Ja, ik neem deze plaats" in page.get_data(as_text=True)
    # The link needs no login; GET changed nothing; POST accepts.
    assert counts(act.id)["seats"] == 0
    r = client.post(link.group(1), data={"action": "accept"})
    assert r.status_code == 302
    c = assert_consistent(act.id)
    assert (c["seats"], c["offered"], c["waiting"]) == (1, 0, 1)
    assert _entry(first.id, act.id).status == "accepted"
    assert len(mails("seat_confirmation")) == 2  # the holder's first booking, then this one


def test_decline_passes_the_seat_on(full_workshop, client):
    act, holder, first, second = full_workshop
    seats.leave(holder.id, act.id)

    token = offer_token(_entry(first.id, act.id))
    r = client.post(f"/plaatsen/aanbod/{token}", data={"action": "decline"})
    assert r.status_code == 302
    assert _entry(first.id, act.id).status == "declined"
    assert _entry(second.id, act.id).status == "offered"
    assert [m.to_address for m in mails("seat_offer")] == [
        "first@example.org",
        "second@example.org",
    ]
    assert_consistent(act.id)
    assert client.get("/plaatsen/aanbod/forged-token").status_code == 404


def test_offers_expire_and_move_down_the_queue(full_workshop):
    act, holder, first, second = full_workshop
    seats.leave(holder.id, act.id)
    offered = _entry(first.id, act.id)
    deadline = offered.offer_expires_at
    assert deadline <= utcnow() + timedelta(hours=24, minutes=1)
    assert expire_seat_offers(utcnow()) == {"expired": 0}
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        assert expire_seat_offers(utcnow()) == {"expired": 1}
        assert _entry(first.id, act.id).status == "expired"
        assert _entry(second.id, act.id).status == "offered"
        assert_consistent(act.id)
        # The late person can no longer accept: the seat is reserved for the next one.
        out = seats.enroll(first.id, act.id)
        assert out.status == "waitlisted"
    second_deadline = _entry(second.id, act.id).offer_expires_at
    with time_machine.travel(second_deadline + timedelta(minutes=1), tick=False):
        expire_seat_offers(utcnow())
        # first joined again, so the seat goes back to them
        assert _entry(first.id, act.id).status == "offered"
        assert_consistent(act.id)


def test_no_offer_once_the_activity_has_started(full_workshop):
    act, holder, _first, _second = full_workshop
    with time_machine.travel(act.starts_at + timedelta(minutes=5), tick=False):
        seats.leave(holder.id, act.id)
    c = assert_consistent(act.id)
    assert (c["taken"], c["offered"], c["waiting"]) == (0, 0, 2)


def test_leaving_the_waiting_list(full_workshop, client):
    act, _holder, first, second = full_workshop
    assert seats.leave(first.id, act.id) == "left_waitlist"
    assert seats.enroll(second.id, act.id).position == 1
    with pytest.raises(Exception):  # noqa: B017  (NotFound)
        seats.leave(first.id, act.id)
