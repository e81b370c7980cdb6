"""Form fields for a list of questions: built per request, read back into the validator's shapes.

The fields carry labels and values only (no validators of their own): the one validator in
`conference.questions.kinds` checks the answers and its messages are put next to the fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, DateInput, ListWidget

from conference.questions.kinds import QuestionDef

FIELD_PREFIX = "vraag_"
YES_NO = [("yes", _l("Ja")), ("no", _l("Nee"))]


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (no JavaScript, one tap each)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def field_name(key: str) -> str:
    """The form field of a question."""
    return FIELD_PREFIX + key


def _field(q: QuestionDef) -> Any:
    # As the built-in fields say it: an optional question is marked, a required one is not.
    label = q.label if q.required else _l("%(label)s (niet verplicht)", label=q.label)
    if q.type == "long_text":
        return TextAreaField(label, render_kw={"rows": 4})
    if q.type in ("choice", "choices"):
        choices = [(c.key, c.label) for c in q.choices]
        kind = RadioField if q.type == "choice" else CheckboxesField
        return kind(label, choices=choices, validate_choice=False)
    if q.type == "yes_no":
        return RadioField(label, choices=YES_NO, validate_choice=False)
    if q.type == "number":
        return StringField(label, render_kw={"inputmode": "numeric"})
    if q.type == "date":
        return StringField(label, widget=DateInput())
    return StringField(label)


def with_questions(form_class: type, questions: Iterable[QuestionDef]) -> type:
    """A subclass of `form_class` with one field per question, in order."""
    fields = {field_name(q.key): _field(q) for q in questions}
    return type(form_class.__name__, (form_class,), fields)


def _raw(q: QuestionDef, value: Any) -> Any:
    """A submitted value in the shape JSON would give it (the validator judges the rest)."""
    if q.type == "yes_no":
        return {"yes": True, "no": False}.get(value, value or None)
    if q.type == "choices":
        return list(value or [])
    return value


def submitted_answers(form: Any, questions: Iterable[QuestionDef]) -> dict[str, Any]:
    """The answers in the form, keyed by question, as the API would send them."""
    return {q.key: _raw(q, form[field_name(q.key)].data) for q in questions}


def fill(form: Any, questions: Iterable[QuestionDef], answers: Mapping[str, Any]) -> None:
    """Show stored answers in the form's fields (for a page that edits them)."""
    for q in questions:
        value = answers.get(q.key)
        if q.type == "yes_no" and isinstance(value, bool):
            value = "yes" if value else "no"
        elif q.type == "number" and value is not None:
            value = str(value)
        form[field_name(q.key)].data = value


def show_errors(form: Any, fields: Mapping[str, Any], prefix: str = "answers.") -> dict[str, Any]:
    """Put `answers.<key>` messages next to their fields; returns the other messages."""
    rest = {}
    for name, message in fields.items():
        key = name[len(prefix) :] if name.startswith(prefix) else None
        if key is not None and field_name(key) in form:
            form[field_name(key)].errors = [message]
        else:
            rest[name] = message
    return rest
