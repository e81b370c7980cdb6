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
from conference.models import MailMessage
from registration.manage_links import end_all_access
from registration.models import LoginLink, ManageLink, Registration
from registration.services import (
    _cancel_locked,
    _locked,
    seats_of,
)
from registration.tickets import ticket_url


def erase_registration(registration_id: int, now: datetime | None = None) -> None:
    """Erase a person's data (GDPR): cancel, then anonymise; the row stays so counts stay right."""
    now = now or utcnow()
    with write_transaction(db.session) as session:
        conf, reg = _locked(session, registration_id)
        if reg.active:
            _cancel_locked(session, conf, reg, now, notify_person=False)
        hooks.registration_erased.send(reg, session=session)
        reg.email = f"gewist-{reg.id}@invalid"
        reg.first_name = "—"
        reg.last_name = "—"
        reg.organisation = reg.sector = reg.accessibility_needs = reg.diet = None
        reg.anonymized_at = now
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
    mails = db.session.scalars(
        select(MailMessage).where(MailMessage.registration_id == reg.id).order_by(MailMessage.id)
    ).all()
    data: dict[str, Any] = {
        "conference": reg.conference.name,
        "exported_at": isoformat(utcnow(), tz),
        "registration": {
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
            "consent_at": isoformat(reg.consent_at, tz),
            "created_at": isoformat(reg.created_at, tz),
            "updated_at": isoformat(reg.updated_at, tz),
            "venue_waitlisted_at": isoformat(reg.venue_waitlisted_at, tz),
            "venue_offer_expires_at": isoformat(reg.venue_offer_expires_at, tz),
            "canceled_at": isoformat(reg.canceled_at, tz),
            "news_opt_out_at": isoformat(reg.news_opt_out_at, tz),
        },
        "account": {
            "email": reg.user.email,
            "language": reg.user.language,
            "created_at": isoformat(reg.user.created_at, tz),
            "last_login_at": isoformat(reg.user.last_login_at, tz),
        },
        "tickets": [
            {
                "status": t.status,
                "url": ticket_url(t) if t.status == "active" else None,
                "created_at": isoformat(t.created_at, tz),
                "revoked_at": isoformat(t.revoked_at, tz),
            }
            for t in reg.tickets
        ],
        "emails": [
            {
                "kind": m.kind,
                "to": m.to_address,
                "subject": m.subject,
                "status": m.status,
                "created_at": isoformat(m.created_at, tz),
                "sent_at": isoformat(m.sent_at, tz),
            }
            for m in mails
        ],
        "seats": seats_of(reg),
    }
    for found in hooks.collect(hooks.personal_data, reg):
        data.update(found)
    return data
