"""Evaluations: their questions and windows, the forms open to a person, and answering.

Answering writes two rows in one transaction: the anonymous answer and the responder mark.
The responder's primary key (evaluation, registration) decides a race between two tabs or
two devices: the second insert fails, the whole transaction rolls back, nothing is stored.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference import audit
from conference.clock import local, utcnow
from conference.db import write_transaction
from conference.errors import Invalid, NotFound
from conference.extensions import db
from conference.models import Conference
from conference.questions.kinds import QuestionDef, clean_answers
from registration.models import Registration
from registration.questions.editing import clean_question
from registration.questions.services import definition
from sessions.programme.models import Activity
from streaming.evaluation.attendance import has_attended
from streaming.evaluation.defaults import (
    DEFAULT_OPEN_DAYS,
    DEFAULT_QUESTIONS,
    EVALUATED_KINDS,
    MINUTES_SETTING,
    OPEN_DAYS_SETTING,
)
from streaming.evaluation.errors import (
    DOUBLE_KEY,
    NOT_FOR_EVALUATION,
    QUESTION_COUNT,
    AlreadyAnswered,
    EvaluationClosed,
    NotAttended,
)
from streaming.evaluation.models import DAY, Evaluation, EvaluationAnswer, EvaluationResponder

# What an evaluation's question may hold: the registration questions' fields, less those
# about registration (modes, sensitivity, deadlines, order).
QUESTION_FIELDS = ("key", "type", "label", "label_en", "help", "help_en", "required", "choices",
                   "min_value", "max_value")  # fmt: skip
# Every stored question has every field, so that two equal sets compare equal.
EMPTY: dict[str, Any] = {"required": False, "choices": []}
NOT_HERE = ("modes", "sensitive", "visible_to_speakers", "editable_until", "position")


# -- questions -------------------------------------------------------------------------------


def questions_of(ev: Evaluation, language: str) -> list[QuestionDef]:
    """The evaluation's questions in `language`, as the kernel's question types need them."""
    return [definition(_as_row(q), language) for q in ev.questions or ()]


def _as_row(stored: dict[str, Any]) -> SimpleNamespace:
    values = {name: stored.get(name) for name in QUESTION_FIELDS}
    values["choices"] = values["choices"] or []
    values["required"] = bool(values["required"])
    return SimpleNamespace(**values, modes=[])


def clean_questions(data: Any) -> list[dict[str, Any]]:
    """Question definitions as stored (the registration questions' rules); or Invalid."""
    if not isinstance(data, list) or not 1 <= len(data) <= 20:
        raise Invalid(fields={"questions": QUESTION_COUNT})
    out, errors, seen = [], {}, set()
    for i, item in enumerate(data):
        item = item if isinstance(item, dict) else {}
        try:
            clean = clean_question({k: v for k, v in item.items() if k not in NOT_HERE})
        except Invalid as exc:
            errors.update({f"questions.{i}.{k}": v for k, v in (exc.fields or {}).items()})
            continue
        errors.update({f"questions.{i}.{k}": NOT_FOR_EVALUATION for k in item if k in NOT_HERE})
        if clean["key"] in seen:
            errors[f"questions.{i}.key"] = DOUBLE_KEY
        seen.add(clean["key"])
        out.append({k: clean.get(k, EMPTY.get(k)) for k in QUESTION_FIELDS})
    if errors:
        raise Invalid(fields=errors)
    return out


def default_questions() -> list[dict[str, Any]]:
    """The default set, checked by the same rules as the organisers' own questions."""
    return clean_questions(DEFAULT_QUESTIONS)


# -- the evaluations of a conference -----------------------------------------------------------


def most_common(sets: list[list[dict[str, Any]]]) -> list[dict[str, Any]] | None:
    """The question set asked most often (the first of equals), or None."""
    counts = Counter(json.dumps(q, sort_keys=True) for q in sets)
    return json.loads(counts.most_common(1)[0][0]) if counts else None


def usual_questions(session: Session, conf: Conference) -> dict[str | None, list[dict[str, Any]]]:
    """Per activity kind the set its evaluations ask most; under None, that of all activities."""
    rows = session.execute(
        select(Activity.kind, Evaluation.questions)
        .join(Activity, Activity.id == Evaluation.activity_id)
        .where(Evaluation.conference_id == conf.id)
        .order_by(Activity.starts_at, Activity.id)
    ).all()
    usual: dict[str | None, list[dict[str, Any]]] = {}
    for kind in {k for k, _ in rows}:
        usual[kind] = most_common([q for k, q in rows if k == kind]) or []
    usual[None] = most_common([q for _, q in rows]) or default_questions()
    return usual


def ensure_evaluations(session: Session, conf: Conference) -> int:
    """Give the day and every evaluated activity an evaluation.

    A new activity asks what most activities of its kind ask (else most activities, else the
    default set), the day the default set. Runs in the caller's transaction (the programme's
    load, the mail job); existing ones are left as they are. Returns how many were made.
    """
    have = set(
        session.scalars(select(Evaluation.target).where(Evaluation.conference_id == conf.id))
    )
    wanted: list[tuple[str, int | None, str | None]] = [] if DAY in have else [(DAY, None, None)]
    acts = session.execute(
        select(Activity.id, Activity.kind)
        .where(Activity.conference_id == conf.id, Activity.kind.in_(EVALUATED_KINDS))
        .order_by(Activity.starts_at, Activity.id)
    )
    wanted += [(str(a), a, kind) for a, kind in acts if str(a) not in have]
    usual = usual_questions(session, conf) if wanted else {}
    made = 0
    for target, activity_id, kind in wanted:
        day = activity_id is None
        questions = default_questions() if day else (usual.get(kind) or usual[None])
        try:
            with session.begin_nested():
                session.add(
                    Evaluation(
                        conference_id=conf.id,
                        target=target,
                        activity_id=activity_id,
                        questions=questions,
                    )
                )
            made += 1
        except IntegrityError:
            pass  # made at the same moment by another process
    return made


def evaluations_of(conf: Conference, *, active_only: bool = False) -> list[Evaluation]:
    """The conference's evaluations: the day first, then the activities in time order."""
    query = (
        select(Evaluation)
        .outerjoin(Activity, Activity.id == Evaluation.activity_id)
        .where(Evaluation.conference_id == conf.id)
        .order_by(Evaluation.activity_id.is_not(None), Activity.starts_at, Activity.id)
    )
    if active_only:
        query = query.where(Evaluation.active.is_(True))
    return list(db.session.scalars(query))


def evaluation_of(conf: Conference, evaluation_id: int) -> Evaluation:
    """One evaluation of this conference, or NotFound."""
    ev = db.session.get(Evaluation, evaluation_id)
    if ev is None or ev.conference_id != conf.id:
        raise NotFound()
    return ev


def window(conf: Conference, ev: Evaluation) -> tuple[datetime, datetime, datetime]:
    """(opens, ends: the moment the mail goes, closes) of an evaluation."""
    part = ev.activity if ev.activity is not None else conf
    days = (conf.settings or {}).get(OPEN_DAYS_SETTING, DEFAULT_OPEN_DAYS)
    return part.starts_at, part.ends_at, part.ends_at + timedelta(days=int(days or 0))


def is_open(conf: Conference, ev: Evaluation, now: datetime) -> bool:
    """Whether answers are taken now: active, with questions, within its window."""
    opens, _ends, closes = window(conf, ev)
    return ev.active and bool(ev.questions) and opens <= now < closes


def title_of(conf: Conference, ev: Evaluation, language: str) -> str:
    """What the evaluation is about, in `language`."""
    part = ev.activity if ev.activity is not None else conf
    english = part.title_en if isinstance(part, Activity) else part.name_en
    dutch = part.title if isinstance(part, Activity) else part.name
    return english if language == "en" and english else dutch


def answered_ids(registration_id: int) -> set[int]:
    """The evaluations this person answered."""
    return set(
        db.session.scalars(
            select(EvaluationResponder.evaluation_id).where(
                EvaluationResponder.registration_id == registration_id
            )
        )
    )


def open_for(conf: Conference, reg: Registration, now: datetime | None = None) -> list[Evaluation]:
    """The evaluations this person may fill in now: open, attended, not yet answered."""
    now = now or utcnow()
    done = answered_ids(reg.id)
    return [
        ev
        for ev in evaluations_of(conf, active_only=True)
        if ev.id not in done
        and is_open(conf, ev, now)
        and has_attended(conf, ev, reg.id, db.session)
    ]


# -- answering ---------------------------------------------------------------------------------


def why_not(conf: Conference, ev: Evaluation, reg: Registration, now: datetime | None = None):
    """Why this person may not answer `ev` now (an error to raise), or None when they may."""
    if not is_open(conf, ev, now or utcnow()):
        return EvaluationClosed()
    if not has_attended(conf, ev, reg.id, db.session):
        return NotAttended()
    if ev.id in answered_ids(reg.id):
        return AlreadyAnswered()
    return None


def answer(
    conf: Conference, evaluation_id: int, reg: Registration, raw: Any, now: datetime | None = None
) -> None:
    """Store one anonymous answer and mark the person as having answered, or raise.

    NotFound, EvaluationClosed, NotAttended, AlreadyAnswered (also when another request of the
    same person won a race), Invalid with `fields["answers.<key>"]`.
    """
    now = now or utcnow()
    with write_transaction(db.session) as session:
        ev = session.get(Evaluation, evaluation_id)
        if ev is None or ev.conference_id != conf.id:
            raise NotFound()
        problem = why_not(conf, ev, reg, now)
        if problem is not None:
            raise problem
        clean = clean_answers(questions_of(ev, "nl"), raw)
        try:
            with session.begin_nested():
                session.add(EvaluationResponder(evaluation_id=ev.id, registration_id=reg.id))
                session.flush()
        except IntegrityError:
            raise AlreadyAnswered() from None
        session.add(
            EvaluationAnswer(
                evaluation_id=ev.id, answered_on=local(now, conf.timezone).date(), answers=clean
            )
        )


def set_active(conf: Conference, evaluation_id: int, active: bool, *, actor: Any) -> Evaluation:
    """Switch an evaluation on or off (off: no mail, not on personal pages, no answers)."""
    with write_transaction(db.session) as session:
        ev = session.get(Evaluation, evaluation_id)
        if ev is None or ev.conference_id != conf.id:
            raise NotFound()
        audit.record(
            session, actor=actor, action="evaluation.active", target_type="evaluation",
            target_id=ev.id, before={"active": ev.active}, after={"active": active},
        )  # fmt: skip
        ev.active = active
    return ev


def set_stream_minutes(conf: Conference, minutes: int, *, actor: Any) -> None:
    """Set how many watched minutes count as attending (for every evaluation)."""
    with write_transaction(db.session) as session:
        row = session.get(Conference, conf.id)
        before = (row.settings or {}).get(MINUTES_SETTING)
        row.settings = {**(row.settings or {}), MINUTES_SETTING: minutes}
        audit.record(session, actor=actor, action="evaluation.settings", target_type="conference",
                     target_id=row.id, before={MINUTES_SETTING: before},
                     after={MINUTES_SETTING: minutes})  # fmt: skip


def answer_count(session: Session, evaluation_id: int) -> int:
    """How many answers an evaluation has."""
    return (
        session.scalar(
            select(func.count())
            .select_from(EvaluationAnswer)
            .where(EvaluationAnswer.evaluation_id == evaluation_id)
        )
        or 0
    )
