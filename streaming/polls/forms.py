"""Forms of the poll pages (each with a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf

from conference.forms import Form
from streaming.polls.services import QUESTION_MAX

KIND_CHOICES = [
    SelectChoice("single", _l("Eén keuze")),
    SelectChoice("multiple", _l("Meerdere keuzes")),
    SelectChoice("scale", _l("Score van 1 tot 5")),
]


class PollForm(Form):
    """A moderator prepares a poll; `services.clean_poll` checks it, with its own messages."""

    kind = RadioField(_l("Soort peiling"), choices=KIND_CHOICES, default="single")
    question = StringField(_l("Vraag"), render_kw={"maxlength": QUESTION_MAX})
    question_en = StringField(_l("Vraag in het Engels"), render_kw={"maxlength": QUESTION_MAX})
    options = TextAreaField(_l("Keuzes"), render_kw={"rows": 5})
    options_en = TextAreaField(_l("Keuzes in het Engels"), render_kw={"rows": 5})
    submit = SubmitField(_l("Peiling klaarzetten"))

    def data_for_service(self) -> dict:
        """The fields as the API takes them: one option per line, blank lines left out."""

        def lines(text: str | None) -> list[str]:
            return [line for line in (text or "").splitlines() if line.strip()]

        data = {"kind": self.kind.data, "question": self.question.data or ""}
        if self.question_en.data:
            data["question_en"] = self.question_en.data
        if self.kind.data != "scale":
            data["options"] = lines(self.options.data)
            data["options_en"] = lines(self.options_en.data)
        return data


class VoteForm(Form):
    """A vote from a plain form: the choices come as `option` or `score` fields."""

    next = HiddenField()


class PollActionForm(Form):
    """A moderator opens or closes a poll."""

    action = HiddenField(validators=[AnyOf(("open", "close"))])
    next = HiddenField()
