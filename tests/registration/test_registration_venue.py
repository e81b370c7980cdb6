"""The venue waiting list (first in, first out, quotas respected), offers and their expiry."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from conference.clock import utcnow
from conference.extensions import db
from conference.models import MailMessage
from registration.account.personal_data import erase_registration, export_data
from registration.jobs import expire_venue_offers
from registration.models import Registration
from registration.services import (
    accept_offer,
    cancel_registration,
    decline_offer,
    register,
    update_registration,
)
from tests.factories import conference, person, set_venue
from tests.helpers import assert_counters_match, bearer, holders, waiting


def reg(reg_id: int) -> Registration:
    db.session.rollback()
    return db.session.get(Registration, reg_id)


def mail_kinds(reg_id: int) -> list[str]:
    return list(db.session.scalars(select(MailMessage.kind).filter_by(registration_id=reg_id)))


def test_the_waiting_list_is_first_in_first_out(any_db_app):
    set_venue(onsite_capacity=2)
    a, b = (register(person(i), venue_choice="waitlist").id for i in (1, 2))
    c, d, e = (register(person(i), venue_choice="waitlist").id for i in (3, 4, 5))
    assert [r.id for r in waiting()] == [c, d, e]

    cancel_registration(a)
    assert reg(c).holds_venue_place and reg(c).venue_offer_expires_at is not None
    assert not reg(d).holds_venue_place
    assert "venue_offer" in mail_kinds(c)
    assert accept_offer(c) == "confirmed"
    confirmed = reg(c)
    assert confirmed.status == "registered" and confirmed.mode == "onsite"
    assert confirmed.ticket is not None and confirmed.venue_waitlisted_at is None
    assert "ticket" in mail_kinds(c)

    cancel_registration(b)
    assert reg(d).holds_venue_place
    assert decline_offer(d)
    declined = reg(d)
    assert not declined.holds_venue_place and declined.venue_waitlisted_at is None
    assert declined.status == "registered" and declined.mode == "online"  # follows online
    assert reg(e).holds_venue_place  # the declined place went on at once
    assert_counters_match()


def test_an_offer_expires_and_the_place_goes_on(any_db_app):
    set_venue(onsite_capacity=1)
    a = register(person(1), venue_choice="waitlist").id
    b = register(person(2), venue_choice="waitlist").id
    c = register(person(3, mode="online"), venue_choice="waitlist").id
    update_registration(c, {"venue_waitlist": True})  # online while waiting
    cancel_registration(a)
    deadline = reg(b).venue_offer_expires_at
    assert deadline > utcnow()

    assert expire_venue_offers(utcnow()) == {"expired": 0, "promoted": 0}
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        result = expire_venue_offers(utcnow())
    assert result == {"expired": 1, "promoted": 1}
    expired = reg(b)
    assert not expired.holds_venue_place and expired.mode == "online"
    assert expired.status == "registered" and expired.venue_waitlisted_at is None
    assert "venue_offer_expired" in mail_kinds(b)
    assert reg(c).holds_venue_place and reg(c).mode == "online"  # offered, not yet confirmed
    assert_counters_match()


def test_confirming_too_late_does_not_work(any_db_app):
    set_venue(onsite_capacity=1)
    a = register(person(1), venue_choice="waitlist").id
    b = register(person(2), venue_choice="waitlist").id
    cancel_registration(a)
    with time_machine.travel(reg(b).venue_offer_expires_at + timedelta(minutes=1), tick=False):
        assert accept_offer(b) == "expired"
    assert not reg(b).holds_venue_place
    assert holders() == 0
    assert_counters_match()


def test_quotas_keep_places_and_the_waiting_list_respects_them(any_db_app):
    # 4 places, half kept for practitioners.
    set_venue(onsite_capacity=4, profile_quotas={"practitioner": 0.5})
    m1, m2 = (register(person(i, profile="manager"), venue_choice="waitlist") for i in (1, 2))
    assert (m1.status, m2.status) == ("registered", "registered")
    m3 = register(person(3, profile="manager"), venue_choice="waitlist")
    assert m3.status == "waitlisted"  # two places are free, but kept
    p1, p2 = (register(person(i), venue_choice="waitlist") for i in (4, 5))
    assert (p1.status, p2.status) == ("registered", "registered")
    p3 = register(person(6), venue_choice="waitlist")
    assert p3.status == "waitlisted"  # full now
    assert [r.id for r in waiting()] == [m3.id, p3.id]

    # A practitioner cancels: the kept place goes to the practitioner, past the manager.
    cancel_registration(p1.id)
    assert reg(p3.id).holds_venue_place
    assert not reg(m3.id).holds_venue_place
    assert_counters_match()


def test_released_quotas_open_the_kept_places(any_db_app):
    set_venue(onsite_capacity=4, profile_quotas={"practitioner": 0.5})
    for i in (1, 2):
        register(person(i, profile="manager"), venue_choice="waitlist")
    m3 = register(person(3, profile="manager"), venue_choice="waitlist")
    assert m3.status == "waitlisted" and conference().onsite_taken == 2

    set_venue(quota_release_at=utcnow() - timedelta(minutes=1))
    assert expire_venue_offers(utcnow()) == {"expired": 0, "promoted": 1}
    assert reg(m3.id).holds_venue_place
    late = register(person(4, profile="student"), venue_choice="waitlist")
    assert late.status == "registered"  # no reserve any more
    assert_counters_match()


def test_a_raised_capacity_goes_to_the_waiting_list(app, client, tokens):
    set_venue(onsite_capacity=1)
    register(person(1), venue_choice="waitlist")
    b = register(person(2), venue_choice="waitlist").id
    response = client.patch(
        "/api/v1/conference", json={"onsite_capacity": 3}, headers=bearer(tokens["organiser"])
    )
    assert response.status_code == 200
    assert reg(b).holds_venue_place
    assert holders() == 2
    assert_counters_match()


def test_lowering_the_capacity_below_the_places_taken_is_refused(app, client, tokens):
    set_venue(onsite_capacity=2)
    for i in (1, 2):
        register(person(i), venue_choice="waitlist")
    response = client.patch(
        "/api/v1/conference", json={"onsite_capacity": 1}, headers=bearer(tokens["organiser"])
    )
    assert response.status_code == 409
    assert_counters_match()


def test_export_and_erase_keep_counts_right(any_db_app):
    set_venue(onsite_capacity=1)
    a = register(
        person(1, organisation="CAW", diet="vegetarisch", accessibility_needs="rolstoel"),
        venue_choice="waitlist",
    ).id
    b = register(person(2), venue_choice="waitlist").id

    data = export_data(reg(a))
    assert data["registration"]["email"] == "persoon1@example.be"
    assert data["registration"]["diet"] == "vegetarisch"
    assert data["tickets"][0]["status"] == "active"
    assert data["emails"][0]["kind"] == "registration_confirmation"

    erase_registration(a)
    erased = reg(a)
    assert erased.status == "canceled" and erased.anonymized_at is not None
    assert "persoon1" not in erased.email and erased.first_name == "—"
    assert (
        erased.organisation is None and erased.diet is None and erased.accessibility_needs is None
    )
    assert erased.profile == "practitioner" and erased.mode == "onsite"  # kept for the counts
    assert not erased.user.active and "persoon1" not in erased.user.email
    assert mail_kinds(a) == []  # the mails held personal data
    assert reg(b).holds_venue_place  # the place went to the waiting list
    assert_counters_match()
    # The same address may register again later: it is a new account.
    again = register(person(1, mode="online"))
    assert again.new_user
