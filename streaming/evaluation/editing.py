"""The organisers' changes to an evaluation's questions: the whole set, one question, or a set
copied to every activity of a kind.

Questions with answers keep their meaning: an evaluation that has answers is not changed
(`HasAnswers`); copying to a kind skips such evaluations and says how many it skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from conference import audit
from conference.db import write_transaction
from conference.errors import Invalid, NotFound
from conference.extensions import db
from conference.models import Conference
from sessions.programme.models import Activity
from streaming.evaluation.errors import UNKNOWN_QUESTION, HasAnswers
from streaming.evaluation.models import Evaluation, EvaluationAnswer
from streaming.evaluation.services import answer_count, clean_questions

# Stored names of the bounds, and the names the question rules (and the file) take.
BOUNDS = {"max_value": "max", "min_value": "min"}


def as_input(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored question as the question rules take it again (the API's and the file's shape)."""
    return {BOUNDS.get(k, k): v for k, v in stored.items()}


def _locked(session, conf: Conference, evaluation_id: int) -> Evaluation:
    ev = session.get(Evaluation, evaluation_id, with_for_update=True)
    if ev is None or ev.conference_id != conf.id:
        raise NotFound()
    return ev


def _store(session, ev: Evaluation, questions: list[dict[str, Any]], actor: Any) -> None:
    """Replace the questions (refused with answers when they differ), with an audit entry."""
    if questions == ev.questions:
        return
    if answer_count(session, ev.id):
        raise HasAnswers()
    audit.record(
        session, actor=actor, action="evaluation.questions", target_type="evaluation",
        target_id=ev.id, before={"keys": [q["key"] for q in ev.questions or ()]},
        after={"keys": [q["key"] for q in questions]},
    )  # fmt: skip
    ev.questions = questions


def set_questions(conf: Conference, evaluation_id: int, data: Any, *, actor: Any = None):
    """Replace an evaluation's questions; HasAnswers once it has answers, Invalid if bad."""
    questions = clean_questions(data)
    with write_transaction(db.session) as session:
        ev = _locked(session, conf, evaluation_id)
        _store(session, ev, questions, actor)
    return ev


def _one(exc: Invalid, index: int) -> Invalid:
    """The errors of the question at `index`, named as its own fields (`choices.0.key`)."""
    prefix = f"questions.{index}."
    return Invalid(
        fields={k.removeprefix(prefix): v for k, v in (exc.fields or {}).items()},
    )


def _edit(conf: Conference, evaluation_id: int, change, actor: Any) -> None:
    """Apply `change(list of questions as input) -> index edited` and store the result."""
    with write_transaction(db.session) as session:
        ev = _locked(session, conf, evaluation_id)
        items = [as_input(q) for q in ev.questions or ()]
        index = change(items)
        try:
            questions = clean_questions(items)
        except Invalid as exc:
            raise _one(exc, index) from None
        _store(session, ev, questions, actor)


def _position(items: list[dict[str, Any]], key: str) -> int:
    found = next((i for i, q in enumerate(items) if q["key"] == key), None)
    if found is None:
        raise NotFound()
    return found


def add_question(conf: Conference, evaluation_id: int, data: dict[str, Any], *, actor: Any):
    """Add a question at the end of the form."""

    def change(items):
        items.append(data)
        return len(items) - 1

    _edit(conf, evaluation_id, change, actor)


def change_question(
    conf: Conference, evaluation_id: int, key: str, data: dict[str, Any], *, actor: Any
) -> None:
    """Change one question; its key stays."""

    def change(items):
        i = _position(items, key)
        items[i] = {**data, "key": key}
        return i

    _edit(conf, evaluation_id, change, actor)


def remove_question(conf: Conference, evaluation_id: int, key: str, *, actor: Any) -> None:
    """Take a question out of the form (an evaluation keeps at least one)."""

    def change(items):
        items.pop(_position(items, key))
        return 0

    _edit(conf, evaluation_id, change, actor)


def question_of(ev: Evaluation, key: str) -> dict[str, Any]:
    """One stored question of `ev` by its key, or NotFound."""
    found = next((q for q in ev.questions or () if q["key"] == key), None)
    if found is None:
        raise NotFound(UNKNOWN_QUESTION)
    return found


@dataclass
class Copied:
    """What copying a set to a kind did: evaluations changed, and skipped for their answers."""

    changed: int
    skipped: int


def same_kind(session, conf: Conference, ev: Evaluation) -> list[Evaluation]:
    """The other evaluations of activities of `ev`'s kind."""
    if ev.activity is None:
        return []
    return list(
        session.scalars(
            select(Evaluation)
            .join(Activity, Activity.id == Evaluation.activity_id)
            .where(
                Evaluation.conference_id == conf.id,
                Activity.kind == ev.activity.kind,
                Evaluation.id != ev.id,
            )
            .order_by(Evaluation.id)
        )
    )


def with_answers(session, ids: list[int]) -> set[int]:
    """Which of these evaluations have answers."""
    return set(
        session.scalars(
            select(EvaluationAnswer.evaluation_id)
            .where(EvaluationAnswer.evaluation_id.in_(ids))
            .distinct()
        )
    )


def copy_to_kind(conf: Conference, evaluation_id: int, *, actor: Any) -> Copied:
    """Give every other activity of this one's kind the same questions (not those with answers)."""
    with write_transaction(db.session) as session:
        source = _locked(session, conf, evaluation_id)
        others = same_kind(session, conf, source)
        answered = with_answers(session, [o.id for o in others])
        changed = skipped = 0
        for other in others:
            if other.questions == source.questions:
                continue
            if other.id in answered:
                skipped += 1
                continue
            _store(session, other, list(source.questions), actor)
            changed += 1
    return Copied(changed, skipped)
