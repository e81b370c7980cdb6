"""Personal data (GDPR): export everything we keep about a person, and erase it.

Erasing cancels first (the place goes to the waiting list, seats are freed), then anonymises
the registration: the row stays, with its profile and mode, so the counts stay right.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from conference import hooks
from conference.clock import isoformat, utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.models import MailMessage, User
from registration.changes import cancel_locked, lock_for_change
from registration.manage_links import end_all_access
from registration.models import LoginLink, ManageLink, Registration, Ticket
from registration.questions.services import answers_export, delete_answers
from registration.services import seats_of
from registration.tickets import ticket_url

# The registration's moments, in the order the export shows them.
REGISTRATION_TIMES = (
    "consent_at", "created_at", "updated_at", "venue_waitlisted_at", "venue_offer_expires_at",
    "canceled_at", "news_opt_out_at",
)  # fmt: skip


def erase_registration(registration_id: int, now: datetime | None = None) -> None:
    """Erase a person's data (GDPR): cancel, then anonymise; the row stays so counts stay right."""
    now = now or utcnow()
    with write_transaction(db.session) as session:
        conf, reg = lock_for_change(session, registration_id)
        if reg.active:
            cancel_locked(session, conf, reg, now, notify_person=False)
        hooks.registration_erased.send(reg, session=session)
        reg.email = f"gewist-{reg.id}@invalid"
        reg.first_name = "—"
        reg.last_name = "—"
        reg.organisation = reg.sector = reg.accessibility_needs = reg.diet = None
        reg.anonymized_at = now
        delete_answers(session, reg.id)  # answers can say much (health, access needs)
        session.execute(delete(MailMessage).where(MailMessage.registration_id == reg.id))
        user = reg.user
        others = session.scalar(
            select(Registration.id).where(
                Registration.user_id == user.id,
                Registration.id != reg.id,
                Registration.anonymized_at.is_(None),
            )
        )
        if others is None:
            end_all_access(session, user.id, now)  # tokens, links and sessions
            session.execute(delete(LoginLink).where(LoginLink.user_id == user.id))
            session.execute(delete(ManageLink).where(ManageLink.user_id == user.id))
            user.email = f"gewist-{user.id}@invalid"
            user.name = None
            user.active = False


def export_data(reg: Registration) -> dict[str, Any]:
    """Everything we keep about this person, as JSON (GDPR access and portability)."""
    tz = reg.conference.timezone
    data: dict[str, Any] = {
        "conference": reg.conference.name,
        "exported_at": isoformat(utcnow(), tz),
        "registration": _registration_data(reg, tz),
        "account": _account_data(reg.user, tz),
        "tickets": [_ticket_data(t, tz) for t in reg.tickets],
        "emails": _mails_data(reg, tz),
        "seats": seats_of(reg),
        "answers": answers_export(reg),
    }
    for found in hooks.collect(hooks.personal_data, reg):
        data.update(found)
    return data


def _registration_data(reg: Registration, tz: str) -> dict[str, Any]:
    """The registration's own fields, times in the conference's zone."""
    return {
        "id": reg.id,
        "email": reg.email,
        "first_name": reg.first_name,
        "last_name": reg.last_name,
        "organisation": reg.organisation,
        "profile": reg.profile,
        "sector": reg.sector,
        "mode": reg.mode,
        "status": reg.status,
        "language": reg.language,
        "accessibility_needs": reg.accessibility_needs,
        "diet": reg.diet,
        **{key: isoformat(getattr(reg, key), tz) for key in REGISTRATION_TIMES},
    }


def _account_data(user: User, tz: str) -> dict[str, Any]:
    """The login account behind the registration."""
    return {
        "email": user.email,
        "language": user.language,
        "created_at": isoformat(user.created_at, tz),
        "last_login_at": isoformat(user.last_login_at, tz),
    }


def _ticket_data(ticket: Ticket, tz: str) -> dict[str, Any]:
    """A ticket; only a valid one shows its URL."""
    return {
        "status": ticket.status,
        "url": ticket_url(ticket) if ticket.status == "active" else None,
        "created_at": isoformat(ticket.created_at, tz),
        "revoked_at": isoformat(ticket.revoked_at, tz),
    }


def _mails_data(reg: Registration, tz: str) -> list[dict[str, Any]]:
    """Every mail queued or sent to the person, oldest first."""
    mails = db.session.scalars(
        select(MailMessage).where(MailMessage.registration_id == reg.id).order_by(MailMessage.id)
    )
    return [
        {
            "kind": m.kind,
            "to": m.to_address,
            "subject": m.subject,
            "status": m.status,
            "created_at": isoformat(m.created_at, tz),
            "sent_at": isoformat(m.sent_at, tz),
        }
        for m in mails
    ]
