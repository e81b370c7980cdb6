"""The organisers' side: define, change, reorder and archive questions (one transaction each).

A question with answers is archived, never deleted, and keeps its type; a choice keeps its key
when its labels change, so every stored answer keeps its meaning.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conference import audit
from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import Invalid, NotFound
from conference.extensions import db
from conference.questions.kinds import KEY_PATTERN, NUMBER_RANGE, TEXT_LIMIT, TYPES
from conference.validation import parse_time, text_field
from registration.models import MODES
from registration.questions.models import RegistrationAnswer, RegistrationQuestion

CHOICE_TYPES = ("choice", "choices")
FIELDS = {
    "key", "type", "label", "label_en", "help", "help_en", "required", "choices", "modes",
    "max", "min", "sensitive", "visible_to_speakers", "editable_until", "position",
}  # fmt: skip
KEY_RULE = _l("Gebruik kleine letters, cijfers en _, beginnend met een letter (max. 40).")
FLAGS = ("required", "sensitive", "visible_to_speakers")


def _key(value: Any) -> str | None:
    return value if isinstance(value, str) and KEY_PATTERN.fullmatch(value) else None


def _choices(value: Any, errors: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices as stored: each a unique key with a Dutch label and maybe an English one."""
    if not isinstance(value, list) or not 1 <= len(value) <= 50:
        errors["choices"] = _l("Geef 1 tot 50 keuzes, elk met een sleutel en een label.")
        return []
    out, seen = [], set()
    for i, item in enumerate(value):
        item = item if isinstance(item, dict) else {}
        key = _key(item.get("key"))
        label = text_field(item.get("label"), f"choices.{i}.label", 200, errors)
        label_en = text_field(item.get("label_en"), f"choices.{i}.label_en", 200, errors)
        if key is None or key in seen:
            errors[f"choices.{i}.key"] = KEY_RULE if key is None else _l("Deze sleutel is dubbel.")
        elif not label and f"choices.{i}.label" not in errors:
            errors[f"choices.{i}.label"] = _l("Geef de keuze een label.")
        else:
            seen.add(key)
            out.append({"key": key, "label": label, "label_en": label_en})
    return out


def _modes(value: Any, errors: dict[str, Any]) -> list[str]:
    if not isinstance(value, list) or not value or any(m not in MODES for m in value):
        errors["modes"] = _l("Kies ter plaatse, online of allebei.")
        return []
    return [m for m in MODES if m in value]


def _bound(value: Any, field: str, kind: str | None, errors: dict[str, Any]) -> int | None:
    if value is None:
        return None
    if kind == "number":
        low, high = NUMBER_RANGE
    else:  # the most characters of a text, or a place in the form
        low, high = (1, TEXT_LIMIT.get(kind or "", 1000))
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[field] = _l("Een geheel getal van %(low)d tot %(high)d.", low=low, high=high)
        return None
    return value


def _texts(data: dict[str, Any], given: Any, out: dict[str, Any], errors: dict[str, Any]) -> None:
    if given("label"):
        out["label"] = text_field(data.get("label"), "label", 300, errors)
        if out["label"] is None:
            errors.setdefault("label", _l("Geef de vraag een label."))
    for name, limit in (("label_en", 300), ("help", 1000), ("help_en", 1000)):
        if name in data:
            out[name] = text_field(data[name], name, limit, errors, multiline=name != "label_en")


def _settings(data: dict[str, Any], kind: Any, out: dict[str, Any], errors: dict[str, Any]) -> None:
    for name in FLAGS:
        if name in data and not isinstance(data[name], bool):
            errors[name] = _l("Kies ja (true) of nee (false).")
        elif name in data:
            out[name] = data[name]
    if "modes" in data:
        out["modes"] = _modes(data["modes"], errors)
    for name, column in (("max", "max_value"), ("min", "min_value"), ("position", "position")):
        if name in data:
            out[column] = _bound(data[name], name, kind if name != "position" else None, errors)
    if data.get("editable_until") is not None:
        out["editable_until"] = parse_time(data["editable_until"], "editable_until")
    elif "editable_until" in data:
        out["editable_until"] = None


