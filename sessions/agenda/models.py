"""Agenda models: follows, agenda marks, activity revisions and calendar feeds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from conference.clock import utcnow
from conference.extensions import db


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
