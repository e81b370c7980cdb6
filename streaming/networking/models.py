"""Networking models: opt-in profiles, blocks, networking slots, meetings and themed tables.

The database holds the rules: a numbered table serves one meeting per slot (UNIQUE), a person
is in at most one meeting or themed table per slot (UNIQUE commitments), and a themed table
never seats more than its capacity (conditional UPDATE plus CHECK).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.clock import utcnow
from conference.extensions import db
from registration.models import Registration
from sessions.programme.models import Activity, Theme

MEETING_STATUSES = ("requested", "accepted", "declined", "canceled")
MEETING_MODES = ("onsite", "online")
COMMITMENT_KINDS = ("meeting", "table")


class NetworkProfile(db.Model):
    """A person's choice to be in the directory, and what they show there."""

    __tablename__ = "network_profiles"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    visible: Mapped[bool] = mapped_column(default=False)
    sector: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    ask_me_about: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary="network_profile_themes", viewonly=True)


class NetworkProfileTheme(db.Model):
    """A theme a person cares about (for the directory's theme filter)."""

    __tablename__ = "network_profile_themes"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("network_profiles.registration_id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class NetworkBlock(db.Model):
    """A person who may no longer send meeting requests to the blocker (never told so)."""

    __tablename__ = "network_blocks"

    blocker_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NetworkSlot(db.Model):
    """A networking moment of the programme (lunch, reception) open for meetings and tables.

    `tables` numbered meeting tables stand in the networking space; `tables_taken` counts the
    accepted on-site meetings and is only raised by a conditional UPDATE.
    """

    __tablename__ = "network_slots"
    __table_args__ = (
        UniqueConstraint("activity_id"),
        CheckConstraint("tables >= 0", name="tables_nonnegative"),
        CheckConstraint("tables_taken >= 0 AND tables_taken <= tables", name="tables_within"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    tables: Mapped[int] = mapped_column(default=20)
    tables_taken: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    activity: Mapped[Activity] = relationship()


class Meeting(db.Model):
    """A meeting request from one attendee to another for a slot, and its answer.

    `silenced` marks a request from a sender the invitee blocked: the sender sees it waiting,
    the invitee never sees it and no mail goes (so the block is not revealed).
    """

    __tablename__ = "network_meetings"
    __table_args__ = (
        CheckConstraint(
            "status IN ('requested', 'accepted', 'declined', 'canceled')", name="status_known"
        ),
        CheckConstraint("mode IN ('onsite', 'online')", name="mode_known"),
        CheckConstraint("requester_id <> invitee_id", name="not_self"),
        UniqueConstraint("slot_id", "table_no"),
        UniqueConstraint("room"),
        Index("ix_network_meetings_invitee", "invitee_id", "status"),
        Index("ix_network_meetings_requester", "requester_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("network_slots.id", ondelete="CASCADE"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    invitee_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="requested")
    silenced: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(String(300))
    # On site: the table number, set on acceptance (UNIQUE per slot), cleared when it ends.
    table_no: Mapped[int | None]
    # Online: the unguessable video-room name, set on acceptance.
    room: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    slot: Mapped[NetworkSlot] = relationship()
    requester: Mapped[Registration] = relationship(foreign_keys=[requester_id])
    invitee: Mapped[Registration] = relationship(foreign_keys=[invitee_id])


class ThemeTable(db.Model):
    """A themed table talk ("tafelgesprek") at a slot, with a capacity like a workshop."""

    __tablename__ = "network_theme_tables"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("taken >= 0 AND taken <= capacity", name="taken_within"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("network_slots.id", ondelete="CASCADE"), index=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    slot: Mapped[NetworkSlot] = relationship()
    theme: Mapped[Theme] = relationship()


class TableBooking(db.Model):
    """A person's place at a themed table."""

    __tablename__ = "network_table_bookings"
    __table_args__ = (UniqueConstraint("table_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("network_theme_tables.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    table: Mapped[ThemeTable] = relationship()


class SlotCommitment(db.Model):
    """What a person does in a slot: one accepted meeting or one themed table, never two."""

    __tablename__ = "network_commitments"
    __table_args__ = (
        UniqueConstraint("slot_id", "registration_id"),
        CheckConstraint("kind IN ('meeting', 'table')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("network_slots.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("network_meetings.id", ondelete="CASCADE"), index=True
    )
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("network_table_bookings.id", ondelete="CASCADE"), index=True
    )
