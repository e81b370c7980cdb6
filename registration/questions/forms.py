"""Forms that carry the organisers' questions: the registration form, and one's answers.

The registration form shows the questions of both modes, in order, with a note on those for one
mode only ("Alleen voor wie ter plaatse komt."), so it needs no JavaScript; the server then
checks the answers against the mode chosen (`services.check_answers`): a question of the other
mode is neither required nor kept. The personal page shows the questions of the person's mode.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from conference.extensions import db
from conference.forms import Form
from conference.i18n import lang
from conference.questions.fields import show_errors, submitted_answers, with_questions
from registration.questions.services import form_questions


class AnswersForm(Form):
    """Change one's answers (the fields are added per conference)."""

    # The answer validator applies the text rule itself, with its own messages.
    tidy_in_form = False

    submit = SubmitField(_l("Antwoorden bewaren"))


def form_with_questions(
    form_class: type, conference_id: int, mode: str | None = None, **kwargs: Any
) -> Any:
    """An instance of `form_class` with the conference's questions (of `mode`, or all)."""
    questions = form_questions(db.session, conference_id, lang(), mode)
    form = with_questions(form_class, questions)(**kwargs)
    form.questions = questions
    return form


def posted_answers(form: Any) -> dict[str, Any]:
    """The answers posted in a form made by `form_with_questions`."""
    return submitted_answers(form, form.questions)


def show_answer_errors(form: Any, fields: dict[str, Any] | None) -> dict[str, Any]:
    """Put answer messages next to their questions; returns the other messages."""
    return show_errors(form, fields or {})
