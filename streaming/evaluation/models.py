"""Evaluations, their anonymous answers, and who answered (kept apart on purpose).

An answer row holds the form, the day and the answers: no person, no registration, no exact
time, no IP. Its key is random, so neither the key nor the key's order matches the order of
the responders. `evaluation_responders` only records that a person answered a form; nothing in
it points to an answer row. Both tables are stored without a rowid on SQLite (clustered by
their key), so not even the file's row order follows the order of answering.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.clock import utcnow
from conference.extensions import db
from sessions.programme.models import Activity

DAY = "day"


def random_key() -> str:
    """A random answer key (122 random bits): says nothing about when or who."""
    return uuid.uuid4().hex


class Evaluation(db.Model):
    """The evaluation of the day (`target` "day") or of one activity (`target` its id).

    `questions`: the question definitions, as the registration questions store theirs
    (`key`, `type`, `label`, `label_en`, `help`, `help_en`, `required`, `choices`, `min_value`,
    `max_value`), read through the kernel's question types.
    """

    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("conference_id", "target", name="one_per_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    # "day" or the activity's id as text: one evaluation per target (a NULL is never unique).
    target: Mapped[str] = mapped_column(String(20))
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    activity: Mapped[Activity | None] = relationship()

    @property
    def for_day(self) -> bool:
        """Whether this is the evaluation of the whole day."""
        return self.activity_id is None


class EvaluationAnswer(db.Model):
    """One filled-in form: the answers and the day, nothing that says whose."""

    __tablename__ = "evaluation_answers"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_key)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), index=True
    )
    # The day only: a finer time could be matched with the responder's activity in the logs.
    answered_on: Mapped[date]
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class EvaluationResponder(db.Model):
    """That a person answered a form (to refuse a second answer, to remind the others)."""

    __tablename__ = "evaluation_responders"
    __table_args__ = {"sqlite_with_rowid": False}

    # The primary key is the UNIQUE (evaluation, registration): it decides a race.
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluations.id", ondelete="CASCADE"), primary_key=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
