"""Back-office models: broadcasts (a mail to an audience) and who received each one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.clock import utcnow
from conference.extensions import db
from conference.models import Conference

AUDIENCES = (
    "everyone",
    "onsite",
    "online",
    "activity_seats",
    "venue_waitlist",
    "activity_waitlist",
)


class Broadcast(db.Model):
    """A message from the organisers to an audience: a draft until it is sent, then a record."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint(
            "audience IN ('everyone', 'onsite', 'online', 'activity_seats', 'venue_waitlist',"
            " 'activity_waitlist')",
            name="audience_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    audience: Mapped[str] = mapped_column(String(30))
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id"))
    # Only those who gave this answer: "<question key>:<answer>" (registration.questions).
    answer_filter: Mapped[str | None] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    subject_en: Mapped[str | None] = mapped_column(String(200))
    body_en: Mapped[str | None] = mapped_column(Text)
    # Essential (practical information everyone must get) or news, which people who opted out
    # of non-essential mail do not get.
    essential: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set once, by a conditional UPDATE, so a double click cannot send it twice.
    sent_at: Mapped[datetime | None]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recipient_count: Mapped[int] = mapped_column(default=0)

    conference: Mapped[Conference] = relationship()
    recipients: Mapped[list[BroadcastRecipient]] = relationship(
        back_populates="broadcast", order_by="BroadcastRecipient.id"
    )


class BroadcastRecipient(db.Model):
    """One person a broadcast was queued for; UNIQUE per broadcast and registration."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (UniqueConstraint("broadcast_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    mail_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_outbox.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    broadcast: Mapped[Broadcast] = relationship(back_populates="recipients")
