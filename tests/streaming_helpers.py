"""Small factories for the streaming tests: attendees, seats, logins and times, as plain rows."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy import select

from conference.clock import utcnow
from conference.extensions import db
from conference.models import ApiToken, Conference, User
from registration.models import Registration
from sessions.programme.models import Activity
from sessions.seats.models import Seat

_counter = itertools.count(1)


def fresh() -> None:
    """End the test's read snapshot: on SQLite a write from an old snapshot is refused."""
    db.session.commit()


def conference() -> Conference:
    """The demo conference."""
    return db.session.scalar(select(Conference).order_by(Conference.id))


def make_attendee(
    mode: str = "online",
    *,
    first_name: str = "An",
    last_name: str | None = None,
    email: str | None = None,
    status: str = "registered",
    language: str = "nl",
) -> Registration:
    """A user with the attendee role and an active registration (committed)."""
    fresh()
    n = next(_counter)
    email = email or f"deelnemer{n}-{mode}@example.org"
    last_name = last_name or f"Peeters{n}"
    user = User(email=email, name=f"{first_name} {last_name}", role="attendee", language=language)
    reg = Registration(
        conference_id=conference().id,
        user=user,
        email=email,
        first_name=first_name,
        last_name=last_name,
        profile="practitioner",
        mode=mode,
        status=status,
        language=language,
        consent_at=utcnow(),
    )
    db.session.add_all([user, reg])
    db.session.commit()
    return reg


def give_seat(reg: Registration, act: Activity) -> Seat:
    """A seat row tying the registration to the activity (committed)."""
    fresh()
    seat = Seat(registration_id=reg.id, activity_id=act.id, source="organiser")
    db.session.add(seat)
    db.session.commit()
    return seat


def activity(kind: str, index: int = 0) -> Activity:
    """The index-th published activity of a kind, in time order."""
    acts = db.session.scalars(
        select(Activity)
        .where(Activity.kind == kind, Activity.published.is_(True))
        .order_by(Activity.starts_at, Activity.position, Activity.id)
    ).all()
    return acts[index]


def login(client, user: User) -> None:
    """Log a user in on a test client, as Flask-Login's session would after a login."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def token_for(user: User) -> str:
    """A bearer token of the user (committed)."""
    fresh()
    row, raw = ApiToken.issue(user, label="test")
    db.session.add(row)
    db.session.commit()
    return raw


def at(act: Activity, minutes: float = 0) -> datetime:
    """A moment relative to an activity's start."""
    return act.starts_at + timedelta(minutes=minutes)
