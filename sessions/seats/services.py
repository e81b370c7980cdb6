"""Seat services that own their transaction: book (or swap, or queue), leave, move a person.

Each locks the person, then the activities in id order (see `rules.lock_activities`), and
builds on `seating.take_seat` / `release_seat`, so capacity holds under any race.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from conference import audit
from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import NotFound
from conference.extensions import db
from conference.validation import MAX_ID
from registration.models import Registration
from sessions.programme.models import Activity
from sessions.seats.errors import ActivityFull, AlreadySeated, BlockTaken, NotEnrolled
from sessions.seats.mail import queue_seat_mail
from sessions.seats.models import Seat, WaitlistEntry
from sessions.seats.rules import check_seat_rules, lock_activities
from sessions.seats.seating import log_seat, release_seat, seats_in_blocks, take_seat
from sessions.seats.waitlist import OPEN, cancel_entry, join_waitlist, open_entry, position


@dataclass
class Outcome:
    """What a booking did: enrolled (new or already), or waitlisted at a position."""

    status: str  # "enrolled" | "already" | "waitlisted"
    seat: Seat | None = None
    position: int | None = None
    released: list[int] | None = None  # activity ids given up for it (a swap)


def _registration(session: Session, registration_id: int) -> Registration:
    # Person first, then activities: the same order as a cancellation, so the two never deadlock.
    reg = session.scalar(
        select(Registration).filter_by(id=registration_id).with_for_update(),
        execution_options={"populate_existing": True},
    )
    if reg is None:
        raise NotFound()
    return reg


def _activity(session: Session, reg: Registration, activity_id: int) -> Activity:
    # An id beyond an INTEGER column cannot exist (and PostgreSQL would refuse the query).
    act = session.get(Activity, activity_id) if 0 < activity_id <= MAX_ID else None
    if act is None or act.conference_id != reg.conference_id or not act.published:
        raise NotFound(_l("Die activiteit bestaat niet."))
    return act


def enroll(
    registration_id: int,
    activity_id: int,
    *,
    replace_activity_id: int | None = None,
    waitlist: bool = True,
    now: datetime | None = None,
) -> Outcome:
    """Book a seat first come, first served; when full, join the waiting list instead.

    With `replace_activity_id` it is a swap in one step: the old seat goes only when the new one
    is certain, so a full activity never costs the first seat. An open waiting-list offer for
    this activity is accepted (giving up a seat at the same time, as the offer said).
    """
    now = now or utcnow()
    with write_transaction(db.session) as session:
        reg = _registration(session, registration_id)
        act = _activity(session, reg, activity_id)
        held = seats_in_blocks(session, reg.id, [b.id for b in act.blocks])
        seat = next((s for s in held if s.activity_id == act.id), None)
        if seat is not None:
            return Outcome("already", seat=seat)
        lock_activities(session, [act.id, *(s.activity_id for s in held)])
        session.refresh(act)
        offered = _live_offer(session, reg, act, now)
        give_up = _seats_to_give_up(held, replace_activity_id, offered is not None)
        check_seat_rules(reg, act, now, window=offered is None)
        if offered is None and act.capacity is not None and act.taken >= act.capacity:
            if not waitlist:
                raise ActivityFull()
            # A place in the queue; a seat the person holds stays until the offer is accepted.
            entry = join_waitlist(session, reg, act, now=now)
            return Outcome("waitlisted", position=position(session, entry))
        released = []
        for seat in give_up:
            released.append(seat.activity_id)
            release_seat(session, seat, reason="swap", now=now)
        seat = take_seat(session, reg, act, source="waitlist" if offered else "booking", now=now)
        queue_seat_mail(session, reg, "seat_confirmation", activity=act, released=released)
        return Outcome("enrolled", seat=seat, released=released)


def _live_offer(
    session: Session, reg: Registration, act: Activity, now: datetime
) -> WaitlistEntry | None:
    """The person's open offer for this activity; one past its deadline is closed first."""
    offered = session.scalar(
        select(WaitlistEntry).filter_by(
            activity_id=act.id, registration_id=reg.id, status="offered"
        )
    )
    if offered is not None and offered.offer_expires_at <= now:
        # Expired but not yet swept by the job: pass the seat on first, then book as anyone.
        cancel_entry(session, offered, status="expired", now=now)
        session.refresh(act)
        return None
    return offered


