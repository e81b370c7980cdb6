"""Asking the questions: which apply, checking and keeping answers, reading them back.

The answer rules are the kernel's (`conference.questions.kinds`); this module knows which
questions a conference asks, for which mode, until when answers may change, and where answers
are kept. Writers run inside the caller's write transaction (the registration, a change to it).
Checks read the questions from a per-process copy kept on the `conference` stamp
(`asked_questions`), so a registration in a rush does not query them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session

from conference import live
from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import Invalid
from conference.extensions import db
from conference.questions import kinds
from conference.questions.kinds import Choice, QuestionDef, clean_answers
from conference.snapshot import CONFERENCE_TOPIC, kept
from conference.validation import tidy_search
from registration.models import NOT_ATTENDING, Registration
from registration.questions.models import RegistrationAnswer, RegistrationQuestion
from registration.venue import lock_registration

ONLY_FOR = {
    "onsite": _l("Alleen voor wie ter plaatse komt."),
    "online": _l("Alleen voor wie online deelneemt."),
}
TOO_LATE = _l("Dit antwoord kan je niet meer wijzigen.")


def questions_of(
    session: Session, conference_id: int, *, archived: bool = False
) -> list[RegistrationQuestion]:
    """The conference's questions in form order; with `archived`, the archived ones too."""
    query = select(RegistrationQuestion).where(RegistrationQuestion.conference_id == conference_id)
    if not archived:
        query = query.where(RegistrationQuestion.archived_at.is_(None))
    return list(
        session.scalars(query.order_by(RegistrationQuestion.position, RegistrationQuestion.id))
    )


@dataclass(frozen=True, slots=True, eq=False)  # eq=False: hashed as itself (a dict's key)
class AskedQuestion:
    """A question as the answer checks need it, read-only; its id keys the stored answer."""

    id: int
    key: str
    modes: tuple[str, ...]
    editable_until: datetime | None
    definition: QuestionDef  # in Dutch: the messages are translated when shown


def watch_questions() -> None:
    """Every ORM change of a question moves the `conference` stamp (the kept copies below)."""
    live.watch(RegistrationQuestion, lambda _q: [CONFERENCE_TOPIC])


def asked_questions(session: Session, conference_id: int) -> tuple[AskedQuestion, ...]:
    """The conference's questions in form order, kept per process (`conference.snapshot.kept`)."""

    def read() -> tuple[AskedQuestion, ...]:
        return tuple(
            AskedQuestion(q.id, q.key, tuple(q.modes), q.editable_until, definition(q, "nl"))
            for q in questions_of(session, conference_id)
        )

    return kept(f"registration_questions:{conference_id}", read)


def _pick(language: str, dutch: str | None, english: str | None) -> str | None:
    return english if language == "en" and english else dutch


def definition(q: RegistrationQuestion, language: str, *, note: bool = False) -> QuestionDef:
    """The question in `language` (English falls back to Dutch), as forms and checks need it."""
    choices = tuple(
        Choice(c["key"], _pick(language, c["label"], c.get("label_en")) or c["key"])
        for c in q.choices or ()
    )
    only = None
    if note and len(q.modes) == 1:
        with force_locale(language):
            only = str(ONLY_FOR[q.modes[0]])
    return QuestionDef(
        key=q.key,
        type=q.type,
        label=_pick(language, q.label, q.label_en) or q.key,
        help=_pick(language, q.help, q.help_en),
        required=q.required,
        choices=choices,
        max=q.max_value,
        min=q.min_value,
        note=only,
    )


def form_questions(
    session: Session, conference_id: int, language: str, mode: str | None = None
) -> list[QuestionDef]:
    """The questions a form shows: those of `mode`, or all (noting the single-mode ones)."""
    return [
        definition(q, language, note=mode is None)
        for q in questions_of(session, conference_id)
        if mode is None or mode in q.modes
    ]


def public_json(q: RegistrationQuestion, language: str) -> dict[str, Any]:
    """A question as `GET /api/v1/registration-form` shows it."""
    d = definition(q, language)
    body: dict[str, Any] = {
        "key": d.key, "type": d.type, "label": d.label, "help": d.help,
        "required": d.required, "modes": list(q.modes),
    }  # fmt: skip
    if d.choices:
        body["choices"] = [{"key": c.key, "label": c.label} for c in d.choices]
    if q.max_value is not None:
        body["max"] = q.max_value
    if q.min_value is not None:
        body["min"] = q.min_value
    return body


