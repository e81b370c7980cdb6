"""The organisers' question form: every field of a question, choices as lines (no JavaScript).

A choice line reads `key | Dutch label | English label`; a line without a key gets one from its
label. Keeping the key while changing the labels keeps the answers' meaning.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import Optional

from conference.admin import MODE_LABELS
from conference.clock import BRUSSELS, local
from conference.forms import Form
from conference.questions.fields import CheckboxesField
from conference.questions.kinds import TYPES
from registration.models import MODES

TYPE_LABELS = {
    "text": _l("Korte tekst"),
    "long_text": _l("Lange tekst"),
    "choice": _l("Eén keuze"),
    "choices": _l("Meerdere keuzes"),
    "yes_no": _l("Ja of nee"),
    "number": _l("Getal"),
    "date": _l("Datum"),
}


class QuestionForm(Form):
    """A question as organisers define it."""

    tidy_in_form = False  # the question rules tidy the texts, with their own messages

    key = StringField(
        _l("Sleutel"), description=_l("Kleine letters, cijfers en _. Verandert nooit.")
    )
    type = SelectField(_l("Soort vraag"), choices=[(t, TYPE_LABELS[t]) for t in TYPES])
    label = StringField(_l("Vraag (Nederlands)"))
    label_en = StringField(_l("Vraag (Engels, niet verplicht)"))
    help = TextAreaField(_l("Uitleg (Nederlands, niet verplicht)"), render_kw={"rows": 2})
    help_en = TextAreaField(_l("Uitleg (Engels, niet verplicht)"), render_kw={"rows": 2})
    choices = TextAreaField(
        _l("Keuzes (bij één of meerdere keuzes)"),
        render_kw={"rows": 5},
        description=_l(
            "Eén keuze per regel: sleutel | Nederlands | Engels. Wijzig de labels, niet de sleutel."
        ),
    )
    required = BooleanField(_l("Verplicht te beantwoorden"))
    modes = CheckboxesField(
        _l("Voor wie?"), choices=[(m, MODE_LABELS[m]) for m in MODES], validate_choice=False
    )
    max = StringField(
        _l("Maximum (niet verplicht)"), description=_l("Tekst: tekens. Getal: hoogste waarde.")
    )
    min = StringField(_l("Minimum (bij een getal, niet verplicht)"))
    sensitive = BooleanField(
        _l("Gevoelig (gezondheid, eten, toegankelijkheid): alleen organisatoren")
    )
    visible_to_speakers = BooleanField(_l("Sprekers en gidsen zien het antwoord in hun lijst"))
    editable_until = DateTimeLocalField(
        _l("Wijzigen kan tot (niet verplicht)"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    submit = SubmitField(_l("Vraag bewaren"))


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")
    return ("k_" + slug if slug[:1].isdigit() else slug)[:40] or "keuze"


def parse_choices(text: str | None) -> list[dict[str, Any]]:
    """Choice lines as the question rules take them."""
    out = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not any(parts):
            continue
        if len(parts) == 1:
            parts = [_slug(parts[0]), parts[0]]
        out.append({"key": parts[0] or _slug(parts[1]), "label": parts[1] if len(parts) > 1 else "",
                    "label_en": (parts[2] if len(parts) > 2 else "") or None})  # fmt: skip
    return out


def choice_lines(choices: list[dict[str, Any]]) -> str:
    """Stored choices as the form's lines."""
    return "\n".join(
        " | ".join(p for p in (c["key"], c["label"], c.get("label_en") or "") if p) for c in choices
    )


def _number(text: str | None) -> Any:
    text = (text or "").strip()
    return int(text) if re.fullmatch(r"-?[0-9]{1,10}", text) else (text or None)


def form_data(form: QuestionForm, *, new: bool) -> dict[str, Any]:
    """The form as the question rules (and the API) take it."""
    data: dict[str, Any] = {
        "type": form.type.data, "label": form.label.data or "", "label_en": form.label_en.data,
        "help": form.help.data, "help_en": form.help_en.data, "required": bool(form.required.data),
        "modes": list(form.modes.data or []), "max": _number(form.max.data),
        "min": _number(form.min.data), "sensitive": bool(form.sensitive.data),
        "visible_to_speakers": bool(form.visible_to_speakers.data),
        "editable_until": _moment(form.editable_until.data),
    }  # fmt: skip
    if form.type.data in ("choice", "choices"):
        data["choices"] = parse_choices(form.choices.data)
    if new:
        data["key"] = (form.key.data or "").strip()
    return data


def _moment(value: datetime | None) -> str | None:
    """A wall-clock time in Brussels as ISO 8601 with its offset."""
    return None if value is None else value.replace(tzinfo=BRUSSELS).isoformat()


def fill_form(form: QuestionForm, q: Any) -> None:
    """Show a stored question in the form."""
    for name in ("key", "type", "label", "label_en", "help", "help_en", "required", "sensitive",
                 "visible_to_speakers"):  # fmt: skip
        form[name].data = getattr(q, name)
    form.modes.data = list(q.modes)
    form.choices.data = choice_lines(q.choices or [])
    form.max.data = "" if q.max_value is None else str(q.max_value)
    form.min.data = "" if q.min_value is None else str(q.min_value)
    until = q.editable_until
    form.editable_until.data = local(until).replace(tzinfo=None) if until else None


def show_question_errors(form: QuestionForm, fields: dict[str, Any]) -> dict[str, Any]:
    """Put the rules' messages next to the fields; `choices.N.…` go to the choices field."""
    rest = {}
    for name, message in fields.items():
        target = "choices" if name.startswith("choices.") else name
        if target in form and target not in ("submit", "csrf_token"):
            if name != target:
                number = int(name.split(".")[1]) + 1
                message = _l("Keuze %(n)d: %(message)s", n=number, message=message)
            form[target].errors = [message]
        else:
            rest[name] = message
    return rest
