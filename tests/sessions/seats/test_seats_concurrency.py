"""Seats under real concurrency, on an SQLite file and on PostgreSQL (`any_db_app`)."""

from __future__ import annotations

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from conference import hooks
from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import Conflict
from conference.extensions import db
from registration.models import Registration
from sessions.seats import services as seats
from sessions.seats.models import SeatBlock, WaitlistEntry
from sessions.seats.waitlist import expire_offers
from tests.factories import attendees, open_booking, seated, set_capacity
from tests.helpers import assert_consistent, counts


def _run(app, jobs, workers: int = 32) -> list:
    """Run callables in threads, each in its own app context; their results or exceptions."""

    def call(job):
        with app.app_context():
            try:
                return job()
            except Exception as exc:
                return exc
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(call, jobs))


def test_200_bookings_for_20_seats(any_db_app):
    open_booking("fcfs")
    act = seated("workshop")[0]
    set_capacity(act, 20)
    act_id = act.id  # plain ids only: ORM objects belong to this thread's session
    people = attendees(200, "rush")
    start = threading.Barrier(32, timeout=30)

    def book(rid):
        def job():
            with contextlib.suppress(threading.BrokenBarrierError):
                start.wait()
            return seats.enroll(rid, act_id)

        return job

    results = _run(any_db_app, [book(r) for r in people])
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors[:3]
    statuses = [r.status for r in results]
    assert statuses.count("enrolled") == 20
    assert statuses.count("waitlisted") == 180
    c = assert_consistent(act.id)
    assert c["taken"] == 20 == c["seats"] == c["blocks"]
    assert c["waiting"] == 180


def test_one_person_two_activities_of_one_block_at_once(any_db_app):
    open_booking("fcfs")
    acts = seated("workshop")[:8]
    act_ids = [a.id for a in acts]
    people = attendees(5, "double")
    start = threading.Barrier(len(acts), timeout=30)

    def book(rid, act_id):
        def job():
            with contextlib.suppress(threading.BrokenBarrierError):
                start.wait()
            return seats.enroll(rid, act_id)

        return job

    for rid in people:
        start.reset()
        results = _run(any_db_app, [book(rid, a) for a in act_ids], workers=len(act_ids))
        ok = [r for r in results if not isinstance(r, Exception)]
        refused = [r for r in results if isinstance(r, Conflict)]
        assert len(ok) == 1 and ok[0].status == "enrolled", results
        assert len(refused) == len(acts) - 1
        assert {r.code for r in refused} == {"conflict"}
    db.session.rollback()
    for rid in people:
        held = db.session.scalar(
            select(func.count()).select_from(SeatBlock).filter_by(registration_id=rid)
        )
        assert held == 1
    total = sum(counts(a.id)["taken"] for a in acts)
    assert total == len(people)
    for a in acts:
        assert_consistent(a.id)


def test_cancellations_and_promotions_race(any_db_app):
    open_booking("fcfs")
    act = seated("workshop")[0]
    set_capacity(act, 5)
    holders = attendees(5, "holder")
    waiters = attendees(12, "waiter")
    newcomers = attendees(4, "late")
    for rid in holders:
        assert seats.enroll(rid, act.id).status == "enrolled"
    for rid in waiters:
        assert seats.enroll(rid, act.id).status == "waitlisted"
    act_id = act.id  # plain ids only: ORM objects belong to this thread's session

    def cancel(rid):
        def job():
            with write_transaction(db.session) as session:
                reg = session.get(Registration, rid)
                reg.status = "canceled"
                hooks.registration_canceled.send(reg, session=session)
            return "canceled"

        return job

    def accept(rid):
        def job():
            for _ in range(40):  # poll for an offer, as a person checking their mail would
                try:
                    out = seats.enroll(rid, act_id, waitlist=False)
                except Conflict as exc:
                    if exc.code != "full":
                        return exc.code
                else:
                    return out.status
                time.sleep(0.02)
            return "gave_up"

        return job

    def leave(rid):
        def job():
            time.sleep(0.05)
            try:
                return seats.leave(rid, act_id)
            except Exception as exc:
                return type(exc).__name__

        return job

    def expire():
        def job():
            done = 0
            for _ in range(5):
                done += expire_offers(utcnow() + timedelta(days=2))["expired"]
                time.sleep(0.03)
            return done

        return job

    def book(rid):
        return lambda: seats.enroll(rid, act_id).status

    jobs = [cancel(r) for r in holders]
    jobs += [accept(r) for r in waiters[:8]]
    jobs += [leave(r) for r in waiters[8:10]]
    jobs += [expire()]
    jobs += [book(r) for r in newcomers]
    results = _run(any_db_app, jobs)
    assert not [r for r in results if isinstance(r, Exception)], results
    c = assert_consistent(act_id)
    # Never a lost seat: a free, uncounted seat never sits next to someone still waiting.
    if c["taken"] < c["capacity"]:
        assert c["waiting"] == 0, c
    # Never a doubled seat: each person one seat at most here, and the seat count fits.
    db.session.rollback()
    open_entries = db.session.scalar(
        select(func.count())
        .select_from(WaitlistEntry)
        .where(
            WaitlistEntry.activity_id == act_id, WaitlistEntry.status.in_(("waiting", "offered"))
        )
    )
    assert open_entries == c["waiting"] + c["offered"]
    assert c["seats"] == c["blocks"] <= 5
