"""Seats first come, first served: booking, clear refusals, swap, leave, moves, the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conference import hooks
from conference.db import write_transaction
from conference.errors import Conflict, Invalid
from conference.extensions import db
from conference.models import User
from sessions.seats import services as seats
from sessions.seats.models import Seat, SeatLog
from tests.factories import activity, attendee, open_booking, seated, set_capacity, token_for
from tests.helpers import assert_consistent, bearer, counts, mails


@pytest.fixture
def fcfs(app):
    return open_booking("fcfs")


def test_book_until_full_then_waitlist(fcfs):
    act = seated("workshop")[0]
    set_capacity(act, 2)
    people = [attendee(email=f"b{k}@example.org") for k in range(4)]
    assert seats.enroll(people[0].id, act.id).status == "enrolled"
    assert seats.enroll(people[1].id, act.id).status == "enrolled"
    out = seats.enroll(people[2].id, act.id)
    assert (out.status, out.position) == ("waitlisted", 1)
    assert seats.enroll(people[3].id, act.id).position == 2
    with pytest.raises(Conflict) as exc:
        seats.enroll(people[3].id, act.id, waitlist=False)
    assert exc.value.code == "full"
    c = assert_consistent(act.id)
    assert (c["taken"], c["seats"], c["waiting"]) == (2, 2, 2)
    assert len(mails("seat_confirmation")) == 2


def test_clear_refusals(fcfs):
    onsite = seated("workshop")[0]
    other = seated("workshop")[1]
    online = attendee(email="online@example.org", mode="online")
    person = attendee(email="person@example.org")
    with pytest.raises(Conflict) as exc:
        seats.enroll(online.id, onsite.id)
    assert exc.value.code == "wrong_mode"
    # An online workshop fits everyone.
    ow = seated("online_workshop")[0]
    assert seats.enroll(online.id, ow.id).status == "enrolled"
    assert seats.enroll(person.id, onsite.id).status == "enrolled"
    with pytest.raises(Conflict) as exc:
        seats.enroll(person.id, other.id)
    assert exc.value.code == "conflict"
    assert seats.enroll(person.id, onsite.id).status == "already"
    # Preference mode before publishing: booking is closed.
    conf = fcfs
    conf.allocation_mode = "preferences"
    db.session.commit()
    with pytest.raises(Conflict) as exc:
        seats.enroll(attendee(email="late@example.org").id, other.id)
    assert exc.value.code == "closed"
    assert_consistent(onsite.id)


def test_spanning_visit_takes_both_blocks(fcfs):
    walk = activity("bezoek-stadswandeling")
    assert len(walk.blocks) == 2
    person = attendee(email="walker@example.org")
    seats.enroll(person.id, walk.id)
    for block_index in (0, 1):
        with pytest.raises(Conflict) as exc:
            seats.enroll(person.id, seated("workshop", block_index)[0].id)
        assert exc.value.code == "conflict"
    assert counts(walk.id)["blocks"] == 2


def test_swap_keeps_the_first_seat_when_the_second_is_full(fcfs):
    first, full = seated("workshop")[:2]
    set_capacity(full, 1)
    holder = attendee(email="holder@example.org")
    seats.enroll(holder.id, full.id)
    person = attendee(email="swapper@example.org")
    seats.enroll(person.id, first.id)
    with pytest.raises(Conflict) as exc:
        seats.enroll(person.id, full.id, replace_activity_id=first.id, waitlist=False)
    assert exc.value.code == "full"
    out = seats.enroll(person.id, full.id, replace_activity_id=first.id)
    assert out.status == "waitlisted"
    db.session.rollback()
    assert (
        db.session.scalar(select(Seat).filter_by(registration_id=person.id)).activity_id == first.id
    )
    # The holder leaves: the swapper gets an offer; accepting gives up the first seat.
    seats.leave(holder.id, full.id)
    assert counts(full.id)["offered"] == 1
    out = seats.enroll(person.id, full.id)
    assert out.status == "enrolled" and out.released == [first.id]
    for act in (first, full):
        assert_consistent(act.id)
    assert counts(full.id)["seats"] == 1 and counts(first.id)["seats"] == 0


def test_swap_when_there_is_room(fcfs):
    a, b = seated("workshop")[:2]
    person = attendee(email="s@example.org")
    seats.enroll(person.id, a.id)
    out = seats.enroll(person.id, b.id, replace_activity_id=a.id)
    assert out.status == "enrolled" and out.released == [a.id]
    assert counts(a.id)["taken"] == 0 and counts(b.id)["taken"] == 1


def test_move_checks_capacity_and_logs_overrides(fcfs, tokens):
    organiser = db.session.scalar(select(User).filter_by(email="organiser@example.org"))
    a, b = seated("workshop")[:2]
    set_capacity(b, 1)
    online = attendee(email="o@example.org", mode="online")
    holder = attendee(email="h@example.org")
    seats.enroll(holder.id, b.id)
    person = attendee(email="m@example.org")
    seats.enroll(person.id, a.id)
    with pytest.raises(Conflict) as exc:
        seats.move_person(person.id, b.id, actor_id=organiser.id, override=True, reason="VIP")
    assert exc.value.code == "full"  # an override never passes the capacity
    assert counts(a.id)["seats"] == 1  # nothing changed
    with pytest.raises(Conflict) as exc:
        seats.move_person(online.id, a.id, actor_id=organiser.id)
    assert exc.value.code == "wrong_mode"
    with pytest.raises(Invalid):
        seats.move_person(online.id, a.id, actor_id=organiser.id, override=True, reason=" ")
    seats.move_person(online.id, a.id, actor_id=organiser.id, override=True, reason="tolk mee")
    log = db.session.scalars(select(SeatLog).filter_by(registration_id=online.id)).all()
    assert [(x.action, x.override, x.reason) for x in log] == [("take", True, "tolk mee")]
    assert_consistent(a.id)


def test_api_enrollments(fcfs, client):
    act = seated("workshop")[0]
    set_capacity(act, 1)
    first = attendee(email="api1@example.org")
    second = attendee(email="api2@example.org")
    h1, h2 = bearer(token_for(first)), bearer(token_for(second))
    r = client.post("/api/v1/me/enrollments", json={"activity_id": act.id}, headers=h1)
    assert r.status_code == 201 and r.get_json()["status"] == "enrolled"
    r = client.post("/api/v1/me/enrollments", json={"activity_id": act.id}, headers=h2)
    assert r.status_code == 200 and r.get_json() == {"status": "waitlisted", "position": 1}
    r = client.get("/api/v1/me/enrollments", headers=h2)
    assert r.get_json()["items"] == [{"activity_id": act.id, "status": "waitlisted"}]
    other = seated("workshop")[1]
    r = client.post("/api/v1/me/enrollments", json={"activity_id": other.id}, headers=h1)
    assert r.status_code == 409 and r.get_json()["error"] == "conflict"
    r = client.post("/api/v1/me/enrollments", json={"activity_id": "x"}, headers=h1)
    assert r.status_code == 422
    r = client.delete(f"/api/v1/me/enrollments/{act.id}", headers=h1)
    assert r.status_code == 204
    r = client.get("/api/v1/me/enrollments", headers=h2)
    assert r.get_json()["items"] == [{"activity_id": act.id, "status": "offered"}]
    r = client.post("/api/v1/me/enrollments", json={"activity_id": act.id}, headers=h2)
    assert r.status_code == 201
    assert client.delete(f"/api/v1/me/enrollments/{act.id}", headers=h1).status_code == 404
    assert client.post("/api/v1/me/enrollments", json={"activity_id": act.id}).status_code == 401
    assert_consistent(act.id)


def test_api_wrong_mode_and_closed(app, client):
    online = attendee(email="on@example.org", mode="online")
    act = seated("workshop")[0]
    h = bearer(token_for(online))
    r = client.post("/api/v1/me/enrollments", json={"activity_id": act.id}, headers=h)
    assert r.status_code == 409 and r.get_json()["error"] == "wrong_mode"
    ow = seated("online_workshop")[0]
    r = client.post("/api/v1/me/enrollments", json={"activity_id": ow.id}, headers=h)
    # Preference round (the default) and not published yet: booking is closed.
    assert r.status_code == 409 and r.get_json()["error"] == "closed"
    assert r.get_json()["message"]


def test_registration_canceled_frees_seats_and_promotes(fcfs):
    act = seated("workshop")[0]
    set_capacity(act, 1)
    holder = attendee(email="c1@example.org")
    waiter = attendee(email="c2@example.org")
    seats.enroll(holder.id, act.id)
    seats.enroll(waiter.id, act.id)
    with write_transaction(db.session) as session:
        reg = session.get(type(holder), holder.id)
        reg.status = "canceled"
        hooks.registration_canceled.send(reg, session=session)
    c = assert_consistent(act.id)
    assert (c["seats"], c["offered"], c["taken"]) == (0, 1, 1)
    offer = mails("seat_offer")
    assert len(offer) == 1 and offer[0].to_address == "c2@example.org"
    assert "/plaatsen/aanbod/" in offer[0].body_text


def test_mode_change_releases_onsite_seats(fcfs):
    onsite, ow = seated("workshop")[0], seated("online_workshop")[0]
    person = attendee(email="mc@example.org")
    seats.enroll(person.id, onsite.id)
    other_block = seated("online_workshop", 1)[0]
    seats.enroll(person.id, other_block.id)
    with write_transaction(db.session) as session:
        reg = session.get(type(person), person.id)
        reg.mode = "online"
        hooks.registration_mode_changed.send(
            reg, old_mode="onsite", new_mode="online", session=session
        )
    assert counts(onsite.id)["seats"] == 0 and counts(onsite.id)["taken"] == 0
    assert counts(other_block.id)["seats"] == 1
    assert seats.enroll(person.id, ow.id).status == "enrolled"


def test_capacity_raise_offers_seats_to_the_waiting_list(fcfs, client, tokens):
    act = seated("workshop")[0]
    set_capacity(act, 1)
    people = [attendee(email=f"r{k}@example.org") for k in range(4)]
    for p in people:
        seats.enroll(p.id, act.id)
    r = client.patch(
        f"/api/v1/activities/{act.id}", json={"capacity": 3}, headers=bearer(tokens["organiser"])
    )
    assert r.status_code == 200
    c = assert_consistent(act.id)
    assert (c["seats"], c["offered"], c["waiting"], c["taken"]) == (1, 2, 1, 3)
    r = client.patch(
        f"/api/v1/activities/{act.id}", json={"capacity": 2}, headers=bearer(tokens["organiser"])
    )
    assert r.status_code == 409 and r.get_json()["error"] == "below_taken"


def test_seat_summary_provider(fcfs):
    act = seated("workshop")[0]
    person = attendee(email="sum@example.org")
    seats.enroll(person.id, act.id)
    assert seats.seat_summary(person) == [{"activity_id": act.id, "status": "enrolled"}]
