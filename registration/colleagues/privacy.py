"""Colleagues in the personal data export and erasure, and a cancel that answers an invitation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from conference.clock import isoformat, utcnow
from conference.extensions import db
from registration.colleagues.models import ColleagueInvitation
from registration.models import Registration


def personal_data(reg: Registration, **_: Any) -> dict[str, Any]:
    """The export: the person's own invitation, and the colleagues they invited."""
    tz = reg.conference.timezone
    own = db.session.scalar(
        select(ColleagueInvitation).where(ColleagueInvitation.registration_id == reg.id)
    )
    invited = db.session.scalars(
        select(ColleagueInvitation)
        .where(ColleagueInvitation.coordinator_id == reg.id)
        .order_by(ColleagueInvitation.id)
    )
    return {
        "invitation": None
        if own is None
        else {
            "status": own.status,
            "invited_at": isoformat(own.created_at, tz),
            "answered_at": isoformat(own.answered_at, tz),
        },
        "colleagues_invited": [
            {"email": inv.email, "status": inv.status, "invited_at": isoformat(inv.created_at, tz)}
            for inv in invited
        ],
    }


def on_registration_erased(reg: Registration, *, session: Session, **_: Any) -> None:
    """Erasure: the person's own invitation goes (it holds the address); the link to them too."""
    session.execute(
        delete(ColleagueInvitation).where(ColleagueInvitation.registration_id == reg.id)
    )
    session.execute(
        update(ColleagueInvitation)
        .where(ColleagueInvitation.coordinator_id == reg.id)
        .values(coordinator_id=None)
        .execution_options(synchronize_session=False)
    )


def on_registration_canceled(reg: Registration, *, session: Session, **_: Any) -> None:
    """A canceled invited registration (by an organiser, say) counts as declined; link dead."""
    session.execute(
        update(ColleagueInvitation)
        .where(
            ColleagueInvitation.registration_id == reg.id,
            ColleagueInvitation.status.in_(("invited", "expired")),
        )
        .values(status="declined", token_hash=None, hold_expires_at=None, answered_at=utcnow())
        .execution_options(synchronize_session=False)
    )
