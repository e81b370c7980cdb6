"""Poll models: a poll on an activity with its options, and one vote row per person and poll."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.clock import utcnow
from conference.extensions import db
from sessions.programme.models import Activity

POLL_KINDS = ("single", "multiple", "scale")
POLL_STATUSES = ("draft", "open", "closed")
SCALE = (1, 2, 3, 4, 5)
# A vote keeps its choices as a bit mask (bit i = option i), so counting stays one SQL query.
MAX_OPTIONS = 10


class Poll(db.Model):
    """A question with options (or a 1-5 scale) that moderators open and close during a session."""

    __tablename__ = "polls"
    __table_args__ = (
        CheckConstraint("kind IN ('single', 'multiple', 'scale')", name="kind_known"),
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status_known"),
        CheckConstraint("version >= 0", name="version_nonnegative"),
        Index("ix_polls_activity", "activity_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    question: Mapped[str] = mapped_column(Text)
    question_en: Mapped[str | None] = mapped_column(Text)
    # The labels in Dutch, and in English where given (an empty one falls back to Dutch).
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    options_en: Mapped[list[str] | None] = mapped_column(JSON)
    # Bumped in the same transaction as every vote, opening and closing: the pages' ETag.
    version: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    activity: Mapped[Activity] = relationship()

    def labels(self, language: str) -> list[str]:
        """The option labels in `language` (English falls back to Dutch per option)."""
        if self.kind == "scale":
            return [str(n) for n in SCALE]
        english = self.options_en or []
        if language != "en":
            return list(self.options)
        return [
            (english[i] if i < len(english) and english[i] else label)
            for i, label in enumerate(self.options)
        ]


class PollVote(db.Model):
    """One person's vote on a poll: UNIQUE per poll and person; a change updates this row."""

    __tablename__ = "poll_votes"
    __table_args__ = (
        UniqueConstraint("poll_id", "user_id"),
        CheckConstraint("choices > 0", name="choices_given"),
        CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Bit i set: option i chosen (on a scale: bit score-1).
    choices: Mapped[int]
    score: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


def mask_of(indexes: list[int]) -> int:
    """The bit mask of a set of option indexes."""
    mask = 0
    for index in indexes:
        mask |= 1 << index
    return mask


def indexes_of(mask: int) -> list[int]:
    """The option indexes set in a bit mask, in order."""
    return [i for i in range(MAX_OPTIONS) if mask & (1 << i)]