def clean_question(
    data: dict[str, Any], current: RegistrationQuestion | None = None
) -> dict[str, Any]:
    """A question's fields as stored (only those given when `current` is changed); or Invalid."""
    errors: dict[str, Any] = {key: _l("Onbekend veld.") for key in data if key not in FIELDS}
    out: dict[str, Any] = {}

    def given(name: str) -> bool:
        return current is None or name in data

    if current is None:
        out["key"] = _key(data.get("key"))
        if out["key"] is None:
            errors["key"] = KEY_RULE
    elif "key" in data and data["key"] != current.key:
        errors["key"] = _l("De sleutel van een vraag verandert niet.")
    kind = data.get("type", current.type if current else None)
    if given("type") and kind not in TYPES:
        errors["type"] = _l("Kies een van: %(types)s.", types=", ".join(TYPES))
    elif given("type"):
        out["type"] = kind
    _texts(data, given, out, errors)
    if kind in CHOICE_TYPES and (given("choices") or "type" in data):
        out["choices"] = _choices(data.get("choices", current.choices if current else None), errors)
    elif "choices" in data and data["choices"] not in (None, []):
        errors["choices"] = _l("Alleen een keuzevraag heeft keuzes.")
    _settings(data, kind, out, errors)
    if errors:
        raise Invalid(fields=errors)
    return out


def _question(session: Session, conference_id: int, key: str) -> RegistrationQuestion:
    found = session.scalar(
        select(RegistrationQuestion).where(
            RegistrationQuestion.conference_id == conference_id, RegistrationQuestion.key == key
        )
    )
    if found is None:
        raise NotFound()
    return found


def question_by_key(conference_id: int, key: str) -> RegistrationQuestion:
    """A question of the conference (archived too), or NotFound."""
    return _question(db.session, conference_id, key)


def has_answers(session: Session, question_id: int) -> bool:
    """Whether anyone answered the question."""
    return (
        session.scalar(
            select(RegistrationAnswer.id)
            .where(RegistrationAnswer.question_id == question_id)
            .limit(1)
        )
        is not None
    )


def snapshot(q: RegistrationQuestion) -> dict[str, Any]:
    """A question's fields, for the audit log and the organisers' API."""
    return {
        "key": q.key, "type": q.type, "label": q.label, "label_en": q.label_en, "help": q.help,
        "help_en": q.help_en, "required": q.required, "choices": list(q.choices or []),
        "modes": list(q.modes), "max": q.max_value, "min": q.min_value, "position": q.position,
        "sensitive": q.sensitive, "visible_to_speakers": q.visible_to_speakers,
        "editable_until": q.editable_until, "archived": q.archived,
    }  # fmt: skip


def create_question(
    conference_id: int, data: dict[str, Any], *, actor: Any
) -> RegistrationQuestion:
    """A new question at the end of the form."""
    clean = clean_question(data)
    with write_transaction(db.session) as session:
        if session.scalar(
            select(RegistrationQuestion.id).where(
                RegistrationQuestion.conference_id == conference_id,
                RegistrationQuestion.key == clean["key"],
            )
        ):
            raise Invalid(fields={"key": _l("Er is al een vraag met deze sleutel.")})
        last = session.scalar(
            select(func.max(RegistrationQuestion.position)).where(
                RegistrationQuestion.conference_id == conference_id
            )
        )
        clean.setdefault("position", (last or 0) + 1)
        clean.setdefault("modes", list(MODES))
        q = RegistrationQuestion(conference_id=conference_id, **clean)
        session.add(q)
        session.flush()
        audit.record(session, actor=actor, action="question.create", target_type="question",
                     target_id=q.key, after=snapshot(q))  # fmt: skip
    return q


