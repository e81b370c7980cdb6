"""Scheduled job bodies of registration (the scheduler process calls them with the time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select

from conference.db import write_transaction
from conference.extensions import db
from conference.models import Conference
from registration.models import LoginLink, ManageLink, Registration
from registration.services import expire_offer, fill_venue


def expire_venue_offers(now: datetime) -> dict[str, Any]:
    """Expire unconfirmed venue offers and offer free places to the next people waiting.

    The second part also catches places that became free without a cancellation: profile
    quotas released at `quota_release_at`, or quotas changed by an organiser.
    """
    overdue = db.session.scalars(
        select(Registration.id)
        .where(
            Registration.holds_venue_place.is_(True),
            Registration.venue_offer_expires_at.is_not(None),
            Registration.venue_offer_expires_at <= now,
            Registration.status != "canceled",
        )
        .order_by(Registration.venue_offer_expires_at, Registration.id)
    ).all()
    expired = promoted = 0
    for reg_id in overdue:
        offered = expire_offer(reg_id, now)
        if offered is not None:
            expired += 1
            promoted += offered
    for conf in db.session.scalars(select(Conference)).all():
        waiting = db.session.scalar(
            select(func.count()).where(
                Registration.conference_id == conf.id,
                Registration.status != "canceled",
                Registration.venue_waitlisted_at.is_not(None),
                Registration.holds_venue_place.is_(False),
            )
        )
        if waiting and conf.onsite_taken < conf.onsite_capacity:
            promoted += fill_venue(conf.id, now)
    db.session.rollback()
    return {"expired": expired, "promoted": promoted}


def purge_login_links(now: datetime) -> dict[str, Any]:
    """Delete login-link records a day past their expiry: they can never log anyone in again;
    the same for manage links past their expiry or revoked a month ago."""
    with write_transaction(db.session) as session:
        gone = session.execute(
            delete(LoginLink).where(LoginLink.expires_at < now - timedelta(days=1))
        ).rowcount
        links = session.execute(
            delete(ManageLink).where(
                or_(
                    ManageLink.expires_at < now - timedelta(days=1),
                    ManageLink.revoked_at < now - timedelta(days=30),
                )
            )
        ).rowcount
    return {"purged": gone + links}
