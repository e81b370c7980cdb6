"""The organisation cap after the draw, on a real SQLite file and PostgreSQL: offers from the
waiting list pass over a person whose organisation holds the cap, who keeps their turn."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from conference.clock import utcnow
from conference.extensions import db
from conference.services import update_conference
from registration.draw import services as draw
from registration.draw.merges import add_merge
from registration.services import cancel_registration
from tests.factories import conference, fresh, register, set_venue
from tests.helpers import assert_counters_match, waiting

CAW = ("CAW Antwerpen", "caw antwerpen vzw", "C.A.W. Antwerpen")


def _after_the_draw(capacity: int, holders: list[str], waiters: list[str], cap: int) -> tuple:
    """A full venue of `holders` (organisations), `waiters` in line, then a published draw."""
    set_venue(onsite_capacity=capacity)
    held = [register(i, organisation=org) for i, org in enumerate(holders)]
    line = [register(100 + i, organisation=org, venue="waitlist") for i, org in enumerate(waiters)]
    assert [r.status for r in line] == ["waitlisted"] * len(line)
    update_conference(conference(), {"venue_mode": "draw", "draw_at": None})
    db.session.commit()
    update_conference(conference(), {"organisation_cap": cap})
    db.session.commit()
    draw.publish(conference().id, utcnow())
    return held, line


def _offered(regs) -> list[bool]:
    fresh()
    return [db.session.get(type(r), r.id).holds_venue_place for r in regs]


def test_a_full_organisation_is_passed_over_and_keeps_its_turn(any_db_app):
    held, line = _after_the_draw(3, [CAW[0], CAW[1], "Org X"], [CAW[2], "Org Y"], cap=2)

    cancel_registration(held[2].id)  # Org X frees a place: CAW holds 2, so Org Y gets it

    assert _offered(line) == [False, True]
    assert [r.id for r in waiting()] == [line[0].id]  # still first in line
    cancel_registration(held[0].id)  # a CAW place frees up: now it is their turn
    assert _offered(line) == [True, True]
    assert assert_counters_match().onsite_taken == 3


def test_organisers_merges_count_for_the_cap(any_db_app):
    held, line = _after_the_draw(
        3, ["Centrum Algemeen Welzijnswerk Antwerpen", CAW[0], "Org X"], [CAW[1], "Org Y"], cap=2
    )
    add_merge(conference().id, "Centrum Algemeen Welzijnswerk Antwerpen", "CAW Antwerpen")

    cancel_registration(held[2].id)

    assert _offered(line) == [False, True]


def test_without_the_draw_mode_the_cap_does_not_touch_offers(any_db_app):
    set_venue(onsite_capacity=2, organisation_cap=1)
    held = [register(0, organisation=CAW[0]), register(1, organisation="Org X")]
    late = register(100, organisation=CAW[1], venue="waitlist")
    cancel_registration(held[1].id)
    assert _offered([late]) == [True]


def test_two_places_freed_at_once_for_one_organisation_at_the_cap_minus_one(any_db_app):
    held, line = _after_the_draw(
        4, [CAW[0], "Org X", "Org Y", "Org Z"], [CAW[1], CAW[2], "Org W"], cap=2
    )

    def cancel(reg_id: int) -> bool:
        with any_db_app.app_context():
            try:
                return cancel_registration(reg_id)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(cancel, [held[1].id, held[2].id])) == [True, True]

    # One CAW person reaches the cap; the other keeps their turn; Org W gets the second place.
    assert _offered(line) == [True, False, True]
    assert [r.id for r in waiting()] == [line[1].id]
    assert assert_counters_match().onsite_taken == 4
