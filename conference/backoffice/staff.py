"""Staff accounts: invite by mail (a one-time set-password link), roles, deactivation, tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from conference import audit
from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import AccountInactive, Forbidden, Invalid, NotFound
from conference.extensions import db
from conference.mail.outbox import queue_mail
from conference.models import STAFF_ROLES, ApiToken, User
from conference.services import current_conference

INVITE_SALT = "staff-set-password"
INVITE_MAX_AGE = 7 * 24 * 3600
MIN_PASSWORD = 12


def staff_accounts() -> list[User]:
    """Every staff account, active ones first."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_(STAFF_ROLES))
            .order_by(User.active.desc(), User.role, User.email)
        )
    )


def staff_account(user_id: int) -> User:
    """A staff account, or 404 (attendee accounts are not managed here)."""
    user = db.session.get(User, user_id)
    if user is None or user.role not in STAFF_ROLES:
        raise NotFound()
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITE_SALT)


def _fingerprint(user: User) -> str:
    """Changes when the password is set or the sessions are reset: that spends the link."""
    material = f"{user.session_version}:{user.password_hash or ''}".encode()
    return hashlib.sha256(material).hexdigest()[:24]


def invite_token(user: User) -> str:
    """A signed one-time link token for `user` (with a random part, valid 7 days)."""
    payload = {"u": user.id, "f": _fingerprint(user), "n": secrets.token_urlsafe(16)}
    return _serializer().dumps(payload)


def user_for_invite(token: str) -> User:
    """The account a set-password link is for; Invalid when expired, used or forged."""
    return _check_invite(token)[0]


def _check_invite(token: str) -> tuple[User, str]:
    try:
        payload = _serializer().loads(token, max_age=INVITE_MAX_AGE)
    except SignatureExpired as exc:
        raise Invalid(_l("Deze link is verlopen. Vraag een organisator om een nieuwe.")) from exc
    except BadSignature as exc:
        raise Invalid(_l("Deze link is ongeldig of al gebruikt.")) from exc
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) else None
    if user is None or not user.is_staff or payload.get("f") != _fingerprint(user):
        raise Invalid(_l("Deze link is ongeldig of al gebruikt."))
    return user, payload["f"]


def invite_staff(
    *, email: str, role: str, name: str | None, actor: Any, link_for: Callable[[str], str]
) -> User:
    """Create (or re-invite) a staff account and mail it a link to choose a password."""
    email = email.strip().lower()
    if role not in STAFF_ROLES:
        raise Invalid(fields={"role": _l("kies een rol")})
    with write_transaction(db.session) as session:
        user = session.scalar(select(User).where(func.lower(User.email) == email))
        before, revoked = None, 0
        if user is None:
            user = User(email=email, role=role, name=name or None, active=True)
            session.add(user)
            action = "staff.invite"
        else:
            if user.id == getattr(actor, "id", None):
                raise Forbidden(_l("Je kunt jezelf niet opnieuw uitnodigen."))
            before = {"role": user.role, "active": user.active}
            user.role, user.active = role, True
            user.name = name or user.name
            # A new link spends the old one and logs out the account's browsers; the tokens
            # it had (an attendee's, from a registration or a mail) end: staff get new ones.
            user.session_version += 1
            revoked = _revoke_all(session, user)
            action = "staff.reinvite"
        session.flush()
        conf = current_conference(required=False)
        queue_mail(
            to=user.email,
            template="staff_invite",
            language=user.language or "nl",
            context={
                "link": link_for(invite_token(user)),
                "role": role,
                "name": user.name,
                "conf_name": conf.name if conf else None,
                "days": INVITE_MAX_AGE // 86400,
            },
            kind="staff_invite",
            session=session,
        )
        audit.record(
            session,
            actor=actor,
            action=action,
            target_type="user",
            target_id=user.id,
            before=before,
            after={"email": user.email, "role": role, "active": True}
            | ({"tokens_revoked": revoked} if revoked else {}),
        )
    return user


def set_password(token: str, password: str) -> User:
    """Use a set-password link once: store the password, log out other browsers."""
    if len(password) < MIN_PASSWORD:
        raise Invalid(fields={"password": _l("kies minstens %(n)s tekens", n=MIN_PASSWORD)})
    user, fingerprint = _check_invite(token)
    with write_transaction(db.session) as session:
        # Checked again under a row lock: of two uses of one link, one wins.
        session.refresh(user, with_for_update=True)
        if _fingerprint(user) != fingerprint:
            raise Invalid(_l("Deze link is ongeldig of al gebruikt."))
        user.set_password(password)
        user.session_version += 1
        audit.record(
            session, actor=user, action="staff.set_password", target_type="user", target_id=user.id
        )
    return user


def change_role(user_id: int, role: str, *, actor: Any, reason: str | None = None) -> User:
    """Give a staff member another staff role; nobody changes their own role."""
    if role not in STAFF_ROLES:
        raise Invalid(fields={"role": _l("kies een rol")})
    user = staff_account(user_id)
    if user.id == getattr(actor, "id", None):
        raise Forbidden(_l("Je kunt je eigen rol niet wijzigen."))
    with write_transaction(db.session) as session:
        session.refresh(user)
        old = user.role
        if old == role:
            return user
        user.role = role
        user.session_version += 1  # pages open with the old role must log in again
        audit.record(
            session,
            actor=actor,
            action="staff.role",
            target_type="user",
            target_id=user.id,
            before={"role": old},
            after={"role": role},
            reason=reason,
        )
    return user


def _revoke_all(session: Any, user: User) -> int:
    return session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount


def set_active(user_id: int, active: bool, *, actor: Any, reason: str | None = None) -> User:
    """Deactivate (logs out everywhere and revokes tokens) or reactivate a staff account."""
    user = staff_account(user_id)
    if user.id == getattr(actor, "id", None):
        raise Forbidden(_l("Je kunt je eigen account niet uitschakelen."))
    with write_transaction(db.session) as session:
        session.refresh(user)
        if user.active == active:
            return user
        revoked = 0
        user.active = active
        if not active:
            user.session_version += 1
            revoked = _revoke_all(session, user)
        audit.record(
            session,
            actor=actor,
            action="staff.activate" if active else "staff.deactivate",
            target_type="user",
            target_id=user.id,
            before={"active": not active},
            after={"active": active, "tokens_revoked": revoked},
            reason=reason,
        )
    return user


def revoke_tokens(user_id: int, *, actor: Any, reason: str | None = None) -> int:
    """Revoke every API token of a staff account; returns how many were active."""
    user = staff_account(user_id)
    with write_transaction(db.session) as session:
        revoked = _revoke_all(session, user)
        audit.record(
            session,
            actor=actor,
            action="staff.revoke_tokens",
            target_type="user",
            target_id=user.id,
            after={"tokens_revoked": revoked},
            reason=reason,
        )
    return revoked


def issue_token(user_id: int, *, actor: Any, label: str | None = None) -> str:
    """A new API token for a staff account; the raw token is returned once and never stored."""
    user = staff_account(user_id)
    if not user.active:
        raise AccountInactive()
    with write_transaction(db.session) as session:
        token, raw = ApiToken.issue(user, label=(label or "beheer")[:100])
        session.add(token)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="staff.issue_token",
            target_type="user",
            target_id=user.id,
            after={"token_id": token.id, "label": token.label},
        )
    return raw


def active_token_counts() -> dict[int, int]:
    """Unrevoked tokens per account."""
    rows = db.session.execute(
        select(ApiToken.user_id, func.count())
        .where(ApiToken.revoked_at.is_(None))
        .group_by(ApiToken.user_id)
    )
    return dict(rows.all())
