"""Streaming models: stream settings per activity, presence, Q&A with votes, certificates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.clock import utcnow
from conference.extensions import db
from conference.models import User
from registration.models import Registration
from sessions.programme.models import Activity

PROVIDERS = ("youtube", "vimeo", "hls", "audio", "embed")
OVERRIDES = ("live", "delayed", "ended")
QUESTION_STATUSES = ("pending", "approved", "hidden")


class StreamSettings(db.Model):
    """How an activity is streamed: provider and source, replay, text alternatives, override.

    Without a row (or without a source in it) the provider is derived from `Activity.stream_url`.
    """

    __tablename__ = "stream_settings"
    __table_args__ = (
        CheckConstraint(
            "provider IS NULL OR provider IN ('youtube', 'vimeo', 'hls', 'audio', 'embed')",
            name="provider_known",
        ),
        CheckConstraint(
            "replay_provider IS NULL OR replay_provider IN "
            "('youtube', 'vimeo', 'hls', 'audio', 'embed')",
            name="replay_provider_known",
        ),
        CheckConstraint(
            "status_override IS NULL OR status_override IN ('live', 'delayed', 'ended')",
            name="override_known",
        ),
    )

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    provider: Mapped[str | None] = mapped_column(String(10))
    # A YouTube or Vimeo video id, or a URL (HLS playlist, audio stream, embeddable page).
    source: Mapped[str | None] = mapped_column(String(500))
    replay_provider: Mapped[str | None] = mapped_column(String(10))
    replay_source: Mapped[str | None] = mapped_column(String(500))
    # The source carries captions (YouTube/Vimeo subtitles, HLS subtitle tracks).
    has_captions: Mapped[bool] = mapped_column(default=False)
    # A WebVTT file shown as a captions track on a <video> player (HLS).
    captions_url: Mapped[str | None] = mapped_column(String(500))
    # A short text alternative: what the stream shows and who speaks.
    description: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    # Set by an organiser or moderator; wins over the timetable until cleared.
    status_override: Mapped[str | None] = mapped_column(String(10))
    override_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    override_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    activity: Mapped[Activity] = relationship()
    override_by: Mapped[User | None] = relationship()


class StreamPresence(db.Model):
    """A person's presence at one stream or online workshop, folded from heartbeats.

    Times are whole UTC epoch seconds: a heartbeat updates the row with one conditional
    UPDATE whose arithmetic must run the same on SQLite and PostgreSQL.
    """

    __tablename__ = "stream_presence"
    __table_args__ = (
        UniqueConstraint("registration_id", "activity_id"),
        CheckConstraint("attended_seconds >= 0", name="attended_nonnegative"),
        Index("ix_stream_presence_live", "activity_id", "last_seen_s"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    first_seen_s: Mapped[int]
    last_seen_s: Mapped[int]
    attended_seconds: Mapped[int] = mapped_column(default=0)
    beats: Mapped[int] = mapped_column(default=0)
    # When the person opened the video room through the join link (online workshops).
    joined_at: Mapped[datetime | None]
    # When the online attendance was handed to the check-in service (once).
    checkin_recorded_at: Mapped[datetime | None]

    registration: Mapped[Registration] = relationship()
    activity: Mapped[Activity] = relationship()

    @property
    def attended_minutes(self) -> int:
        """Whole minutes attended."""
        return self.attended_seconds // 60


class OnlineAttendance(db.Model):
    """A person's online time over all streams together, folded from the same heartbeats.

    Two streams in two tabs at once count once here: a certificate never claims more time
    than the person was actually online.
    """

    __tablename__ = "online_attendance"
    __table_args__ = (CheckConstraint("attended_seconds >= 0", name="attended_nonnegative"),)

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    first_seen_s: Mapped[int]
    last_seen_s: Mapped[int]
    attended_seconds: Mapped[int] = mapped_column(default=0)
    beats: Mapped[int] = mapped_column(default=0)


class Question(db.Model):
    """A question of the Q&A of an activity; moderators approve, hide, pin and answer it."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'hidden')", name="status_known"),
        CheckConstraint("votes >= 0", name="votes_nonnegative"),
        Index("ix_questions_activity", "activity_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    pinned: Mapped[bool] = mapped_column(default=False)
    answered_at: Mapped[datetime | None]
    # Kept by one UPDATE per vote, next to the UNIQUE vote rows it counts.
    votes: Mapped[int] = mapped_column(default=0)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moderated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    activity: Mapped[Activity] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    registration: Mapped[Registration | None] = relationship()

    @property
    def answered(self) -> bool:
        """Whether a moderator marked it answered."""
        return self.answered_at is not None


class QuestionVote(db.Model):
    """One person's vote for a question: UNIQUE, so a second vote cannot count."""

    __tablename__ = "question_votes"
    __table_args__ = (UniqueConstraint("question_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Certificate(db.Model):
    """An attendance certificate: one per registration, verifiable by its code."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("registration_id"), UniqueConstraint("code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    # 16 characters of Crockford base32 (80 random bits), printed in groups of four.
    code: Mapped[str] = mapped_column(String(16))
    # Snapshots, so the verification page shows what the certificate says.
    full_name: Mapped[str] = mapped_column(String(200))
    event_date: Mapped[datetime]
    minutes: Mapped[int] = mapped_column(default=0)
    # [{"activity_id", "title", "title_en", "kind", "mode", "starts_at", "ends_at", "minutes"}]
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship()
