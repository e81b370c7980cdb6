"""Workshop doors: standby scans and the release of no-shows' seats (off by default)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from conference.clock import utcnow
from conference.db import write_transaction
from conference.extensions import db
from registration.checkin import jobs, services
from registration.checkin.models import Presence, Scan
from sessions.programme.models import Activity
from sessions.seats.models import Seat
from tests.factories import activity, conference, give_seat, open_day, start_activity, ticket_holder
from tests.helpers import bearer

REDEEM = "/api/v1/checkin/redeem"


def configure_release(minutes: int | None) -> None:
    db.session.rollback()
    conf = conference()
    conf.settings = {**(conf.settings or {}), "no_show_release_minutes": minutes}
    db.session.commit()


def small_workshop(capacity: int = 2, minutes_ago: float = 5) -> Activity:
    """A workshop that started `minutes_ago`, made small so it is quickly full."""
    act = start_activity("ws-diversiteit-1", minutes_ago=minutes_ago)
    act.capacity = capacity
    db.session.commit()
    return act


def scan(client, headers, secret, act, type="entry"):
    response = client.post(
        REDEEM, json={"secret": secret, "checkpoint": str(act.id), "type": type}, headers=headers
    )
    db.session.rollback()
    return response


@pytest.fixture
def staff(app, tokens):
    open_day()
    return bearer(tokens["checkin"])


def seat_holders(act: Activity) -> set[int]:
    db.session.rollback()
    return set(db.session.scalars(select(Seat.registration_id).filter_by(activity_id=act.id)))


def test_release_is_off_by_default(client, staff):
    act = small_workshop()
    assert conference().setting("no_show_release_minutes") is None
    holder, _ = ticket_holder()
    give_seat(holder, act, created_at=utcnow() - timedelta(days=3))
    _, waiting = ticket_holder()
    with time_machine.travel(utcnow() + timedelta(minutes=30)):
        answer = scan(client, staff, waiting.secret, act, type="standby")
        report = jobs.release_no_shows(utcnow())
    assert answer.status_code == 400
    assert (answer.get_json()["reason"], answer.get_json()["detail"]) == ("product", "standby_off")
    assert report["released"] == 0
    assert seat_holders(act) == {holder.id}


def test_standby_takes_a_no_shows_seat_after_the_set_time(client, staff):
    configure_release(10)
    act = small_workshop(capacity=2)
    came, came_ticket = ticket_holder()
    stayed_away, _ = ticket_holder()
    for reg in (came, stayed_away):
        give_seat(reg, act, created_at=utcnow() - timedelta(days=3))
    assert scan(client, staff, came_ticket.secret, act).status_code == 201
    _, at_the_door = ticket_holder(first_name="Wachtende")
    _, second = ticket_holder(first_name="Nog iemand")

    too_early = scan(client, staff, at_the_door.secret, act, type="standby")
    assert too_early.get_json()["detail"] == "standby_closed"

    with time_machine.travel(utcnow() + timedelta(minutes=10)):
        taken = scan(client, staff, at_the_door.secret, act, type="standby")
        assert taken.status_code == 201, taken.get_json()
        assert taken.get_json()["participant"]["name"].startswith("Wachtende")
        # No no-show left (the one who came is inside): the next person gets "full".
        full = scan(client, staff, second.secret, act, type="standby")
        assert full.status_code == 400
        assert (full.get_json()["reason"], full.get_json()["detail"]) == ("product", "full")
        # A standby scan of someone who now has a seat is a plain entry: already inside.
        again = scan(client, staff, at_the_door.secret, act, type="standby")
        assert again.get_json()["reason"] == "already_redeemed"

    holders = seat_holders(act)
    assert stayed_away.id not in holders and came.id in holders and len(holders) == 2
    db.session.rollback()
    act = db.session.get(Activity, act.id)
    assert act.taken == 2
    standby_seat = db.session.scalar(select(Seat).filter_by(activity_id=act.id, source="standby"))
    assert standby_seat is not None


def test_standby_gives_up_an_unvisited_seat_in_the_same_block(client, staff):
    configure_release(10)
    act = small_workshop(capacity=5)
    other = activity("ws-diversiteit-3")
    assert {b.id for b in other.blocks} == {b.id for b in act.blocks}
    mover, ticket = ticket_holder()
    give_seat(mover, other)
    with time_machine.travel(utcnow() + timedelta(minutes=12)):
        answer = scan(client, staff, ticket.secret, act, type="standby")
    assert answer.status_code == 201, answer.get_json()
    assert mover.id in seat_holders(act)
    assert mover.id not in seat_holders(other)
    # The answer shows the seats after the move (the scan read them with the ticket, before).
    assert [s["activity_id"] for s in answer.get_json()["participant"]["seats"]] == [act.id]


def test_standby_is_refused_for_someone_already_in_another_workshop(client, staff):
    configure_release(10)
    act = small_workshop(capacity=5)
    other = start_activity("ws-diversiteit-3")
    busy, ticket = ticket_holder()
    give_seat(busy, other)
    assert scan(client, staff, ticket.secret, other).status_code == 201
    with time_machine.travel(utcnow() + timedelta(minutes=12)):
        answer = scan(client, staff, ticket.secret, act, type="standby")
    assert (answer.get_json()["reason"], answer.get_json()["detail"]) == ("product", "conflict")
    assert busy.id in seat_holders(other)  # the savepoint kept the seat


def test_the_job_releases_only_unscanned_seats_held_before_the_release_moment(client, staff):
    configure_release(15)
    act = small_workshop(capacity=10, minutes_ago=5)
    long_ago = utcnow() - timedelta(days=3)
    came, came_ticket = ticket_holder()
    gone = [ticket_holder()[0] for _ in range(3)]
    for reg in (came, *gone):
        give_seat(reg, act, created_at=long_ago)
    assert scan(client, staff, came_ticket.secret, act).status_code == 201

    assert jobs.release_no_shows(utcnow())["released"] == 0  # not yet: 15 minutes after start
    with time_machine.travel(utcnow() + timedelta(minutes=12)):
        late, _ = ticket_holder()
        give_seat(late, act)  # taken after the release moment: kept
        report = jobs.release_no_shows(utcnow())
        assert report["released"] == 3 and report["activities"] == 1
        assert jobs.release_no_shows(utcnow())["released"] == 0  # idempotent
    assert seat_holders(act) == {came.id, late.id}
    db.session.rollback()
    assert db.session.get(Activity, act.id).taken == 2


def test_record_online_presence_is_idempotent(any_db_app):
    reg, _ = ticket_holder(mode="online")
    stream = db.session.scalar(select(Activity).filter_by(kind="online_workshop"))
    at = utcnow()
    for _ in range(3):
        with write_transaction(db.session) as session:
            services.record_online_presence(session, reg.id, stream.id, at)
    db.session.rollback()
    rows = db.session.scalars(select(Presence).filter_by(registration_id=reg.id)).all()
    assert [(p.checkpoint, p.entries) for p in rows] == [(f"online:{stream.id}", 1)]
    recorded = db.session.scalars(select(Scan).filter_by(registration_id=reg.id)).all()
    assert [(s.method, s.checkpoint, s.status) for s in recorded] == [
        ("online", f"online:{stream.id}", "ok")
    ]
