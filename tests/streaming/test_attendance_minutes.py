"""On-site minutes on the certificate are the overlap of presence with each part (issue 19).

A fake clock (time_machine) moves to the moments of the scans, which go through the check-in
service as at the door: a late arrival, an early leave, and both. Before the fix a person who
came in after the opening had ended was credited its full 60 minutes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine

from conference.extensions import db
from registration.checkin import services as checkin
from streaming import certificates
from tests.factories import activity_of_kind as activity
from tests.factories import attendee, conference, give_seat


def scan(reg, moment, *, checkpoint="entrance", kind="entry") -> None:
    """A scan at the door at `moment` (the clock is there, as the device's would be)."""
    with time_machine.travel(moment, tick=False):
        db.session.commit()  # a fresh snapshot for the write
        result = checkin.redeem(
            conference(), checkpoint=checkpoint, registration_id=reg.id, type=kind
        )
    assert result.http_status < 300, result.body


def minutes(reg) -> dict[str, int]:
    db.session.commit()
    return {p.title: p.minutes for p in certificates.attendance(conference(), reg)}


def test_a_late_arrival_counts_only_the_time_inside(app):
    opening, closing = activity("plenary"), activity("plenary", 1)
    reg = attendee("onsite", first_name="Laat")
    scan(reg, opening.ends_at + timedelta(minutes=10))  # the opening was over
    parts = minutes(reg)
    assert opening.title not in parts  # it was credited 60 minutes before the fix
    assert parts[closing.title] == 60


def test_an_early_leave_counts_until_the_exit(app):
    opening = activity("plenary")
    reg = attendee("onsite", first_name="Vroeg")
    scan(reg, opening.starts_at - timedelta(minutes=20))
    scan(reg, opening.starts_at + timedelta(minutes=25), kind="exit")
    parts = minutes(reg)
    assert parts == {opening.title: 25}  # the closing plenary: gone before it began


def test_late_and_early_both_and_back_again(app):
    opening, closing = activity("plenary"), activity("plenary", 1)
    reg = attendee("onsite", first_name="Beide")
    scan(reg, opening.starts_at + timedelta(minutes=15))
    scan(reg, opening.ends_at - timedelta(minutes=10), kind="exit")
    assert minutes(reg) == {opening.title: 35}
    # Back in for the last half hour of the closing plenary: that time counts too.
    scan(reg, closing.ends_at - timedelta(minutes=30))
    assert minutes(reg) == {opening.title: 35, closing.title: 30}
    # The total on the certificate adds the parts.
    db.session.commit()
    parts = certificates.attendance(conference(), reg)
    assert certificates.person_total(reg, parts) == 65


def test_a_workshop_counts_from_the_door_scan(app):
    workshop = activity("workshop")
    reg = attendee("onsite", first_name="Deur")
    give_seat(reg, workshop)
    scan(reg, conference().starts_at)
    assert minutes(reg)[workshop.title] == 90  # the door was not scanned: the whole workshop
    scan(reg, workshop.starts_at + timedelta(minutes=30), checkpoint=str(workshop.id))
    assert minutes(reg)[workshop.title] == 60  # let in half an hour late


def test_overlap_minutes():
    start = datetime(2027, 1, 21, 9, 0)
    end = start + timedelta(hours=1)
    spans = [
        (start - timedelta(hours=1), start + timedelta(minutes=10)),
        (start + timedelta(minutes=40), start + timedelta(hours=3)),
    ]
    assert certificates.overlap_minutes(start, end, spans) == 30
    assert certificates.overlap_minutes(start, end, []) == 0
