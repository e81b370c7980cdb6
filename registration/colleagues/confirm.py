"""The colleague answers: confirm with their own data and consent, or decline.

Like a login link, the link's GET only shows the form; the POST uses it, once (a conditional
UPDATE of the invitation: of two posts racing, one wins). Bad input uses nothing, so the
person can correct it and send again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import Invalid
from conference.extensions import db
from conference.models import hash_token
from registration import notify
from registration.changes import DETAIL_FIELDS, cancel_locked, lock_for_change, set_mode
from registration.colleagues.errors import InvitationInvalid
from registration.colleagues.holds import venue_on_confirm
from registration.colleagues.models import ColleagueInvitation
from registration.errors import RegistrationClosed
from registration.models import Registration
from registration.questions.services import keep_answers
from registration.signup import answers as checked_answers
from registration.validation import clean_registration

OPEN = ("invited", "expired")


def open_invitation(raw: str) -> ColleagueInvitation | None:
    """The unanswered invitation behind a link, or None; reads only (the GET)."""
    if not raw or len(raw) > 100:
        return None
    invitation = db.session.scalar(
        select(ColleagueInvitation).where(ColleagueInvitation.token_hash == hash_token(raw))
    )
    if invitation is None or invitation.status not in OPEN:
        return None
    if invitation.registration.status != "invited":
        return None
    return invitation


def _use(session: Session, raw: str, status: str, now: datetime) -> ColleagueInvitation:
    """Use the link once, under the locks; the invitation as it was, or InvitationInvalid."""
    invitation = session.scalar(
        select(ColleagueInvitation)
        .where(ColleagueInvitation.token_hash == hash_token(raw))
        .execution_options(populate_existing=True)
    )
    if invitation is None:
        raise InvitationInvalid()
    hold = invitation.hold_expires_at
    done = session.execute(
        update(ColleagueInvitation)
        .where(
            ColleagueInvitation.id == invitation.id,
            ColleagueInvitation.token_hash == hash_token(raw),
            ColleagueInvitation.status.in_(OPEN),
        )
        .values(status=status, token_hash=None, hold_expires_at=None, answered_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise InvitationInvalid()
    invitation.hold_expires_at = hold  # the hold as it stood, for the caller's decision
    return invitation


def _locked(session: Session, raw: str) -> tuple[Any, Registration]:
    """Conference and the colleague's registration, locked in the usual order."""
    invitation = open_invitation(raw)
    if invitation is None:
        raise InvitationInvalid()
    return lock_for_change(session, invitation.registration_id)


def confirm_invitation(raw: str, data: dict[str, Any], now: datetime | None = None) -> str:
    """Confirm with one's own data and consent; the venue outcome (see `venue_on_confirm`).

    `data` is the registration form's (the e-mail address is the invitation's), with the
    `answers` to the organisers' questions, checked by the registration's own rules.
    """
    now = now or utcnow()
    invitation = open_invitation(raw)
    if invitation is None:
        raise InvitationInvalid()
    fields = {k: v for k, v in data.items() if k != "answers"}
    invalid, clean = None, {}
    try:
        clean = clean_registration({**fields, "email": invitation.registration.email})
    except Invalid as exc:
        invalid = exc
    # Every problem at once: the built-in fields' and the answers' (raises if any).
    found = checked_answers(db.session, invitation.registration.conference, data, invalid)
    with write_transaction(db.session) as session:
        conf, reg = _locked(session, raw)
        if not conf.registration_open(now):
            raise RegistrationClosed()
        used = _use(session, raw, "confirmed", now)
        if reg.status != "invited":
            raise InvitationInvalid()
        old_profile = reg.profile
        for key in DETAIL_FIELDS:
            if key in clean:
                setattr(reg, key, clean[key])
        reg.consent_at = now
        keep_answers(session, reg.id, found, now)
        reg.waitlist_ok = clean.get("waitlist_ok", True)
        reg.user.language, reg.user.name, reg.user.active = reg.language, reg.full_name, True
        set_mode(session, reg, clean["mode"])
        hold_valid = used.hold_expires_at is not None and used.hold_expires_at > now
        outcome = venue_on_confirm(session, conf, reg, hold_valid, old_profile, now)
        session.flush()
        # The confirmation as anyone gets it: personal link, ticket when on site, calendar.
        notify.notify_confirmation_again(session, reg)
    return outcome


def decline_invitation(raw: str, now: datetime | None = None) -> None:
    """Say no: the registration is canceled and a held place goes to the waiting list."""
    now = now or utcnow()
    with write_transaction(db.session) as session:
        conf, reg = _locked(session, raw)
        _use(session, raw, "declined", now)
        if reg.status != "invited":
            raise InvitationInvalid()
        cancel_locked(session, conf, reg, now, notify_person=False)
