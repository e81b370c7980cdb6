"""The invitation behind a colleague's registration: who invited, its link, its venue hold."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.clock import utcnow
from conference.extensions import db
from registration.models import Registration

# What the coordinator sees of each colleague: these words and the address they typed.
INVITATION_STATUSES = ("invited", "confirmed", "declined", "expired")


class ColleagueInvitation(db.Model):
    """One colleague's invitation: their registration (status `invited`) and who asked for it.

    `token_hash` is the hash of the single-use confirmation link (None once used); a resend
    replaces it. `hold_expires_at` is set while the invitation holds a venue place; the hold
    job clears it, exactly once, when it runs out (status `expired`).
    """

    __tablename__ = "colleague_invitations"
    __table_args__ = (
        CheckConstraint(
            "status IN ('invited', 'confirmed', 'declined', 'expired')", name="status_known"
        ),
        CheckConstraint("sent_count >= 1", name="sent_at_least_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    # The coordinator's registration; None once the coordinator's data was erased.
    coordinator_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    # The organiser who invited on the coordinator's behalf, if any.
    invited_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    email: Mapped[str] = mapped_column(String(254))  # as the coordinator gave it (lower-cased)
    status: Mapped[str] = mapped_column(String(10), default="invited")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    hold_expires_at: Mapped[datetime | None] = mapped_column(index=True)
    sent_count: Mapped[int] = mapped_column(default=1)
    last_sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    registration: Mapped[Registration] = relationship(foreign_keys=[registration_id])
