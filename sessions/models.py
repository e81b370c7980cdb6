"""Programme models (themes, blocks, rooms, activities, speakers) and seats with preferences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.clock import utcnow
from conference.extensions import db
from conference.models import Conference
from registration.models import Registration

KINDS = (
    "plenary",
    "workshop",
    "online_workshop",
    "stream",
    "visit",
    "radio",
    "film",
    "networking",
)
ACTIVITY_MODES = ("onsite", "online", "hybrid")
# Kinds whose seats are handed out (preference round or booking).
SEATED_KINDS = ("workshop", "online_workshop", "visit")


class Theme(db.Model):
    """One of the conference's themes."""

    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("conference_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    conference: Mapped[Conference] = relationship()
    activities: Mapped[list[Activity]] = relationship(
        back_populates="theme", order_by="Activity.position"
    )


class Block(db.Model):
    """A time slot in which a person can hold one seat (a workshop or a visit)."""

    __tablename__ = "blocks"
    __table_args__ = (
        UniqueConstraint("conference_id", "slug"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    position: Mapped[int] = mapped_column(default=0)

    conference: Mapped[Conference] = relationship()
    activities: Mapped[list[Activity]] = relationship(
        secondary="activity_blocks", back_populates="blocks", order_by="Activity.position"
    )


class Room(db.Model):
    """A room of the venue or a meeting point."""

    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("conference_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    floor: Mapped[str | None] = mapped_column(String(100))
    directions: Mapped[str | None] = mapped_column(Text)
    directions_en: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int | None]
    step_free: Mapped[bool] = mapped_column(default=True)

    conference: Mapped[Conference] = relationship()


activity_blocks = Table(
    "activity_blocks",
    db.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("block_id", ForeignKey("blocks.id", ondelete="CASCADE"), primary_key=True),
)


class ActivitySpeaker(db.Model):
    """A speaker, moderator or guide of an activity."""

    __tablename__ = "activity_speakers"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speakers.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), default="speaker")
    position: Mapped[int] = mapped_column(default=0)

    speaker: Mapped[Speaker] = relationship()
    activity: Mapped[Activity] = relationship(back_populates="speaker_links")


class Activity(db.Model):
    """A programme item: plenary, workshop, stream, visit, …; may span several blocks."""

    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("conference_id", "slug"),
        CheckConstraint(
            "kind IN ('plenary', 'workshop', 'online_workshop', 'stream', 'visit', 'radio',"
            " 'film', 'networking')",
            name="kind_known",
        ),
        CheckConstraint("mode IN ('onsite', 'online', 'hybrid')", name="mode_known"),
        CheckConstraint("taken >= 0", name="taken_nonnegative"),
        # The seat counter never passes the capacity, whatever the application does.
        CheckConstraint("capacity IS NULL OR taken <= capacity", name="taken_within_capacity"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    # Free text where there is no room: a visit's meeting point, an address.
    location: Mapped[str | None] = mapped_column(String(300))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int | None]
    taken: Mapped[int] = mapped_column(default=0)
    stream_url: Mapped[str | None] = mapped_column(String(500))
    join_url: Mapped[str | None] = mapped_column(String(500))
    is_example: Mapped[bool] = mapped_column(default=False)
    published: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    # Advances on every change people should see (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    conference: Mapped[Conference] = relationship()
    theme: Mapped[Theme | None] = relationship(back_populates="activities")
    room: Mapped[Room | None] = relationship()
    blocks: Mapped[list[Block]] = relationship(
        secondary=activity_blocks, back_populates="activities", order_by="Block.starts_at"
    )
    speaker_links: Mapped[list[ActivitySpeaker]] = relationship(
        back_populates="activity", order_by="ActivitySpeaker.position", cascade="all, delete-orphan"
    )

    @property
    def seated(self) -> bool:
        """Whether people need a seat (workshops, visits, online workshops)."""
        return self.kind in SEATED_KINDS

    @property
    def seats_left(self) -> int | None:
        """Free seats, or None when unlimited."""
        return None if self.capacity is None else max(self.capacity - self.taken, 0)

    @property
    def place(self) -> str | None:
        """Where it happens: the free-text location when set (it overrides), else the room."""
        return self.location or (self.room.name if self.room else None)


class Speaker(db.Model):
    """A speaker, moderator or guide."""

    __tablename__ = "speakers"
    __table_args__ = (UniqueConstraint("conference_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    bio: Mapped[str | None] = mapped_column(Text)
    bio_en: Mapped[str | None] = mapped_column(Text)


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


class Follow(db.Model):
    """A registration follows a stream (or the radio): it then shows in the agenda and feed."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("registration_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgendaMark(db.Model):
    """A person's own revision of one agenda entry: bumped when they lose, drop or retake it.

    The row outlives the seat or follow, so the feed can still send STATUS:CANCELLED with a
    higher SEQUENCE. `dropped` is the last recorded state (see sessions/agenda_history.py).
    """

    __tablename__ = "agenda_marks"
    __table_args__ = (UniqueConstraint("registration_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(default=0)
    dropped: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ActivityRevision(db.Model):
    """When an activity's calendar content (time, place, text, links) last changed."""

    __tablename__ = "activity_revisions"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    content_hash: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarFeed(db.Model):
    """A private calendar-feed link of a registration; revocable.

    Only a salt and the SHA-256 of the token are stored: the token itself is an HMAC of the
    salt under SECRET_KEY, so the agenda page can show the link again while a copy of the
    database alone opens no one's calendar.
    """

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    salt: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
