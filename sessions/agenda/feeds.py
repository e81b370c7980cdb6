"""Private calendar-feed links: a revocable token per registration, only its hash stored.

The token is an HMAC of a random salt under SECRET_KEY (256 bits). The row keeps the salt and
the SHA-256 of the token: the agenda page can show the link again, a database copy alone opens
no one's calendar, and revoking sets `revoked_at` (the link then answers 404).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from conference.clock import utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.models import hash_token
from registration.models import Registration
from sessions.agenda.models import CalendarFeed
from sessions.agenda.services import external_url


def _derive_token(salt: str) -> str:
    """The feed token for a salt: HMAC-SHA256 under SECRET_KEY (256 bits, URL-safe)."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"calendar-feed:" + salt.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _issue(session: Session, registration_id: int) -> str:
    salt = secrets.token_urlsafe(24)
    token = _derive_token(salt)
    row = CalendarFeed(registration_id=registration_id, salt=salt, token_hash=hash_token(token))
    session.add(row)
    return token


def feed_token(registration: Registration, *, create: bool = True) -> str | None:
    """The registration's current feed token (made on first use)."""
    rows = db.session.execute(
        select(CalendarFeed.salt, CalendarFeed.token_hash)
        .where(CalendarFeed.registration_id == registration.id, CalendarFeed.revoked_at.is_(None))
        .order_by(CalendarFeed.id.desc())
    ).all()
    for salt, token_hash in rows:
        token = _derive_token(salt)
        # After a SECRET_KEY change the old links keep working but cannot be shown: make a new one.
        if hmac.compare_digest(hash_token(token), token_hash):
            return token
    if not create:
        return None
    registration_id = registration.id
    with write_transaction(db.session) as session:
        return _issue(session, registration_id)


def reset_feed(registration: Registration) -> str:
    """Revoke every feed link of the registration and make a new one."""
    registration_id = registration.id
    with write_transaction(db.session) as session:
        revoke_feeds(session, registration_id)
        token = _issue(session, registration_id)
    return token


def revoke_feeds(session: Session, registration_id: int) -> None:
    """Revoke the feed links inside the caller's transaction (e.g. when data is erased)."""
    session.execute(
        update(CalendarFeed)
        .where(CalendarFeed.registration_id == registration_id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def registration_for_token(token: str) -> Registration | None:
    """The registration behind an unrevoked feed token, or None."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(Registration)
        .options(joinedload(Registration.conference))
        .join(CalendarFeed, CalendarFeed.registration_id == Registration.id)
        .where(CalendarFeed.token_hash == hash_token(token), CalendarFeed.revoked_at.is_(None))
    )


def feed_urls(registration: Registration, *, create: bool = True) -> dict[str, str] | None:
    """The private feed as https:// (or http:// in development) and webcal:// links."""
    token = feed_token(registration, create=create)
    if token is None:
        return None
    url = external_url("sessions.calendar_feed", token=token)
    return {
        "feed_url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1],
        "download_url": external_url("sessions.agenda_ics"),
    }
