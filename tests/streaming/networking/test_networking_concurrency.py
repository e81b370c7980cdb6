"""Races on a real SQLite file and on PostgreSQL: themed-table places and meeting tables hold."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from conference.errors import DomainError
from conference.extensions import db
from registration.models import Registration
from sessions.programme.models import Theme
from streaming.networking import meetings, slots, tables
from streaming.networking.models import Meeting, NetworkSlot, SlotCommitment, TableBooking
from tests.factories import attendees, conference, fresh
from tests.streaming.networking.support import default_slots, person


def _in_threads(app, jobs, workers=16):
    """Run each job in its own thread and app context, all at once as far as the pool allows."""

    def run(job):
        with app.app_context():
            try:
                return job()
            except DomainError as exc:
                return exc.code
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, jobs))


def _as(registration_id: int, action, *args):
    """A job: load the person in the thread's own session, then act."""
    return lambda: action(db.session.get(Registration, registration_id), *args) and "ok"


def test_thirty_bookers_for_eight_places_at_a_themed_table(any_db_app):
    slot = default_slots()[0]
    theme = db.session.scalar(select(Theme).order_by(Theme.position))
    table = tables.add_table(
        conference(),
        {"slot_id": slot.id, "theme_id": theme.id, "title": "Buurtwerk", "capacity": 8},
    )
    people = attendees(30, "tafel")

    outcomes = Counter(_in_threads(any_db_app, [_as(p, tables.book, table.id) for p in people]))

    assert outcomes == {"ok": 8, "full": 22}
    fresh()
    bookings = db.session.scalar(select(func.count()).select_from(TableBooking))
    assert bookings == 8 == db.session.get(type(table), table.id).taken


def test_one_person_booking_two_tables_at_once_gets_one(any_db_app):
    slot = default_slots()[0]
    theme_ids = db.session.scalars(select(Theme.id).order_by(Theme.position)).all()
    made = [
        tables.add_table(
            conference(), {"slot_id": slot.id, "theme_id": t, "title": f"T{t}", "capacity": 5}
        ).id
        for t in theme_ids[:4]
    ]
    [who] = attendees(1, "dubbel")

    outcomes = Counter(_in_threads(any_db_app, [_as(who, tables.book, t) for t in made * 3]))

    assert outcomes["ok"] == 1 and outcomes["busy"] == 11
    fresh()
    assert db.session.scalar(select(func.count()).select_from(SlotCommitment)) == 1


def test_meetings_racing_for_the_last_table_never_share_one(any_db_app):
    slot = default_slots()[0]
    slots.set_tables(conference(), slot.id, 3)
    pairs = [(person(), person()) for _ in range(8)]
    requests = [meetings.request_meeting(a, {"with": b.id, "slot": slot.id}).id for a, b in pairs]
    invitees = [b.id for _a, b in pairs]

    jobs = [_as(b, meetings.accept, m) for b, m in zip(invitees, requests, strict=True)]
    outcomes = Counter(_in_threads(any_db_app, jobs))

    assert outcomes == {"ok": 3, "full": 5}
    fresh()
    tables_used = db.session.scalars(
        select(Meeting.table_no).where(Meeting.status == "accepted")
    ).all()
    assert sorted(tables_used) == [1, 2, 3]
    assert db.session.get(NetworkSlot, slot.id).tables_taken == 3


def test_one_person_accepting_many_meetings_at_once_is_in_one(any_db_app):
    slot = default_slots()[0]
    invitee = person()
    askers = [person() for _ in range(6)]
    requests = [
        meetings.request_meeting(a, {"with": invitee.id, "slot": slot.id}).id for a in askers
    ]

    outcomes = Counter(
        _in_threads(any_db_app, [_as(invitee.id, meetings.accept, m) for m in requests])
    )

    assert outcomes == {"ok": 1, "busy": 5}
    fresh()
    assert (
        db.session.scalar(
            select(func.count()).select_from(Meeting).where(Meeting.status == "accepted")
        )
        == 1
    )
    assert db.session.get(NetworkSlot, slot.id).tables_taken == 1
