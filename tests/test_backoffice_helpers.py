"""Helpers for the back-office tests (no tests here): people, seats, staff, logins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from conference.extensions import db
from conference.models import AuditEntry, User
from registration.models import Registration
from sessions.programme.models import Activity


def person(i: int, **overrides: Any) -> dict[str, Any]:
    """A valid registration body."""
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


def register(i: int, **overrides: Any) -> Registration:
    """Register a person through the registration service; the row, read fresh."""
    from registration.services import register as register_service

    venue = overrides.pop("venue", None)
    result = register_service(person(i, **overrides), venue_choice=venue)
    db.session.rollback()
    return db.session.get(Registration, result.id)


def staff(role: str = "organiser") -> User:
    """The staff account of the `tokens` fixture for a role."""
    return db.session.scalar(select(User).filter_by(email=f"{role}@example.org"))


def activity(slug: str) -> Activity:
    """An activity by slug, read fresh."""
    db.session.rollback()
    return db.session.scalar(select(Activity).filter_by(slug=slug))


def give_seat(reg_id: int, slug: str) -> None:
    """A seat through the seats engineer's organiser move (capacity-checked)."""
    from sessions.seats.services import move_person

    move_person(reg_id, activity(slug).id, actor_id=staff().id)
    db.session.rollback()


def audit_entries(action: str | None = None) -> list[AuditEntry]:
    """Audit entries, oldest first, read fresh."""
    db.session.rollback()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.filter_by(action=action)
    return list(db.session.scalars(query))


def login(client, role: str = "organiser") -> None:
    """Log the test client in through the staff login page (cookie session)."""
    response = client.post(
        "/beheer/login",
        data={"email": f"{role}@example.org", "password": f"wachtwoord-{role}"},
    )
    assert response.status_code == 302, response.status_code
