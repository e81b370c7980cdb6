"""The data file's `evaluation:` section: applied when a programme loads, written on export.

The programme loader (sessions) may not import streaming: it sends the section with
`hooks.programme_loaded` and asks for it back through `hooks.programme_sections`. The section
gives the day's questions, those of every evaluated activity, and (`per_activity`, by slug)
those of single activities that ask something else. An evaluation that already has answers
keeps its questions (they would change meaning); the export then lists it under
`per_activity`, so the file keeps saying what is asked.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from conference.errors import Invalid
from conference.extensions import db
from conference.models import Conference
from sessions.programme.models import Activity
from streaming.evaluation.editing import as_input, with_answers
from streaming.evaluation.errors import NOT_EVALUATED
from streaming.evaluation.models import Evaluation
from streaming.evaluation.services import (
    clean_questions,
    default_questions,
    ensure_evaluations,
    most_common,
)

SECTION = "evaluation"
# What the file leaves out when it is the default (as the schema's defaults say).
FILE_DEFAULTS = {"label_en": None, "help": None, "help_en": None, "required": False,
                 "choices": [], "max": None, "min": None}  # fmt: skip


def _rows(session: Session, conf: Conference) -> list[tuple[Evaluation, str | None]]:
    """Every evaluation with its activity's slug (None for the day), the day first."""
    return list(
        session.execute(
            select(Evaluation, Activity.slug)
            .outerjoin(Activity, Activity.id == Evaluation.activity_id)
            .where(Evaluation.conference_id == conf.id)
            .order_by(Evaluation.activity_id.is_not(None), Activity.starts_at, Activity.id)
        ).all()
    )


def _clean(data: Any, where: str, errors: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        return clean_questions(data)
    except Invalid as exc:
        errors.update({f"{where}.{k.removeprefix('questions.')}": v for k, v in exc.fields.items()})
        return []


def apply_section(session: Session, conf: Conference, section: dict[str, Any]) -> None:
    """Give each evaluation without answers the file's questions; Invalid names the place."""
    errors: dict[str, Any] = {}
    day = _clean(section["day"], f"{SECTION}.day", errors)
    usual = _clean(section["activity"], f"{SECTION}.activity", errors)
    own = {
        slug: _clean(items, f"{SECTION}.per_activity.{slug}", errors)
        for slug, items in (section.get("per_activity") or {}).items()
    }
    rows = _rows(session, conf)
    slugs = {slug for _ev, slug in rows if slug}
    errors.update({f"{SECTION}.per_activity.{s}": NOT_EVALUATED for s in own if s not in slugs})
    if errors:
        raise Invalid(fields=errors)
    answered = with_answers(session, [ev.id for ev, _slug in rows])
    for ev, slug in rows:
        if ev.id not in answered:
            ev.questions = list(day if slug is None else own.get(slug, usual))


def programme_loaded(conference: Conference, *, session: Session, evaluation=None, **_) -> None:
    """Give the day and each new evaluated activity an evaluation; apply the file's section."""
    ensure_evaluations(session, conference)
    if evaluation is not None:
        session.flush()
        apply_section(session, conference, evaluation)


def to_file(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored questions as the file writes them: without what is the default."""
    out = []
    for q in questions:
        item = as_input(q)
        item["choices"] = [{k: v for k, v in c.items() if v is not None} for c in item["choices"]]
        out.append({k: v for k, v in item.items() if FILE_DEFAULTS.get(k, ...) != v})
    return out


def programme_sections(conference: Conference) -> dict[str, Any]:
    """The `evaluation:` section of the data file (nothing before there is an evaluation)."""
    rows = _rows(db.session, conference)
    if not rows:
        return {}
    day = next((ev.questions for ev, slug in rows if slug is None), None)
    acts = [(slug, ev.questions) for ev, slug in rows if slug is not None]
    usual = most_common([q for _slug, q in acts]) or default_questions()
    section: dict[str, Any] = {
        "day": to_file(day or default_questions()),
        "activity": to_file(usual),
    }
    own = {slug: to_file(q) for slug, q in acts if q != usual}
    if own:
        section["per_activity"] = own
    return {SECTION: section}