def update_question(
    conference_id: int, key: str, data: dict[str, Any], *, actor: Any
) -> RegistrationQuestion:
    """Change a question; one with answers keeps its type (the answers keep their meaning)."""
    with write_transaction(db.session) as session:
        q = _question(session, conference_id, key)
        clean = clean_question(data, q)
        if clean.get("type", q.type) != q.type and has_answers(session, q.id):
            raise Invalid(fields={"type": _l("Deze vraag heeft al antwoorden: het type blijft.")})
        before = snapshot(q)
        _apply(q, clean)
        session.flush()
        audit.record_changes(session, actor=actor, action="question.update", target_type="question",
                             target_id=q.key, before=before, after=snapshot(q))  # fmt: skip
    return q


def delete_question(conference_id: int, key: str, *, actor: Any) -> bool:
    """Delete a question, or archive it when it has answers; True when archived."""
    with write_transaction(db.session) as session:
        q = _question(session, conference_id, key)
        before = snapshot(q)
        if has_answers(session, q.id):
            q.archived_at = q.archived_at or utcnow().astimezone(UTC)
            archived = True
        else:
            session.delete(q)
            archived = False
        action = "question.archive" if archived else "question.delete"
        audit.record(session, actor=actor, action=action, target_type="question", target_id=key,
                     before=before)  # fmt: skip
    return archived


def restore_question(conference_id: int, key: str, *, actor: Any) -> RegistrationQuestion:
    """Ask an archived question again."""
    with write_transaction(db.session) as session:
        q = _question(session, conference_id, key)
        q.archived_at = None
        audit.record(session, actor=actor, action="question.restore", target_type="question",
                     target_id=key)  # fmt: skip
    return q


def move_question(conference_id: int, key: str, step: int, *, actor: Any) -> None:
    """Move a question one place up (`step` -1) or down (+1) in the form."""
    with write_transaction(db.session) as session:
        order = list(
            session.scalars(
                select(RegistrationQuestion)
                .where(RegistrationQuestion.conference_id == conference_id)
                .order_by(RegistrationQuestion.position, RegistrationQuestion.id)
            )
        )
        index = next((i for i, q in enumerate(order) if q.key == key), None)
        if index is None:
            raise NotFound()
        other = index + step
        if 0 <= other < len(order):
            order[index], order[other] = order[other], order[index]
        for position, q in enumerate(order, start=1):
            q.position = position
        audit.record(session, actor=actor, action="question.move", target_type="question",
                     target_id=key, after={"order": [q.key for q in order]})  # fmt: skip


def sync_questions(
    session: Session, conference_id: int, items: list[dict[str, Any]], now: datetime
) -> None:
    """Make the questions those of a data file, in its order, in the caller's transaction.

    A question left out is deleted, or archived when it has answers; `archived: true` archives.
    Problems raise Invalid with fields `<index>.<field>`.
    """
    existing = {q.key: q for q in session.scalars(
        select(RegistrationQuestion).where(RegistrationQuestion.conference_id == conference_id)
    )}  # fmt: skip
    errors: dict[str, Any] = {}
    seen: set[str] = set()
    for i, item in enumerate(items):
        data = {k: v for k, v in item.items() if k != "archived"}
        q = existing.get(data.get("key"))
        try:
            clean = clean_question(data, q)
        except Invalid as exc:
            errors.update({f"{i}.{name}": message for name, message in exc.fields.items()})
            continue
        if data["key"] in seen:
            errors[f"{i}.key"] = _l("Er is al een vraag met deze sleutel.")
            continue
        seen.add(data["key"])
        if q is None:
            q = RegistrationQuestion(conference_id=conference_id, key=data["key"])
            session.add(q)
        elif clean.get("type", q.type) != q.type and has_answers(session, q.id):
            errors[f"{i}.type"] = _l("Deze vraag heeft al antwoorden: het type blijft.")
            continue
        _apply(q, {**clean, "position": i + 1})
        q.archived_at = (q.archived_at or now) if item.get("archived") else None
    for key, q in existing.items():
        if key not in seen:
            if has_answers(session, q.id):
                q.archived_at = q.archived_at or now
            else:
                session.delete(q)
    if errors:
        raise Invalid(fields=errors)
    session.flush()


def _apply(q: RegistrationQuestion, clean: dict[str, Any]) -> None:
    for name, value in clean.items():
        setattr(q, name, value)
    if q.type not in CHOICE_TYPES:
        q.choices = []
