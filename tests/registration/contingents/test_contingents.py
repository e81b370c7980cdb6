"""Partner contingents on a real SQLite file and PostgreSQL: codes, counters, release, races."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from conference.extensions import db
from registration.contingents.codes import normalise
from registration.contingents.errors import CodeRefused
from registration.contingents.models import ContingentCode
from registration.contingents.services import create_contingent, release_due
from registration.models import Registration
from registration.services import cancel_registration, register
from tests.factories import conference, person, set_venue
from tests.helpers import assert_counters_match, waiting


def _in_threads(app, jobs, workers=20):
    def run(job):
        with app.app_context():
            try:
                return job()
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, jobs))


def _attempt(i: int, code: str) -> str:
    try:
        return register(person(i, code=code), venue_choice="waitlist").status
    except CodeRefused:
        return "refused"


def test_codes_are_typeable_and_forgiving(app):
    made = create_contingent(conference(), {"name": "Scholen", "places": 3, "codes": 3})
    assert len(made.codes) == 3 and len(set(made.codes)) == 3
    code = made.codes[0]
    assert len(code) == 19 and code.count("-") == 3
    typed = " " + code.lower().replace("-", " ").replace("0", "o").replace("1", "l") + " "
    assert normalise(typed) == code.replace("-", "")
    assert normalise("KORT") is None
    assert db.session.scalar(select(func.count()).select_from(ContingentCode)) == 3
    stored = db.session.scalars(select(ContingentCode.code_hash)).all()
    assert all(code.replace("-", "") not in h for h in stored)


def test_20_at_once_with_one_single_use_code_give_one_place(any_db_app):
    set_venue(onsite_capacity=30)
    code = create_contingent(conference(), {"name": "Sprekers", "places": 1, "codes": 1}).codes[0]
    jobs = [lambda i=i: _attempt(i, code) for i in range(20)]
    outcomes = Counter(_in_threads(any_db_app, jobs))
    assert outcomes == {"registered": 1, "refused": 19}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    assert_counters_match()


def test_a_shared_code_with_limit_n_used_by_n_plus_5_gives_n(any_db_app):
    set_venue(onsite_capacity=30)
    made = create_contingent(conference(), {"name": "Netwerk", "places": 10, "shared_uses": 8})
    jobs = [lambda i=i: _attempt(i, made.codes[0]) for i in range(13)]
    outcomes = Counter(_in_threads(any_db_app, jobs))
    assert outcomes == {"registered": 8, "refused": 5}
    assert_counters_match()
    assert conference().onsite_taken == 10  # two places still set aside for the partner


def test_contingent_places_are_outside_the_pool_and_come_back_once(any_db_app):
    set_venue(onsite_capacity=4)
    made = create_contingent(
        conference(), {"name": "Armoede", "places": 3, "codes": 3,
                       "release_at": (conference().starts_at - timedelta(days=1)).isoformat()},
    )  # fmt: skip
    assert register(person(1), venue_choice="waitlist").status == "registered"
    assert register(person(2), venue_choice="waitlist").status == "waitlisted"
    assert register(person(3), venue_choice="waitlist").status == "waitlisted"
    used = register(person(4, code=made.codes[0]), venue_choice="waitlist")
    assert used.status == "registered" and used.ticket_url
    # Cancelling gives the place back to the contingent, not to the waiting list.
    cancel_registration(used.id)
    assert len(waiting()) == 2
    assert_counters_match()
    again = register(person(5, code=made.codes[0]), venue_choice="waitlist")
    assert again.status == "registered"
    # At the release moment the two unused places go to the waiting list, once.
    later = conference().starts_at
    assert release_due(later) == {"contingents": 1, "places": 2}
    assert release_due(later) == {"contingents": 0, "places": 0}
    assert waiting() == []
    assert_counters_match()
    try:
        register(person(6, code=made.codes[1]), venue_choice="waitlist")
    except CodeRefused:
        pass
    else:
        raise AssertionError("a released contingent's code gave a place")


def test_not_enough_free_places_for_a_contingent(app, tokens):
    set_venue(onsite_capacity=2)
    client = app.test_client()
    answer = client.post(
        "/api/v1/contingents", json={"name": "Te groot", "places": 3},
        headers={"Authorization": f"Bearer {tokens['organiser']}"},
    )  # fmt: skip
    assert answer.status_code == 409
    assert answer.json["error"] == "not_enough_places"


def test_codes_normal_registrations_and_cancellations_at_once_keep_the_counters(any_db_app):
    set_venue(onsite_capacity=12)
    personal = create_contingent(conference(), {"name": "Gidsen", "places": 4, "codes": 4}).codes
    shared = create_contingent(conference(), {"name": "Netwerk", "places": 3}).codes[0]
    held = [register(person(i), venue_choice="waitlist") for i in range(5)]
    waiting_before = [register(person(10 + i), venue_choice="waitlist") for i in range(2)]
    assert {r.status for r in waiting_before} == {"waitlisted"}
    by_code = register(person(20, code=personal[3]), venue_choice="waitlist")
    codes = [personal[0], personal[0], personal[1], personal[2], personal[3]] + [shared] * 4
    jobs = [lambda i=i, c=c: _attempt(30 + i, c) for i, c in enumerate(codes)]
    jobs += [lambda i=i: _attempt(50 + i, "") for i in range(4)]
    jobs += [lambda r=r: cancel_registration(r.id) for r in [*held[:3], by_code]]
    outcomes = _in_threads(any_db_app, jobs, workers=8)
    code_outcomes = outcomes[: len(codes)]
    # One of the two with the same personal code, three of the four with the shared one.
    assert sorted(code_outcomes[:2]) == ["refused", "registered"]
    assert code_outcomes[2:4] == ["registered", "registered"]
    assert Counter(code_outcomes[5:]) == {"registered": 3, "refused": 1}
    conf = assert_counters_match()  # onsite_taken == holders + unused contingent places <= cap
    assert conf.onsite_taken == conf.onsite_capacity  # three freed places went to the list
    assert len(waiting()) == 2 + 4 - 3
