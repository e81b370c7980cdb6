"""Seat models: seats (one per block), waiting lists, preferences, allocation runs, the seat log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.clock import utcnow
from conference.extensions import db
from registration.models import Registration
from sessions.programme.models import Activity


class Seat(db.Model):
    """A person's seat at an activity (one per activity; see SeatBlock for one per block)."""

    __tablename__ = "seats"
    __table_args__ = (
        UniqueConstraint("registration_id", "activity_id"),
        CheckConstraint(
            "source IN ('allocation', 'booking', 'waitlist', 'organiser', 'standby')",
            name="source_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    source: Mapped[str] = mapped_column(String(20), default="booking")
    preference_rank: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship()
    activity: Mapped[Activity] = relationship()
    block_links: Mapped[list[SeatBlock]] = relationship(
        back_populates="seat", cascade="all, delete-orphan"
    )


class SeatBlock(db.Model):
    """The blocks a seat occupies; UNIQUE per person and block, so nobody holds two at once."""

    __tablename__ = "seat_blocks"
    __table_args__ = (UniqueConstraint("registration_id", "block_id"),)

    seat_id: Mapped[int] = mapped_column(
        ForeignKey("seats.id", ondelete="CASCADE"), primary_key=True
    )
    block_id: Mapped[int] = mapped_column(ForeignKey("blocks.id"), primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))

    seat: Mapped[Seat] = relationship(back_populates="block_links")


class WaitlistEntry(db.Model):
    """A person waiting for a seat at a full activity; an offer reserves a freed seat."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint(
            "status IN ('waiting', 'offered', 'accepted', 'declined', 'expired', 'canceled')",
            name="status_known",
        ),
        # One open place in the queue per person and activity.
        Index(
            "uq_waitlist_entries_open",
            "activity_id",
            "registration_id",
            unique=True,
            sqlite_where=text("status IN ('waiting', 'offered')"),
            postgresql_where=text("status IN ('waiting', 'offered')"),
        ),
        Index("ix_waitlist_entries_queue", "activity_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    offered_at: Mapped[datetime | None]
    offer_expires_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]

    registration: Mapped[Registration] = relationship()
    activity: Mapped[Activity] = relationship()


class Preference(db.Model):
    """One ranked choice of a person in a block, for the preference round."""

    __tablename__ = "preferences"
    __table_args__ = (
        UniqueConstraint("registration_id", "block_id", "rank"),
        UniqueConstraint("registration_id", "block_id", "activity_id"),
        CheckConstraint("rank BETWEEN 1 AND 5", name="rank_range"),
        Index("ix_preferences_activity", "activity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    block_id: Mapped[int] = mapped_column(ForeignKey("blocks.id"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"))
    rank: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AllocationRun(db.Model):
    """One run of the preference-round allocation: a dry run to review, or the published one."""

    __tablename__ = "allocation_runs"
    __table_args__ = (
        CheckConstraint("status IN ('dry_run', 'published')", name="status_known"),
        # The scheduler's automatic run after the choice window closes happens once per window.
        UniqueConstraint("auto_key"),
        # At most one published allocation per conference, also when two organisers click.
        Index(
            "uq_allocation_runs_published",
            "conference_id",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    seed: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default="dry_run")
    trigger: Mapped[str] = mapped_column(String(20), default="organiser")
    auto_key: Mapped[str | None] = mapped_column(String(120))
    method: Mapped[str] = mapped_column(String(120))
    objective: Mapped[int]
    # Options of the run: fill_unranked, profile quotas (profile -> share of each activity).
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    # Figures overall, per profile and per activity, and the first-come baseline.
    stats: Mapped[dict] = mapped_column(JSON, default=dict)
    # {registration id: {block id: activity id}} (JSON keys are strings).
    assignment: Mapped[dict] = mapped_column(JSON, default=dict)
    # Digest of the inputs (people, rankings, free seats): publishing a stale run is refused.
    input_hash: Mapped[str] = mapped_column(String(64))
    duration_ms: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]


class SeatLog(db.Model):
    """An audit line for organiser moves, overrides (with their reason) and standby seats."""

    __tablename__ = "seat_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Plain ids, no foreign keys: the log outlives an erased registration.
    registration_id: Mapped[int] = mapped_column(index=True)
    activity_id: Mapped[int] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(String(20))
    override: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Agenda and calendar feeds (issue 5) ---------------------------------------------------
