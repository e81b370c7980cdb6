"""The evaluation's answers to the kernel's hooks: the personal page, the data export, erasure.

Only the responder marks are personal data: the answers themselves hold nothing that links
them to a person, so the export lists which evaluations the person answered, never what.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from conference.i18n import lang
from registration.admin.sections import PersonSection
from registration.models import Registration
from streaming.evaluation import services
from streaming.evaluation.models import EvaluationResponder


def my_sections(registration: Registration) -> list[PersonSection]:
    """The evaluations open to the person, on their personal page (nothing when none)."""
    conf = registration.conference
    if not registration.active:
        return []
    forms = services.open_for(conf, registration)
    if not forms:
        return []
    language = lang()
    rows = [(ev.id, services.title_of(conf, ev, language), services.window(conf, ev)[2])
            for ev in forms]  # fmt: skip
    return [PersonSection("activities", "streaming/evaluation/_mine.html", {"evaluations": rows})]


def personal_data(registration: Registration) -> dict[str, Any]:
    """Which evaluations the person answered (the marks only: the answers are anonymous)."""
    conf = registration.conference
    done = services.answered_ids(registration.id)
    language = registration.language or "nl"
    return {
        "evaluations_answered": [
            {"evaluation_id": ev.id, "title": services.title_of(conf, ev, language)}
            for ev in services.evaluations_of(conf)
            if ev.id in done
        ]
    }


def registration_erased(registration: Registration, *, session: Session, **_: Any) -> None:
    """Forget that the person answered (the anonymous answers stay, counted in the results)."""
    session.execute(
        delete(EvaluationResponder).where(EvaluationResponder.registration_id == registration.id)
    )
