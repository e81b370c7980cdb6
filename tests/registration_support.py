"""Helpers for the registration tests: people, venue settings and the counter invariant."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from conference.db import write_transaction
from conference.extensions import db
from conference.models import Conference
from registration.models import Registration


def person(i: int = 0, **overrides: Any) -> dict[str, Any]:
    """A valid registration body for the API and the services."""
    data = {
        "email": f"persoon{i}@example.be",
        "first_name": "Persoon",
        "last_name": f"Nummer {i}",
        "profile": "practitioner",
        "mode": "onsite",
        "consent": True,
    }
    data.update(overrides)
    return data


def conference() -> Conference:
    """The conference, read fresh."""
    db.session.rollback()
    return db.session.scalar(select(Conference).order_by(Conference.id).limit(1))


def set_venue(**values: Any) -> Conference:
    """Change venue settings directly (capacity, quotas, windows) in one transaction."""
    conf = conference()
    with write_transaction(db.session):
        for key, value in values.items():
            setattr(conf, key, value)
    return conference()


def holders(conf: Conference | None = None) -> int:
    """Registrations holding an on-site place."""
    conf = conf or conference()
    return db.session.scalar(
        select(func.count()).where(
            Registration.conference_id == conf.id, Registration.holds_venue_place.is_(True)
        )
    )


def waiting(conf: Conference | None = None) -> list[Registration]:
    """The venue waiting list without places, in order."""
    conf = conf or conference()
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.conference_id == conf.id,
                Registration.status != "canceled",
                Registration.venue_waitlisted_at.is_not(None),
                Registration.holds_venue_place.is_(False),
            )
            .order_by(Registration.venue_waitlisted_at, Registration.id)
        )
    )


def assert_counters_match() -> Conference:
    """The venue counter equals the rows holding a place, within the cap."""
    conf = conference()
    held = holders(conf)
    assert conf.onsite_taken == held, (conf.onsite_taken, held)
    assert 0 <= conf.onsite_taken <= conf.onsite_capacity
    return conf