def _seats_to_give_up(held: list[Seat], replace_activity_id: int | None, offer: bool) -> list[Seat]:
    """The overlapping seats a booking frees: all of them in a swap or an accepted offer."""
    if replace_activity_id is not None:
        if not any(s.activity_id == replace_activity_id for s in held):
            raise NotEnrolled()
        return held  # a long walk may overlap two seats: both give way, as the page said
    if offer:
        return held  # accepting an offer: overlapping seats give way (the mail said so)
    if held:
        raise BlockTaken()
    return []


def leave(registration_id: int, activity_id: int, *, now: datetime | None = None) -> str:
    """Give up a seat or a place on the waiting list; returns "released" or "left_waitlist"."""
    with write_transaction(db.session) as session:
        reg = _registration(session, registration_id)
        act = _activity(session, reg, activity_id)
        seat = session.scalar(select(Seat).filter_by(registration_id=reg.id, activity_id=act.id))
        if seat is not None:
            release_seat(session, seat, reason="attendee", now=now)
            return "released"
        entry = open_entry(session, reg.id, act.id)
        if entry is None:
            raise NotFound(
                _l("Je hebt geen plaats en staat niet op de wachtlijst van deze activiteit.")
            )
        cancel_entry(session, entry, status="canceled", now=now)
        return "left_waitlist"


def move_person(
    registration_id: int,
    to_activity_id: int,
    *,
    actor_id: int,
    override: bool = False,
    reason: str | None = None,
    now: datetime | None = None,
) -> Seat:
    """An organiser moves a person to an activity: the seats it overlaps are freed, capacity holds.

    `override` skips the mode and window rules only, and needs a reason (logged).
    """
    now = now or utcnow()
    with write_transaction(db.session) as session:
        reg = _registration(session, registration_id)
        act = _activity(session, reg, to_activity_id)
        held = seats_in_blocks(session, reg.id, [b.id for b in act.blocks])
        if any(s.activity_id == act.id for s in held):
            raise AlreadySeated(_l("Deze persoon heeft daar al een plaats."))
        lock_activities(session, [act.id, *(s.activity_id for s in held)])
        session.refresh(act)
        has_offer = session.scalar(
            select(WaitlistEntry.id).filter_by(
                activity_id=act.id, registration_id=reg.id, status="offered"
            )
        )
        if act.capacity is not None and act.taken >= act.capacity and not has_offer:
            # Checked before freeing anything, so a refused move changes nothing.
            raise ActivityFull()
        for seat in held:
            log_seat(
                session, reg.id, seat.activity_id, "move_out",
                source=seat.source, override=override, reason=reason, actor_id=actor_id,
            )  # fmt: skip
            release_seat(session, seat, reason="moved", now=now)
        seat = take_seat(
            session, reg, act, source="organiser",
            override=override, reason=reason, actor_id=actor_id, now=now,
        )  # fmt: skip
        audit.record(
            session, actor=actor_id, action="seat.move", target_type="registration",
            target_id=reg.id, before={"activity_ids": [s.activity_id for s in held]},
            after={"activity_id": act.id, "override": override}, reason=reason,
        )  # fmt: skip
        queue_seat_mail(
            session, reg, "seat_confirmation", activity=act, released=[s.activity_id for s in held]
        )
        return seat


def seat_summary(registration: Registration) -> list[dict]:
    """The person's seats and waiting-list places for `GET /api/v1/me`."""
    rows = [
        {"activity_id": s.activity_id, "status": "enrolled"}
        for s in db.session.scalars(
            select(Seat).filter_by(registration_id=registration.id).order_by(Seat.activity_id)
        )
    ]
    rows += [
        {
            "activity_id": e.activity_id,
            "status": "offered" if e.status == "offered" else "waitlisted",
        }
        for e in db.session.scalars(
            select(WaitlistEntry)
            .where(
                WaitlistEntry.registration_id == registration.id,
                WaitlistEntry.status.in_(OPEN),
            )
            .order_by(WaitlistEntry.activity_id)
        )
    ]
    return rows
