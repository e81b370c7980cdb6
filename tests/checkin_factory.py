"""Test helpers for check-in: registrations, tickets and seats made directly as rows."""

from __future__ import annotations

import itertools
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from conference.clock import utcnow
from conference.extensions import db
from conference.models import ApiToken, Conference, User
from registration.models import Registration, Ticket
from sessions.programme.models import Activity
from sessions.seats.models import Seat, SeatBlock

_counter = itertools.count(1)


def conference() -> Conference:
    """The demo conference."""
    return db.session.scalar(select(Conference).order_by(Conference.id))


def open_day(hours_before: float = 1, hours_after: float = 8) -> Conference:
    """Move the conference day around now, so the entrance is open."""
    db.session.rollback()  # end a read snapshot older than the last request's writes
    conf = conference()
    now = utcnow()
    conf.starts_at = now - timedelta(hours=hours_before)
    conf.ends_at = now + timedelta(hours=hours_after)
    db.session.commit()
    return conf


def activity(slug: str) -> Activity:
    """An activity of the demo programme by slug."""
    return db.session.scalar(select(Activity).filter_by(slug=slug))


def start_activity(slug: str, minutes_ago: float = 5, minutes_long: float = 90) -> Activity:
    """Move an activity so it started `minutes_ago` (its checkpoint is open)."""
    db.session.rollback()
    act = activity(slug)
    now = utcnow()
    act.starts_at = now - timedelta(minutes=minutes_ago)
    act.ends_at = now + timedelta(minutes=minutes_long - minutes_ago)
    db.session.commit()
    return act


def make_registration(
    *,
    first_name: str = "Ann",
    last_name: str | None = None,
    email: str | None = None,
    mode: str = "onsite",
    status: str = "registered",
    profile: str = "practitioner",
    ticket: bool = True,
) -> tuple[Registration, Ticket | None]:
    """A registration (and its ticket with a random secret) as plain rows."""
    db.session.rollback()
    n = next(_counter)
    last_name = last_name or f"Peeters{n}"
    email = email or f"person{n}-{secrets.token_hex(3)}@example.org"
    conf = conference()
    user = User(email=email, role="attendee", name=f"{first_name} {last_name}")
    reg = Registration(
        conference_id=conf.id,
        user=user,
        email=email,
        first_name=first_name,
        last_name=last_name,
        profile=profile,
        mode=mode,
        status=status,
        consent_at=utcnow(),
        holds_venue_place=mode == "onsite" and status == "registered",
        canceled_at=utcnow() if status == "canceled" else None,
    )
    db.session.add(reg)
    made = None
    if ticket:
        made = Ticket(registration=reg, secret=secrets.token_urlsafe(24))
        db.session.add(made)
    db.session.commit()
    return reg, made


def give_seat(
    reg: Registration, act: Activity, source: str = "allocation", created_at=None
) -> Seat:
    """A seat row with its block links, and the counter raised like the seat service does."""
    db.session.rollback()
    seat = Seat(registration_id=reg.id, activity_id=act.id, source=source)
    if created_at is not None:
        seat.created_at = created_at
    seat.block_links = [SeatBlock(block_id=b.id, registration_id=reg.id) for b in act.blocks]
    db.session.add(seat)
    db.session.execute(
        update(Activity).where(Activity.id == act.id).values(taken=Activity.taken + 1)
    )
    db.session.commit()
    return seat


def attendee_token(reg: Registration) -> str:
    """A bearer token of the attendee's own account."""
    token, raw = ApiToken.issue(reg.user, label="test")
    db.session.add(token)
    db.session.commit()
    return raw


def ticket_url(secret: str) -> str:
    """The URL the QR code carries."""
    return f"http://127.0.0.1:5000/t/{secret}"
