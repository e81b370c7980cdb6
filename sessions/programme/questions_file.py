"""The data file's `registration_questions:` section: loaded into and exported from the
registration questions (`registration.questions`), so the file round-trips them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from conference.clock import local, utcnow
from conference.errors import Invalid
from conference.extensions import db
from conference.models import Conference
from registration.questions.editing import snapshot, sync_questions
from registration.questions.services import questions_of
from sessions.programme.errors import Problem
from sessions.programme.schema import RegistrationQuestionIn

# What the file leaves out when it is the default (as the schema's defaults say).
DEFAULTS = {"help": None, "help_en": None, "label_en": None, "required": False, "choices": [],
            "modes": ["onsite", "online"], "max": None, "min": None, "sensitive": False,
            "visible_to_speakers": False, "editable_until": None, "archived": False}  # fmt: skip


def load_questions(
    session: Session,
    conf: Conference,
    items: list[RegistrationQuestionIn] | None,
    moment: Callable[[datetime | None], datetime | None],
) -> list[Problem]:
    """The file's questions (none given: they stay as they are); the problems found.

    `moment` turns the file's local wall-clock times into stored ones (demo shifts included).
    """
    if items is None:
        return []
    data = []
    for item in items:
        fields = item.model_dump()
        until = moment(item.editable_until)
        fields["editable_until"] = until.isoformat() if until else None
        data.append(fields)
    try:
        sync_questions(session, conf.id, data, utcnow())
    except Invalid as exc:
        return [
            Problem(None, f"registration_questions.{where}", str(message))
            for where, message in exc.fields.items()
        ]
    return []


def export_questions(conf: Conference) -> list[dict[str, Any]]:
    """The questions (archived too, marked) as the file writes them."""
    out = []
    for q in questions_of(db.session, conf.id, archived=True):
        item = snapshot(q)
        item.pop("position")
        until = q.editable_until
        item["editable_until"] = (
            local(until, conf.timezone).strftime("%Y-%m-%d %H:%M") if until else None
        )
        item["choices"] = [{k: v for k, v in c.items() if v is not None} for c in item["choices"]]
        out.append({k: v for k, v in item.items() if k not in DEFAULTS or DEFAULTS[k] != v})
    return out
