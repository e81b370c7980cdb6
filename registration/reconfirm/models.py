"""A reconfirmation per on-site registration: asked, reminded, answered, released."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.extensions import db
from registration.models import Registration

ANSWERS = ("yes", "no")


def new_link_id() -> str:
    """The random id signed into the mail's links (192 bits)."""
    return secrets.token_urlsafe(24)


class Reconfirmation(db.Model):
    """Whether an on-site registrant still comes; the row makes the mail's links single use."""

    __tablename__ = "reconfirmations"
    __table_args__ = (CheckConstraint("answer IN ('yes', 'no')", name="answer_known"),)

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    link_id: Mapped[str] = mapped_column(String(64), unique=True, default=new_link_id)
    asked_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(String(3))
    answered_at: Mapped[datetime | None]
    # After the deadline, without an answer: the place was released, or only flagged.
    released_at: Mapped[datetime | None]
    flagged_at: Mapped[datetime | None]

    registration: Mapped[Registration] = relationship()
