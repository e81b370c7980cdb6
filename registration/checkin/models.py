"""Check-in models: every scan kept, and one presence row per person and checkpoint."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.clock import utcnow
from conference.extensions import db
from conference.models import User
from registration.models import Registration

SCAN_TYPES = ("entry", "exit", "standby")
SCAN_METHODS = ("qr", "manual", "online")
REASONS = ("invalid", "already_redeemed", "canceled", "revoked", "product", "invalid_time")


class Scan(db.Model):
    """One scan at a checkpoint, as the volunteer's device saw it; never updated afterwards."""

    __tablename__ = "checkin_scans"
    __table_args__ = (
        CheckConstraint("type IN ('entry', 'exit', 'standby')", name="type_known"),
        CheckConstraint("status IN ('ok', 'error')", name="status_known"),
        CheckConstraint("method IN ('qr', 'manual', 'online')", name="method_known"),
        # A client nonce is applied once: a repeated (offline) upload finds this row.
        UniqueConstraint("nonce"),
        Index("ix_checkin_scans_checkpoint", "conference_id", "checkpoint", "scanned_at"),
        Index("ix_checkin_scans_flagged", "conference_id", "flagged"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"))
    # Null for an unknown secret: the scan is still kept, without any personal data.
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    # "entrance", an activity id ("12"), or "online:12" for online attendance.
    checkpoint: Mapped[str] = mapped_column(String(40))
    # The activity behind an activity checkpoint (no foreign key: activities live in `sessions`).
    activity_id: Mapped[int | None]
    type: Mapped[str] = mapped_column(String(10), default="entry")
    method: Mapped[str] = mapped_column(String(10), default="qr")
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(20))
    # A finer word for the volunteer: "online", "waitlisted", "no_seat", "full", …
    detail: Mapped[str | None] = mapped_column(String(20))
    # For `already_redeemed`: when the entry that is still open was recorded.
    first_scan_at: Mapped[datetime | None]
    scanned_at: Mapped[datetime]  # the device's time of the scan (offline uploads come later)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    nonce: Mapped[str | None] = mapped_column(String(64))
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    device: Mapped[str | None] = mapped_column(String(64))
    forced: Mapped[bool] = mapped_column(default=False)
    # A forced scan that broke a rule (e.g. the same ticket let in by two offline devices).
    flagged: Mapped[bool] = mapped_column(default=False)
    flag_reason: Mapped[str | None] = mapped_column(String(20))

    registration: Mapped[Registration | None] = relationship()
    staff_user: Mapped[User | None] = relationship()


class Presence(db.Model):
    """Whether a person is inside at a checkpoint; changed only by conditional UPDATEs."""

    __tablename__ = "checkin_presence"
    __table_args__ = (
        UniqueConstraint("registration_id", "checkpoint"),
        CheckConstraint("entries >= 0 AND exits >= 0", name="counts_nonnegative"),
        Index("ix_checkin_presence_checkpoint", "conference_id", "checkpoint", "inside"),
        Index("ix_checkin_presence_updated", "conference_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    checkpoint: Mapped[str] = mapped_column(String(40))
    activity_id: Mapped[int | None]
    inside: Mapped[bool] = mapped_column(default=False)
    entries: Mapped[int] = mapped_column(default=0)
    exits: Mapped[int] = mapped_column(default=0)
    first_entry_at: Mapped[datetime | None]
    last_entry_at: Mapped[datetime | None]
    last_exit_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship()
