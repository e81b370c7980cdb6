"""Small factories for the agenda and calendar tests: people, seats and follows as plain rows."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from conference.clock import utcnow
from conference.extensions import db
from conference.models import Conference, User
from registration.models import Registration, Ticket
from sessions.agenda.models import Follow
from sessions.programme.models import Activity
from sessions.seats.models import Seat, SeatBlock

_counter = itertools.count(1)


def conference() -> Conference:
    """The loaded conference."""
    return db.session.scalar(select(Conference).order_by(Conference.id))


def activity(slug: str) -> Activity:
    """An activity by slug."""
    return db.session.scalar(select(Activity).filter_by(slug=slug))


def attendee(
    *,
    mode: str = "onsite",
    status: str = "registered",
    language: str = "nl",
    first_name: str = "An",
    last_name: str | None = None,
    email: str | None = None,
    ticket: bool = True,
) -> Registration:
    """A user with role attendee and a registration (with an active ticket when on site)."""
    db.session.rollback()  # a fresh snapshot: SQLite cannot upgrade a read that a request outran
    n = next(_counter)
    email = email or f"deelnemer{n}@example.org"
    user = User(email=email, role="attendee", name=first_name, language=language)
    reg = Registration(
        conference_id=conference().id,
        user=user,
        email=email,
        first_name=first_name,
        last_name=last_name or f"Peeters{n}",
        profile="practitioner",
        mode=mode,
        status=status,
        language=language,
        consent_at=utcnow(),
        holds_venue_place=mode == "onsite" and status == "registered",
    )
    db.session.add_all([user, reg])
    if ticket and mode == "onsite" and status == "registered":
        db.session.add(Ticket(registration=reg))
    db.session.commit()
    return reg


def give_seat(reg: Registration, slug: str, source: str = "organiser") -> Seat:
    """A seat (with its block rows and the counter), as the seat services leave it."""
    db.session.rollback()
    act = activity(slug)
    seat = Seat(registration_id=reg.id, activity_id=act.id, source=source)
    seat.block_links = [SeatBlock(block_id=b.id, registration_id=reg.id) for b in act.blocks]
    act.taken += 1
    db.session.add(seat)
    db.session.commit()
    return seat


def drop_seat(reg: Registration, slug: str) -> None:
    """Give a seat up with an ORM delete (as `sessions.seats.release_seat` does)."""
    db.session.rollback()
    act = activity(slug)
    seat = db.session.scalar(select(Seat).filter_by(registration_id=reg.id, activity_id=act.id))
    act.taken -= 1
    db.session.delete(seat)
    db.session.commit()


def follow(reg: Registration, slug: str) -> Follow:
    """A follow row."""
    db.session.rollback()
    row = Follow(registration_id=reg.id, activity_id=activity(slug).id)
    db.session.add(row)
    db.session.commit()
    return row


def login(client, reg: Registration) -> None:
    """Log the test client in as the registration's account."""
    with client.session_transaction() as sess:
        sess["_user_id"] = reg.user.get_id()
        sess["_fresh"] = True


def token_for(reg: Registration) -> dict[str, str]:
    """An attendee bearer token (API calls with it need no CSRF token) as a header."""
    from conference.models import ApiToken

    db.session.rollback()
    row, raw = ApiToken.issue(reg.user)
    db.session.add(row)
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}
