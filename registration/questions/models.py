"""Registration questions (per conference) and the answers of each registration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.clock import utcnow
from conference.extensions import db
from conference.questions.kinds import TYPES
from registration.models import MODES, Registration

_TYPES_SQL = ", ".join(f"'{t}'" for t in TYPES)


class RegistrationQuestion(db.Model):
    """A question the organisers ask at registration; archived, never deleted, once answered.

    `choices` is a list of `{"key", "label", "label_en"}`: the key stays when a label changes,
    so the answers (which store keys) keep their meaning.
    """

    __tablename__ = "registration_questions"
    __table_args__ = (
        UniqueConstraint("conference_id", "key", name="key_once"),
        CheckConstraint(f"type IN ({_TYPES_SQL})", name="type_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(12))
    label: Mapped[str] = mapped_column(String(300))
    label_en: Mapped[str | None] = mapped_column(String(300))
    help: Mapped[str | None] = mapped_column(Text)
    help_en: Mapped[str | None] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(default=False)
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    modes: Mapped[list[str]] = mapped_column(JSON, default=lambda: list(MODES))
    min_value: Mapped[int | None]
    max_value: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    sensitive: Mapped[bool] = mapped_column(default=False)
    visible_to_speakers: Mapped[bool] = mapped_column(default=False)
    editable_until: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def archived(self) -> bool:
        """Whether the question is no longer asked (its answers stay)."""
        return self.archived_at is not None


class RegistrationAnswer(db.Model):
    """A registration's answer to a question: JSON as the validator leaves it."""

    __tablename__ = "registration_answers"
    __table_args__ = (UniqueConstraint("registration_id", "question_id", name="one_per_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("registration_questions.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    question: Mapped[RegistrationQuestion] = relationship()
    registration: Mapped[Registration] = relationship()
