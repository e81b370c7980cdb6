"""Scheduled job bodies of colleague invitations (the scheduler calls them with the time)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from conference.extensions import db
from registration.colleagues.holds import expire_hold
from registration.colleagues.models import ColleagueInvitation


def expire_colleague_holds(now: datetime) -> dict[str, int]:
    """Scheduler job: return the places of holds that ran out (each once) to the pool."""
    due = db.session.scalars(
        select(ColleagueInvitation.id)
        .where(
            ColleagueInvitation.status == "invited",
            ColleagueInvitation.hold_expires_at <= now,
        )
        .order_by(ColleagueInvitation.hold_expires_at, ColleagueInvitation.id)
    ).all()
    db.session.rollback()
    return {"expired": sum(expire_hold(invitation_id, now) for invitation_id in due)}