def check_answers(
    session: Session,
    conference_id: int,
    raw: Any,
    mode: str,
    *,
    partial: bool = False,
    now: datetime | None = None,
) -> dict[AskedQuestion, Any]:
    """Checked answers for a registration in `mode`; raises Invalid (`answers.<key>`).

    Answers to the other mode's questions are dropped. With `now` (a change by the person),
    a question past its `editable_until` refuses a changed answer.
    """
    questions = asked_questions(session, conference_id)
    asked = [q for q in questions if mode in q.modes]
    ignore = [q.key for q in questions if mode not in q.modes]
    clean = clean_answers([q.definition for q in asked], raw, partial=partial, ignore=ignore)
    by_key = {q.key: q for q in asked}
    if now is not None:
        late = [key for key in clean if _closed(by_key[key], now)]
        if late:
            raise Invalid(fields={f"answers.{key}": TOO_LATE for key in late})
    return {by_key[key]: value for key, value in clean.items()}


def _closed(q: AskedQuestion, now: datetime) -> bool:
    return q.editable_until is not None and q.editable_until <= now


def keep_answers(
    session: Session,
    registration_id: int,
    answers: dict[AskedQuestion, Any],
    now: datetime,
    *,
    new: bool = False,
) -> None:
    """Write answers of a (locked or `new`) registration; an empty answer removes the row."""
    if not answers:
        return
    if not new:  # a registration made in this transaction has no answers to replace
        session.execute(
            delete(RegistrationAnswer).where(
                RegistrationAnswer.registration_id == registration_id,
                RegistrationAnswer.question_id.in_([q.id for q in answers]),
            )
        )
    rows = [
        {"registration_id": registration_id, "question_id": q.id, "value": value,
         "created_at": now, "updated_at": now}
        for q, value in answers.items()
        if value is not None
    ]  # fmt: skip
    if rows:
        session.execute(insert(RegistrationAnswer.__table__), rows)


def delete_answers(session: Session, registration_id: int) -> None:
    """Remove every answer of a registration (erasure)."""
    session.execute(
        delete(RegistrationAnswer).where(RegistrationAnswer.registration_id == registration_id)
    )


def answers_by_key(registration_id: int, *, archived: bool = False) -> dict[str, Any]:
    """A registration's answers keyed by question; with `archived`, archived questions too."""
    query = (
        select(RegistrationQuestion.key, RegistrationAnswer.value)
        .join(RegistrationAnswer, RegistrationAnswer.question_id == RegistrationQuestion.id)
        .where(RegistrationAnswer.registration_id == registration_id)
        .order_by(RegistrationQuestion.position, RegistrationQuestion.id)
    )
    if not archived:
        query = query.where(RegistrationQuestion.archived_at.is_(None))
    return {key: value for key, value in db.session.execute(query)}


def answer_counts(conference_id: int) -> dict[int, int]:
    """Per question of the conference (by id), how many registrations answered it."""
    query = (
        select(RegistrationAnswer.question_id, func.count())
        .join(RegistrationQuestion, RegistrationQuestion.id == RegistrationAnswer.question_id)
        .where(RegistrationQuestion.conference_id == conference_id)
        .group_by(RegistrationAnswer.question_id)
    )
    return {question_id: count for question_id, count in db.session.execute(query)}


def answers_export(reg: Registration) -> list[dict[str, Any]]:
    """Every answer of a registration (archived questions too), for the personal data export."""
    rows = db.session.execute(
        select(RegistrationQuestion, RegistrationAnswer.value)
        .join(RegistrationAnswer, RegistrationAnswer.question_id == RegistrationQuestion.id)
        .where(RegistrationAnswer.registration_id == reg.id)
        .order_by(RegistrationQuestion.position, RegistrationQuestion.id)
    )
    return [
        {"key": q.key, "question": definition(q, reg.language).label, "answer": value,
         "text": answer_text(q, value, reg.language)}
        for q, value in rows
    ]  # fmt: skip


def answers_table(registration_ids: Iterable[int]) -> dict[int, dict[int, Any]]:
    """Per registration, its answers keyed by question id (exports, lists)."""
    ids = list(registration_ids)
    result: dict[int, dict[int, Any]] = {}
    for start in range(0, len(ids), 500):  # SQLite: at most 999 bound values
        rows = db.session.execute(
            select(
                RegistrationAnswer.registration_id,
                RegistrationAnswer.question_id,
                RegistrationAnswer.value,
            ).where(RegistrationAnswer.registration_id.in_(ids[start : start + 500]))
        )
        for reg_id, question_id, value in rows:
            result.setdefault(reg_id, {})[question_id] = value
    return result


def answer_text(q: RegistrationQuestion, value: Any, language: str = "nl") -> str:
    """An answer as a reader of `language` sees it (exports, lists, the personal page)."""
    with force_locale(language):
        return kinds.answer_text(definition(q, language), value)


def closed_keys(session: Session, conference_id: int, now: datetime) -> set[str]:
    """The questions whose answers can no longer be changed."""
    return {q.key for q in asked_questions(session, conference_id) if _closed(q, now)}


def change_answers(session: Session, reg: Registration, raw: Any, now: datetime) -> None:
    """The person changes some answers (PATCH /me, the personal page), before each deadline."""
    checked = check_answers(session, reg.conference_id, raw, reg.mode, partial=True, now=now)
    keep_answers(session, reg.id, checked, now)


