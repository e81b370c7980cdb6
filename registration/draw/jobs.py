"""The draw's scheduled job: draw at `draw_at` when the organiser has not published yet."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from conference.errors import DomainError
from conference.extensions import db
from conference.models import Conference
from registration.draw import services


def draw_when_due(now: datetime) -> dict[str, Any]:
    """Publish the draw of every conference whose draw moment passed without one."""
    due = db.session.scalars(
        select(Conference.id).where(
            Conference.venue_mode == "draw",
            Conference.draw_published_at.is_(None),
            Conference.draw_at.is_not(None),
            Conference.draw_at <= now,
        )
    ).all()
    db.session.rollback()
    drawn = 0
    for conference_id in due:
        try:
            services.publish(conference_id, now)
            drawn += 1
        except DomainError:  # published meanwhile by the organiser: nothing left to do
            db.session.rollback()
    return {"drawn": drawn}
