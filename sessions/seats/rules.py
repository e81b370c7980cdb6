"""The rules every seat change shares: who may sit where, when booking is open, row locks.

Seats, waiting lists and the allocation all import these; nothing here imports them back.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from conference.clock import utcnow
from conference.errors import Invalid
from conference.models import Conference
from registration.models import Registration
from sessions.programme.models import Activity
from sessions.seats.errors import BookingClosed, NotRegistered, WrongMode


def fits_mode(registration_mode: str, activity: Activity) -> bool:
    """On-site activities for on-site registrations; online and hybrid ones for everyone."""
    return activity.mode != "onsite" or registration_mode == "onsite"


def booking_open(conf: Conference, activity: Activity, now: datetime | None = None) -> bool:
    """Whether attendees may book this activity themselves now (first come, first served)."""
    now = now or utcnow()
    if now >= activity.starts_at:
        return False
    if conf.allocation_mode == "preferences":
        # After the preference round: remaining seats go first come, first served.
        return conf.allocation_published_at is not None
    opens = conf.choice_opens_at or conf.registration_opens_at
    return opens <= now


def check_seat_rules(
    registration: Registration,
    activity: Activity,
    now: datetime,
    *,
    window: bool = True,
    override: bool = False,
    reason: str | None = None,
) -> None:
    """Refuse a seat the rules forbid, before anything changes.

    `override` (organisers, with a reason) skips the mode and window rules; `window=False`
    skips the booking window only (an offer, an organiser, the allocation).
    """
    if registration.status != "registered" or registration.conference_id != activity.conference_id:
        raise NotRegistered()
    if not activity.seated:
        raise Invalid(fields={"activity_id": _l("voor deze activiteit boek je geen plaats")})
    if override and not (reason or "").strip():
        raise Invalid(fields={"reason": _l("Geef een reden voor de uitzondering.")})
    if override:
        return
    if not fits_mode(registration.mode, activity):
        raise WrongMode()
    if window and not booking_open(activity.conference, activity, now):
        raise BookingClosed()


def lock_activities(session: Session, ids: list[int]) -> None:
    """On PostgreSQL, lock activity rows in id order, so swaps in opposite directions queue.

    SQLite needs nothing: a write transaction there holds the whole database (BEGIN IMMEDIATE).
    """
    ids = sorted(set(ids))
    if ids and session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(Activity.id).where(Activity.id.in_(ids)).order_by(Activity.id).with_for_update()
        )
