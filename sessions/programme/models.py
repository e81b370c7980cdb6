"""Programme models: themes, blocks, rooms, activities and speakers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.clock import utcnow
from conference.extensions import db
from conference.models import Conference

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
