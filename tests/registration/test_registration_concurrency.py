"""A registration rush on a real SQLite file and on PostgreSQL: nothing oversold, lost, doubled."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from conference.extensions import db
from conference.models import User
from registration.models import Registration
from registration.services import AlreadyRegistered, cancel_registration, register
from tests.factories import conference, person, set_venue
from tests.helpers import assert_counters_match, holders, waiting


def _in_threads(app, jobs, workers=32):
    """Run each job in its own thread and app context, all at once as far as the pool allows."""

    def run(job):
        with app.app_context():
            try:
                return job()
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, jobs))


def test_200_at_once_for_the_last_20_places(any_db_app):
    set_venue(onsite_capacity=50)
    for i in range(30):
        assert register(person(i), venue_choice="waitlist").status == "registered"

    jobs = [
        (lambda i=i: register(person(1000 + i), venue_choice="waitlist").status) for i in range(200)
    ]
    statuses = Counter(_in_threads(any_db_app, jobs))

    assert statuses == {"registered": 20, "waitlisted": 180}
    conf = assert_counters_match()
    assert conf.onsite_taken == 50 == conf.onsite_capacity
    assert len(waiting(conf)) == 180
    tickets = db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.status == "registered")
    )
    assert tickets == 50


def test_20_at_once_with_one_email_make_one_registration(any_db_app):
    def attempt(i):
        try:
            register(person(7, first_name=f"Poging {i}"), venue_choice="waitlist")
        except AlreadyRegistered:
            return "already_registered"
        return "registered"

    outcomes = Counter(_in_threads(any_db_app, [lambda i=i: attempt(i) for i in range(20)]))

    assert outcomes == {"registered": 1, "already_registered": 19}
    db.session.rollback()
    email = person(7)["email"]
    assert db.session.scalar(select(func.count()).where(Registration.email == email)) == 1
    assert db.session.scalar(select(func.count()).where(User.email == email)) == 1
    assert_counters_match()


def test_cancellations_racing_new_registrations_never_lose_or_double_a_place(any_db_app):
    set_venue(onsite_capacity=10)
    first = [register(person(i), venue_choice="waitlist").id for i in range(10)]
    assert conference().onsite_taken == 10

    jobs = [lambda rid=rid: cancel_registration(rid) for rid in first]
    jobs += [
        (lambda i=i: register(person(100 + i), venue_choice="waitlist").status) for i in range(15)
    ]
    # Interleave cancels and registrations so they really race.
    order = [jobs[i // 2] if i % 2 == 0 else jobs[10 + i // 2] for i in range(20)] + jobs[20:]
    _in_threads(any_db_app, order, workers=16)

    conf = assert_counters_match()
    # Ten places were freed and fifteen people wanted one: every place is held again, by a new
    # registration or by an offer to someone from the waiting list, and five people still wait.
    assert conf.onsite_taken == 10
    newcomers = db.session.scalars(select(Registration).where(Registration.id.not_in(first))).all()
    assert len(newcomers) == 15
    assert sum(r.holds_venue_place for r in newcomers) == 10
    assert len(waiting(conf)) == 5
    assert all(
        not r.holds_venue_place
        for r in db.session.scalars(select(Registration).where(Registration.id.in_(first)))
    )


def test_quotas_hold_under_a_rush(any_db_app):
    set_venue(onsite_capacity=100, profile_quotas={"practitioner": 0.6})
    jobs = [
        (lambda i=i: register(person(i, profile="manager"), venue_choice="waitlist").status)
        for i in range(120)
    ]
    jobs += [
        (lambda i=i: register(person(500 + i), venue_choice="waitlist").status) for i in range(50)
    ]
    jobs = [job for pair in zip(jobs[:50], jobs[120:], strict=True) for job in pair] + jobs[50:120]
    _in_threads(any_db_app, jobs)

    conf = assert_counters_match()
    count = Counter(
        db.session.execute(
            select(Registration.profile, Registration.status).where(
                Registration.conference_id == conf.id
            )
        ).all()
    )
    # 60 places are kept for practitioners: managers get at most the other 40.
    assert count[("manager", "registered")] == 40
    assert count[("manager", "waitlisted")] == 80
    assert count[("practitioner", "registered")] == 50
    assert holders(conf) == 90  # ten places stay kept for practitioners until the release
