"""Held places of invited colleagues on a real SQLite file and PostgreSQL: never above the cap,
returned exactly once, and a confirmation racing the expiry loses or doubles nothing."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from conference.clock import utcnow
from conference.extensions import db
from registration.colleagues.confirm import confirm_invitation
from registration.colleagues.errors import InvitationInvalid
from registration.colleagues.holds import expire_hold
from registration.colleagues.jobs import expire_colleague_holds
from registration.colleagues.models import ColleagueInvitation
from registration.colleagues.services import invite_colleagues
from registration.models import Registration
from tests.factories import conference, register, set_venue
from tests.helpers import assert_counters_match, holders, waiting
from tests.registration.colleagues.support import (
    answers,
    colleague,
    invitation_of,
    link_token,
    registration_of,
)


def _in_threads(app, jobs, workers=16):
    def run(job):
        with app.app_context():
            try:
                return job()
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, jobs))


def _held_invitations() -> int:
    return db.session.scalar(
        select(func.count()).where(ColleagueInvitation.hold_expires_at.is_not(None))
    )


def _fill_to(capacity: int, taken: int) -> Registration:
    """A venue of `capacity` with `taken` places gone; the first person is the coordinator."""
    set_venue(onsite_capacity=capacity)
    regs = [register(i) for i in range(taken)]
    return regs[0]


def test_20_colleagues_for_the_last_10_places_hold_exactly_10(any_db_app):
    coordinator = _fill_to(12, 2)

    result = invite_colleagues(coordinator.id, [colleague(i) for i in range(20)])

    assert Counter(r["status"] for r in result) == {"invited": 20}
    conf = assert_counters_match()
    assert conf.onsite_taken == 12
    assert _held_invitations() == 10
    invited = db.session.scalar(select(func.count()).where(Registration.status == "invited"))
    assert invited == 20
    assert db.session.scalar(select(func.count()).where(Registration.consent_at.is_(None))) == 20


def test_20_coordinators_at_once_for_the_last_10_places_hold_exactly_10(any_db_app):
    set_venue(onsite_capacity=30)
    coordinators = [register(i, mode="online").id for i in range(20)]
    register(100)
    for i in range(19):
        register(200 + i)  # 20 of 30 places gone
    assert conference().onsite_taken == 20

    jobs = [
        (lambda c=c, i=i: invite_colleagues(c, [colleague(i)])[0]["status"])
        for i, c in enumerate(coordinators)
    ]
    assert Counter(_in_threads(any_db_app, jobs)) == {"invited": 20}

    conf = assert_counters_match()
    assert conf.onsite_taken == 30
    assert _held_invitations() == 10


def test_an_expired_hold_returns_its_place_exactly_once_and_promotes_the_waiting_list(
    any_db_app,
):
    coordinator = _fill_to(3, 2)
    invite_colleagues(coordinator.id, [colleague(1)])
    late = register(50, venue="waitlist")
    assert late.status == "waitlisted" and conference().onsite_taken == 3
    later = utcnow() + timedelta(hours=49)

    first = expire_colleague_holds(later)
    second = expire_colleague_holds(later)

    assert (first, second) == ({"expired": 1}, {"expired": 0})
    assert invitation_of("collega1@example.be").status == "expired"
    assert not registration_of("collega1@example.be").holds_venue_place
    # The place went to the first person waiting, as a freed place does (an offer).
    assert registration_of(late.email).holds_venue_place
    conf = assert_counters_match()
    assert conf.onsite_taken == 3


def test_the_expiry_job_running_concurrently_returns_each_place_once(any_db_app):
    coordinator = _fill_to(8, 1)
    invite_colleagues(coordinator.id, [colleague(i) for i in range(6)])
    assert conference().onsite_taken == 7
    ids = db.session.scalars(select(ColleagueInvitation.id)).all()
    later = utcnow() + timedelta(hours=49)

    jobs = [lambda i=i: expire_hold(i, later) for i in ids for _ in range(4)]
    results = _in_threads(any_db_app, jobs)

    assert sum(results) == 6
    conf = assert_counters_match()
    assert conf.onsite_taken == 1


def test_confirming_while_the_hold_expires_loses_or_doubles_nothing(any_db_app):
    coordinator = _fill_to(10, 1)
    emails = [f"collega{i}@example.be" for i in range(6)]
    invite_colleagues(coordinator.id, [colleague(i) for i in range(6)])
    tokens = [link_token(e) for e in emails]
    ids = [invitation_of(e).id for e in emails]
    # At the edge: the hold runs out now, while each colleague confirms.
    edge = invitation_of(emails[0]).hold_expires_at

    def confirming(i):
        try:
            return confirm_invitation(tokens[i], answers(i), now=edge)
        except InvitationInvalid:
            return "gone"

    jobs = []
    for i in range(6):
        jobs += [lambda i=i: confirming(i), lambda i=i: expire_hold(ids[i], edge)]
    _in_threads(any_db_app, jobs)

    conf = assert_counters_match()
    placed = [registration_of(e) for e in emails]
    for reg in placed:
        assert reg.status in ("registered", "waitlisted"), reg.status
        assert reg.consent_at is not None
        # Either the hold held (a ticket) or it ran out first (the waiting list, maybe an offer).
        if reg.status == "registered":
            assert reg.holds_venue_place and reg.ticket is not None
    assert conf.onsite_taken == holders(conf) <= 10
    assert len(waiting(conf)) + sum(r.holds_venue_place for r in placed) == 6


def test_a_colleague_confirming_after_the_expiry_joins_the_waiting_list(any_db_app):
    coordinator = _fill_to(2, 1)
    invite_colleagues(coordinator.id, [colleague(1)])
    token = link_token("collega1@example.be")
    register(60, venue="waitlist")  # full now: someone else waits
    later = utcnow() + timedelta(hours=49)
    expire_colleague_holds(later)  # the place goes to the person waiting

    outcome = confirm_invitation(token, answers(1), now=later)

    assert outcome == "waitlisted"
    reg = registration_of("collega1@example.be")
    assert reg.status == "waitlisted" and not reg.holds_venue_place
    assert reg in waiting(conference())
    assert_counters_match()


def test_an_online_colleague_holds_nothing_and_a_full_venue_holds_nothing(any_db_app):
    coordinator = _fill_to(1, 1)

    invite_colleagues(coordinator.id, [colleague(1), colleague(2, mode="online")])

    assert _held_invitations() == 0
    assert conference().onsite_taken == 1
    assert confirm_invitation(link_token("collega2@example.be"), answers(2, mode="online")) == (
        "online"
    )
    assert confirm_invitation(link_token("collega1@example.be"), answers(1)) == "waitlisted"
    assert_counters_match()