def update_answers(registration_id: int, raw: Any, now: datetime | None = None) -> None:
    """Change one's answers in a transaction of its own (the personal page)."""
    now = now or utcnow()
    with write_transaction(db.session) as session:
        reg = lock_registration(session, registration_id)
        change_answers(session, reg, raw, now)


def answer_columns(
    conference_id: int, registration_ids: Iterable[int], *, for_speakers: bool = False
) -> tuple[list[str], dict[int, list[str]]]:
    """Export columns: one header per question and, per registration, its answers as text.

    Organisers get every question, archived ones too (marked); speakers' and guides' lists only
    the questions shown to speakers, never a sensitive one.
    """
    questions = questions_of(db.session, conference_id, archived=not for_speakers)
    if for_speakers:
        questions = [q for q in questions if q.visible_to_speakers and not q.sensitive]
    headers = [q.label + (f" ({_l('gearchiveerd')})" if q.archived else "") for q in questions]
    ids = list(registration_ids)
    table = answers_table(ids) if questions else {}
    rows = {
        reg_id: [answer_text(q, table.get(reg_id, {}).get(q.id)) for q in questions]
        for reg_id in ids
    }
    return headers, rows


def registrations_answering(conference_id: int, key: str, wanted: str) -> Select:
    """A SELECT of the ids of registrations whose answer to `key` matches `wanted`.

    `wanted` is a choice key (one of several choices counts), `yes`/`no`, or a text or number
    as it reads. Filtered in Python: JSON operators differ between SQLite and PostgreSQL, and a
    question has at most a few thousand answers.
    """
    rows = db.session.execute(
        select(
            RegistrationAnswer.registration_id, RegistrationAnswer.value, RegistrationQuestion.type
        )
        .join(RegistrationQuestion, RegistrationQuestion.id == RegistrationAnswer.question_id)
        .where(RegistrationQuestion.conference_id == conference_id, RegistrationQuestion.key == key)
    )
    ids = [reg_id for reg_id, value, kind in rows if _matches(kind, value, wanted)]
    return (
        select(RegistrationAnswer.registration_id)
        .where(
            RegistrationAnswer.registration_id.in_(ids or [0]),
        )
        .distinct()
    )


def answer_filter(args: Any) -> tuple[str, str] | None:
    """`?question=<key>&answer=<value>` (or `?answer=<key>:<value>`, a screen's one menu) of a
    list or export, tidied; None when not asked."""
    key = tidy_search(args.get("question"), "question", 40)
    wanted = tidy_search(args.get("answer"), "answer")
    if not key and ":" in wanted:
        key, wanted = wanted.split(":", 1)
    return (key, wanted) if key and wanted else None


def answer_options(conference_id: int) -> list[tuple[str, str]]:
    """The answers a screen can filter on: each choice and yes/no, with how many gave it."""
    return [
        (f"{counted['question'].key}:{_filter_word(item['key'])}",
         f"{counted['question'].label}: {item['label']} ({item['count']})")
        for counted in choice_counts(conference_id)
        for item in counted["counts"]
    ]  # fmt: skip


def _filter_word(key: Any) -> str:
    if isinstance(key, bool):
        return "yes" if key else "no"
    return str(key)


def _matches(kind: str, value: Any, wanted: str) -> bool:
    if kind == "choices":
        return wanted in (value or [])
    if kind == "yes_no":
        return {"yes": True, "no": False}.get(wanted) is value
    if kind in ("text", "long_text"):
        return wanted.casefold() in str(value).casefold()
    return str(value) == wanted


def choice_counts(conference_id: int) -> list[dict[str, Any]]:
    """Per choice, yes/no question (archived too), how many active registrations chose what."""
    questions = [
        q for q in questions_of(db.session, conference_id, archived=True)
        if q.type in ("choice", "choices", "yes_no")
    ]  # fmt: skip
    rows = db.session.execute(
        select(RegistrationAnswer.question_id, RegistrationAnswer.value)
        .join(Registration, Registration.id == RegistrationAnswer.registration_id)
        .where(
            Registration.conference_id == conference_id,
            Registration.status.not_in(NOT_ATTENDING),
        )
    )
    counts: dict[int, dict[Any, int]] = {}
    for question_id, value in rows:
        for item in value if isinstance(value, list) else [value]:
            bucket = counts.setdefault(question_id, {})
            bucket[item] = bucket.get(item, 0) + 1
    return [_counted(q, counts.get(q.id, {})) for q in questions]


def _counted(q: RegistrationQuestion, counts: dict[Any, int]) -> dict[str, Any]:
    if q.type == "yes_no":
        options = [(True, _l("Ja")), (False, _l("Nee"))]
    else:
        options = [(c["key"], c["label"]) for c in q.choices]
    return {
        "question": q,
        "counts": [
            {"key": key, "label": text, "count": counts.get(key, 0)} for key, text in options
        ],
    }
