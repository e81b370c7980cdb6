"""Inviting colleagues: the coordinator's batch, their group's status, and resending a mail.

Each colleague gets their own registration in status `invited` (the one-active-registration
rule and its UNIQUE index apply as to anyone) and a mail with a single-use link; only the hash
of the link is kept. The coordinator sees the addresses they typed and the status words,
nothing the colleagues fill in themselves. Limits in the database (not per worker) stop a
coordinator from being used to spam: invitations per hour and per day, mails per address.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference import audit
from conference.clock import isoformat, utcnow
from conference.db import write_transaction
from conference.errors import NotFound
from conference.extensions import db
from conference.models import Conference, User, hash_token
from registration.changes import lock_for_change
from registration.colleagues.errors import TooManyInvitations
from registration.colleagues.holds import venue_on_invite
from registration.colleagues.models import ColleagueInvitation
from registration.colleagues.notify import notify_invitation
from registration.colleagues.validation import clean_colleagues
from registration.errors import RegistrationClosed
from registration.models import Registration, full_name

# Per coordinator: new invitations and resends an hour and a day; per address, mails a day.
PER_HOUR, PER_DAY, PER_ADDRESS_PER_DAY = 40, 100, 3
# A resend waits this long after the last mail to the same colleague.
RESEND_AFTER = timedelta(minutes=30)


def _coordinator(session: Session, coordinator_id: int) -> tuple[Conference, Registration]:
    """Conference and coordinator locked (in that order); only a confirmed registration invites."""
    conf, coordinator = lock_for_change(session, coordinator_id)
    if coordinator.status in ("canceled", "invited"):
        raise NotFound()
    return conf, coordinator


def _check_limits(session: Session, coordinator_id: int, emails: list[str], now: datetime):
    """Refuse the batch when it would pass a limit (read under the conference lock)."""
    sent = ColleagueInvitation
    for window, limit in ((timedelta(hours=1), PER_HOUR), (timedelta(days=1), PER_DAY)):
        recent = session.scalar(
            select(func.count()).where(
                sent.coordinator_id == coordinator_id, sent.last_sent_at > now - window
            )
        )
        if recent + len(emails) > limit:
            raise TooManyInvitations()
    to_addresses = session.scalar(
        select(func.coalesce(func.max(sent.sent_count), 0)).where(
            sent.email.in_(emails), sent.last_sent_at > now - timedelta(days=1)
        )
    )
    if to_addresses >= PER_ADDRESS_PER_DAY:
        raise TooManyInvitations()


def _account(session: Session, row: dict[str, Any], now: datetime) -> int | None:
    """The attendee account of the address (made now if new); None for a staff address."""
    user = session.scalar(select(User).filter_by(email=row["email"]))
    if user is None:
        user = User(
            email=row["email"], role="attendee", language=row["language"],
            name=full_name(row["first_name"], row["last_name"]), active=True, created_at=now,
        )  # fmt: skip
        try:
            with session.begin_nested():
                session.add(user)
        except IntegrityError:  # made by someone else at this moment
            user = session.scalar(select(User).filter_by(email=row["email"]))
    # A staff address is answered as an address already registered (tells nobody it is staff).
    return user.id if user.role == "attendee" else None


def _invite_one(
    session: Session,
    conf: Conference,
    coordinator: Registration,
    row: dict[str, Any],
    actor: User | None,
    now: datetime,
) -> dict[str, str]:
    """One colleague's registration, hold, invitation and mail; the status the API answers."""
    already = {"email": row["email"], "status": "already_registered"}
    user_id = _account(session, row, now)
    if user_id is None:
        return already
    reg = Registration(
        conference_id=conf.id, user_id=user_id, email=row["email"],
        first_name=row["first_name"], last_name=row["last_name"],
        organisation=coordinator.organisation, profile=row["profile"], mode=row["mode"],
        status="invited", language=row["language"], consent_at=None, waitlist_ok=True,
        created_at=now, updated_at=now,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(reg)
    except IntegrityError:  # the partial UNIQUE index: one active registration per address
        return already
    raw = secrets.token_urlsafe(32)
    invitation = ColleagueInvitation(
        conference_id=conf.id, registration_id=reg.id, coordinator_id=coordinator.id,
        invited_by_user_id=actor.id if actor else None, email=row["email"],
        token_hash=hash_token(raw), hold_expires_at=venue_on_invite(session, conf, reg, now),
        last_sent_at=now, created_at=now,
    )  # fmt: skip
    session.add(invitation)
    session.flush()
    notify_invitation(session, conf, invitation, reg, coordinator.full_name, raw)
    return {"email": row["email"], "status": "invited"}


def invite_colleagues(
    coordinator_id: int, rows: Any, *, actor: User | None = None, now: datetime | None = None
) -> list[dict[str, str]]:
    """Invite up to 20 colleagues; per address `invited` or `already_registered`.

    `actor` is the organiser inviting on the coordinator's behalf (audited; no window check).
    """
    now = now or utcnow()
    with write_transaction(db.session) as session:
        conf, coordinator = _coordinator(session, coordinator_id)
        if actor is None and not conf.registration_open(now):
            raise RegistrationClosed()
        clean = clean_colleagues(rows, coordinator.language)
        _check_limits(session, coordinator.id, [row["email"] for row in clean], now)
        answers = [_invite_one(session, conf, coordinator, row, actor, now) for row in clean]
        if actor is not None:
            audit.record(
                session, actor=actor, action="registration.invite_colleagues",
                target_type="registration", target_id=coordinator.id,
                after={"invited": sum(a["status"] == "invited" for a in answers)},
            )  # fmt: skip
    return answers


def group_of(coordinator_id: int) -> list[dict[str, Any]]:
    """The coordinator's colleagues: the address they typed and the status word, nothing more."""
    conf_tz = db.session.scalar(
        select(Conference.timezone)
        .join(Registration, Registration.conference_id == Conference.id)
        .where(Registration.id == coordinator_id)
    )
    rows = db.session.scalars(
        select(ColleagueInvitation)
        .where(ColleagueInvitation.coordinator_id == coordinator_id)
        .order_by(ColleagueInvitation.id)
    )
    return [
        {
            "id": inv.id,
            "email": inv.email,
            "status": inv.status,
            "invited_at": isoformat(inv.created_at, conf_tz),
            "can_resend": inv.status in ("invited", "expired"),
        }
        for inv in rows
    ]


def resend_invitation(coordinator_id: int, invitation_id: int, now: datetime | None = None) -> None:
    """Mail the invitation again with a new link (the old one stops working); rate-limited."""
    now = now or utcnow()
    with write_transaction(db.session) as session:
        conf, coordinator = _coordinator(session, coordinator_id)
        invitation = session.get(ColleagueInvitation, invitation_id)
        if invitation is None or invitation.coordinator_id != coordinator.id:
            raise NotFound()
        if invitation.status not in ("invited", "expired"):
            raise NotFound()
        if invitation.last_sent_at > now - RESEND_AFTER:
            raise TooManyInvitations()
        _check_limits(session, coordinator.id, [invitation.email], now)
        raw = secrets.token_urlsafe(32)
        invitation.token_hash = hash_token(raw)
        invitation.sent_count += 1
        invitation.last_sent_at = now
        session.flush()
        notify_invitation(
            session, conf, invitation, invitation.registration, coordinator.full_name, raw
        )
