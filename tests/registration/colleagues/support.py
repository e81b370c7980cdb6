"""Helpers of the colleagues tests: a coordinator, rows to invite, the link in a mail."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from conference.extensions import db
from conference.models import MailMessage
from registration.colleagues.models import ColleagueInvitation
from registration.models import Registration
from tests.factories import fresh

CONFIRM_LINK = re.compile(r"https?://[^/\s]+/collega/([A-Za-z0-9_-]+)")


def colleague(i: int, **overrides: Any) -> dict[str, Any]:
    """One row of the invitation list."""
    row = {"email": f"collega{i}@example.be", "first_name": "Collega", "last_name": f"Nr {i}",
           "mode": "onsite"}  # fmt: skip
    row.update(overrides)
    return row


def link_token(email: str) -> str:
    """The confirmation token in the newest invitation mail to `email`."""
    fresh()
    mail = db.session.scalars(
        select(MailMessage)
        .where(MailMessage.to_address == email, MailMessage.kind == "colleague_invitation")
        .order_by(MailMessage.id.desc())
    ).first()
    return CONFIRM_LINK.search(mail.body_text).group(1)


def invitation_of(email: str) -> ColleagueInvitation:
    """The invitation of an address, read fresh."""
    fresh()
    return db.session.scalar(select(ColleagueInvitation).filter_by(email=email))


def registration_of(email: str) -> Registration:
    """The active registration of an address, read fresh."""
    fresh()
    return db.session.scalar(
        select(Registration).where(Registration.email == email, Registration.status != "canceled")
    )


def answers(i: int = 0, **overrides: Any) -> dict[str, Any]:
    """What a colleague fills in on the confirmation form (the address is the invitation's)."""
    data = {"first_name": "Eigen", "last_name": f"Naam {i}", "profile": "practitioner",
            "mode": "onsite", "consent": True, "language": "nl"}  # fmt: skip
    data.update(overrides)
    return data
