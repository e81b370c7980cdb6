"""Passwordless access: login links by e-mail (single use, short-lived) and manage links.

A login link carries an itsdangerous-signed random id; the `LoginLink` row makes it single use.
Opening the link (GET) only shows a button; the POST behind it uses the link and logs in, so a
mail scanner that follows links cannot burn it or log anybody in. The request for a link
answers the same whether or not the address is registered (no user enumeration).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import Invalid
from conference.extensions import db
from conference.models import Conference, User
from conference.services import current_conference
from registration import notify
from registration.links import external_url
from registration.manage_links import address_proven, valid_manage_link
from registration.models import LoginLink, Registration
from registration.validation import clean_email

LINK_MINUTES = 20
SALT = "registration.login-link"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def request_login_link(
    email: Any, next_path: str | None = None, now: datetime | None = None
) -> bool:
    """Mail a login link if `email` is registered; the caller answers the same either way.

    Returns whether a link was sent (for tests and logs, never for the person asking).
    """
    address, problem = clean_email(email)
    if problem:
        raise Invalid(fields={"email": problem})
    now = now or utcnow()
    conf = current_conference()
    reg = db.session.scalar(
        select(Registration).where(
            Registration.conference_id == conf.id,
            Registration.email == address,
            # An invited colleague answers through their invitation's link first.
            Registration.status.not_in(("canceled", "invited")),
        )
    )
    if reg is None or not reg.user.active:
        return False
    with write_transaction(db.session) as session:
        mail_login_link(session, conf, reg, now, next_path)
    return True


def mail_login_link(
    session: Session, conf: Conference, reg: Registration, now: datetime, next_path: str | None
) -> None:
    """Make a single-use login link and queue its mail, in the caller's write transaction."""
    jti = secrets.token_urlsafe(24)
    expires = now + timedelta(minutes=LINK_MINUTES)
    session.add(LoginLink(user_id=reg.user_id, jti=jti, expires_at=expires))
    payload = {"j": jti}
    if next_path:
        payload["n"] = next_path
    url = external_url("registration.login_link", token=_serializer().dumps(payload))
    notify.notify_login_link(session, conf, reg, url, LINK_MINUTES)


def _load(token: str) -> dict[str, Any] | None:
    try:
        data = _serializer().loads(token, max_age=LINK_MINUTES * 60)
    except BadSignature:  # also SignatureExpired
        return None
    return data if isinstance(data, dict) and isinstance(data.get("j"), str) else None


def check_login_link(
    token: str, now: datetime | None = None
) -> tuple[LoginLink, str | None] | None:
    """The unused, unexpired link behind `token` and its `next` path; reads only."""
    data = _load(token)
    if data is None:
        return None
    now = now or utcnow()
    link = db.session.scalar(select(LoginLink).filter_by(jti=data["j"]))
    if link is None or link.used_at is not None or link.expires_at <= now or not link.user.active:
        return None
    return link, data.get("n")


def use_login_link(token: str, now: datetime | None = None) -> tuple[User, str | None] | None:
    """Use a login link once: the account to log in and the `next` path, or None."""
    now = now or utcnow()
    checked = check_login_link(token, now)
    if checked is None:
        return None
    link, next_path = checked
    link_id, user_id = link.id, link.user_id
    with write_transaction(db.session) as session:
        # One conditional UPDATE: of two clicks racing, one logs in.
        done = session.execute(
            update(LoginLink)
            .where(LoginLink.id == link_id, LoginLink.used_at.is_(None), LoginLink.expires_at > now)
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not done:
            return None
        user = session.get(User, user_id)
        user.last_login_at = now
        address_proven(session, user, now)
    return user, next_path


def check_manage_link(raw: str, now: datetime | None = None) -> bool:
    """Whether `raw` is a live manage link (for the page that shows its button); reads only."""
    return valid_manage_link(db.session, raw, now) is not None


def use_manage_link(raw: str, now: datetime | None = None) -> User | None:
    """Open a session with a manage link (it stays usable until it is rotated or revoked)."""
    now = now or utcnow()
    with write_transaction(db.session) as session:
        link = valid_manage_link(session, raw, now)
        if link is None:
            return None
        link.last_used_at = now
        user = link.user
        user.last_login_at = now
        address_proven(session, user, now)
    return user
