"""Forms of the evaluation pages (each with a CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from conference.forms import Form
from conference.questions.fields import with_questions


class AnswerForm(Form):
    """An evaluation's questions (added per evaluation) and the send button."""

    # The answer validator applies the text rule itself, with its own messages.
    tidy_in_form = False

    submit = SubmitField(_l("Evaluatie versturen"))


def answer_form(questions: list[Any]) -> Any:
    """An AnswerForm with one field per question."""
    form = with_questions(AnswerForm, questions)()
    form.questions = questions
    return form


class ToggleForm(Form):
    """Switch an evaluation on or off (a button and the CSRF token)."""


class SettingsForm(Form):
    """The evaluation's settings: how long online viewers must have watched."""

    minutes = IntegerField(
        _l("Minuten online gekeken om te mogen evalueren"),
        validators=[
            InputRequired(_l("Vul een aantal minuten in.")),
            NumberRange(1, 600, _l("Vul een getal in van 1 tot en met 600.")),
        ],
    )
    submit = SubmitField(_l("Instelling bewaren"))
