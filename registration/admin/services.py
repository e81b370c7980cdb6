"""The organisers' actions on a person: each one transaction, its audit entry written inside it.

They call the same steps as the attendee's own use cases (`registration.changes`,
`registration.signup`), so an organiser's change follows the same rules; the audit entry names
the organiser and the reason, and commits (or rolls back) together with the change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from conference import audit
from conference.clock import utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.models import Conference, User
from registration import notify
from registration.account.login_links import mail_login_link
from registration.changes import (
    DETAIL_FIELDS,
    active_ticket_id,
    cancel,
    change_registration,
    lock_for_change,
)
from registration.models import Registration
from registration.services import active_registration
from registration.signup import Registered, add_registration
from registration.validation import clean_registration

# The fields an audit entry of a registration compares before and after.
SNAPSHOT_FIELDS = (
    "first_name", "last_name", "email", "organisation", "profile", "sector", "mode", "status",
    "language", "accessibility_needs", "diet", "holds_venue_place", "venue_waitlisted_at",
)  # fmt: skip
# What the organisers may change on the person's page ("Gegevens").
EDIT_FIELDS = DETAIL_FIELDS


def snapshot(session: Session, reg_id: int) -> dict[str, Any]:
    """The audited fields of a registration as this transaction sees them."""
    session.flush()
    reg = session.get(Registration, reg_id, populate_existing=True)
    values = {name: getattr(reg, name) for name in SNAPSHOT_FIELDS}
    values["ticket_id"] = active_ticket_id(session, reg_id)
    return values


def _record_change(
    session: Session,
    reg: Registration,
    before: dict[str, Any],
    *,
    actor: User,
    action: str,
    reason: str | None,
) -> None:
    """Audit the fields that changed since `before` (nothing, when none did)."""
    audit.record_changes(
        session, actor=actor, action=action, target_type="registration", target_id=reg.id,
        before=before, after=snapshot(session, reg.id), reason=reason,
    )  # fmt: skip


def _change(
    reg_id: int, data: dict[str, Any], *, actor: User, action: str, reason: str | None
) -> str | None:
    """Apply `data` as the attendee's own change would, audited; the venue outcome."""
    clean = clean_registration(data, partial=True)
    with write_transaction(db.session) as session:
        conf, reg = lock_for_change(session, reg_id)
        before = snapshot(session, reg.id)
        outcome = change_registration(session, conf, reg, clean, utcnow())
        _record_change(session, reg, before, actor=actor, action=action, reason=reason)
    return outcome


def edit_person(
    reg_id: int, data: dict[str, Any], *, actor: User, reason: str | None = None
) -> None:
    """Change a person's data (names, profile, language, needs)."""
    changes = {k: v for k, v in data.items() if k in EDIT_FIELDS}
    _change(reg_id, changes, actor=actor, action="registration.edit", reason=reason)


def change_mode(reg_id: int, mode: str, *, actor: User, reason: str | None = None) -> str | None:
    """On site <-> online (the venue cap and its waiting list apply); the venue outcome."""
    return _change(reg_id, {"mode": mode}, actor=actor, action="registration.mode", reason=reason)


def cancel_person(reg_id: int, *, actor: User, reason: str | None = None) -> bool:
    """Cancel a registration (seats and place are freed); False when it was already canceled."""
    with write_transaction(db.session) as session:
        conf, reg = lock_for_change(session, reg_id)
        before = snapshot(session, reg.id)
        done = cancel(session, conf, reg, utcnow())
        _record_change(
            session, reg, before, actor=actor, action="registration.cancel", reason=reason
        )
    return done


def _record_mail(session: Session, reg: Registration, *, actor: User, action: str) -> None:
    """Audit a mail sent on an organiser's request (nothing changed but the outbox)."""
    audit.record(session, actor=actor, action=action, target_type="registration", target_id=reg.id)


def send_login_link(conf: Conference, reg_id: int, *, actor: User) -> bool:
    """Mail the person a login link to their personal page; False when nobody can log in."""
    with write_transaction(db.session) as session:
        reg = session.get(Registration, reg_id)
        if reg is None or not reg.active or not reg.user.active:
            return False
        mail_login_link(session, conf, reg, utcnow(), None)
        _record_mail(session, reg, actor=actor, action="registration.send_login_link")
    return True


def resend_confirmation(reg_id: int, *, actor: User) -> int:
    """Mail the confirmation again, with a fresh personal link; the mail's id."""
    with write_transaction(db.session) as session:
        reg = active_registration(session, reg_id)
        mail_id = notify.notify_confirmation_again(session, reg)
        _record_mail(session, reg, actor=actor, action="registration.resend_confirmation")
    return mail_id


def register_by_hand(
    data: dict[str, Any],
    *,
    venue_choice: str | None,
    actor: User,
    reason: str | None = None,
    now: datetime | None = None,
) -> Registered:
    """Register someone who phoned in, by the rules of the registration form, audited."""
    with write_transaction(db.session) as session:
        result = add_registration(
            session,
            data,
            venue_choice=venue_choice,
            language=data.get("language") or "nl",
            now=now or utcnow(),
        )
        made = {k: v for k, v in snapshot(session, result.id).items() if v is not None}
        audit.record(
            session, actor=actor, action="registration.create_by_organiser",
            target_type="registration", target_id=result.id, after=made, reason=reason,
        )  # fmt: skip
    return result
