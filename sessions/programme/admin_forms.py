"""Forms of the organiser's programme screens: they collect the data, the loader has the rules."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from conference.admin import MODE_LABELS
from conference.forms import Form
from sessions.programme.models import ACTIVITY_MODES, KINDS

KIND_LABELS = {
    "plenary": _l("Plenair"),
    "workshop": _l("Workshop"),
    "online_workshop": _l("Online workshop"),
    "stream": _l("Stream"),
    "visit": _l("Bezoek"),
    "radio": _l("Radio"),
    "film": _l("Film"),
    "networking": _l("Ontmoeting"),
}

CLOCK_HINT = _l("Als UU:MM, bv. 09:30.")
SLUG_HINT = _l("Kleine letters, cijfers en streepjes, bv. ws-diversiteit-4. Kan later niet meer.")


def _text(label: Any, limit: int = 300, **kw: Any) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=limit)], **kw)


def _area(label: Any, **kw: Any) -> TextAreaField:
    return TextAreaField(
        label, validators=[Optional(), Length(max=5000)], render_kw={"rows": 4}, **kw
    )


class _ProgrammeForm(Form):
    reason = _text(_l("Reden (voor het auditlog, niet verplicht)"), 500)

    def data_for_schema(self, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        """The fields in the data file's vocabulary: blanks become 'not given'."""
        result: dict[str, Any] = {}
        for name, f in self._fields.items():
            if name in ("csrf_token", "reason", *skip):
                continue
            value = f.data
            if isinstance(value, str):
                value = value.strip() or None
            result[name] = value
        return result


class ThemeForm(_ProgrammeForm):
    """A theme."""

    slug = _text(_l("Slug"), 80, description=SLUG_HINT)
    name = _text(_l("Naam"))
    name_en = _text(_l("Naam in het Engels"))
    description = _area(_l("Beschrijving"))
    description_en = _area(_l("Beschrijving in het Engels"))


class BlockForm(_ProgrammeForm):
    """A time block."""

    slug = _text(_l("Slug"), 80, description=SLUG_HINT)
    name = _text(_l("Naam"))
    name_en = _text(_l("Naam in het Engels"))
    starts = _text(_l("Begin"), 5, description=CLOCK_HINT, render_kw={"inputmode": "numeric"})
    ends = _text(_l("Einde"), 5, description=CLOCK_HINT, render_kw={"inputmode": "numeric"})


class RoomForm(_ProgrammeForm):
    """A room or meeting point."""

    slug = _text(_l("Slug"), 80, description=SLUG_HINT)
    name = _text(_l("Naam"))
    floor = _text(_l("Verdieping"))
    capacity = _text(_l("Plaatsen in de zaal"), 7, render_kw={"inputmode": "numeric"})
    step_free = BooleanField(_l("Toegankelijk zonder trappen"), default=True)
    directions = _area(_l("Zo vind je de zaal"))
    directions_en = _area(_l("Zo vind je de zaal, in het Engels"))

    def data_for_schema(self, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        """As the base, with the seat count as a number."""
        data = super().data_for_schema(skip)
        data["capacity"] = _int_or_text(data.get("capacity"))
        return data


class SpeakerForm(_ProgrammeForm):
    """A speaker, moderator or guide."""

    slug = _text(_l("Slug"), 80, description=SLUG_HINT)
    name = _text(_l("Naam"))
    organisation = _text(_l("Organisatie"))
    bio = _area(_l("Over de spreker"))
    bio_en = _area(_l("Over de spreker, in het Engels"))


def _int_or_text(value: Any) -> Any:
    """A whole number when the text is one; otherwise the text, so the schema names the error."""
    digits = value.removeprefix("-") if isinstance(value, str) else ""
    # ASCII digits only ("²" is a digit to `isdigit` but not to `int`); the schema bounds it.
    if digits.isascii() and digits.isdigit() and len(digits) <= 9:
        return int(value)
    return value


class ActivityForm(_ProgrammeForm):
    """A programme item."""

    slug = _text(_l("Slug"), 80, description=SLUG_HINT)
    kind = SelectField(_l("Soort"), choices=[(k, KIND_LABELS[k]) for k in KINDS])
    mode = SelectField(
        _l("Ter plaatse of online"),
        choices=[("", _l("Standaard voor deze soort"))]
        + [(m, MODE_LABELS[m]) for m in ACTIVITY_MODES],
        validators=[Optional()],
    )
    title = _text(_l("Titel"))
    title_en = _text(_l("Titel in het Engels"))
    summary = _area(_l("Korte beschrijving"))
    summary_en = _area(_l("Korte beschrijving in het Engels"))
    theme = SelectField(_l("Thema"), validators=[Optional()])
    blocks = SelectMultipleField(_l("Blokken"), validators=[Optional()])
    room = SelectField(_l("Zaal"), validators=[Optional()])
    location = _text(
        _l("Plaats (als er geen zaal is)"),
        description=_l("Bv. het vertrekpunt van een bezoek. Gaat voor de zaal."),
    )
    starts = _text(
        _l("Begin"),
        5,
        description=_l("Als UU:MM. Leeg = het begin van de blokken."),
        render_kw={"inputmode": "numeric"},
    )
    ends = _text(
        _l("Einde"),
        5,
        description=_l("Als UU:MM. Leeg = het einde van de blokken."),
        render_kw={"inputmode": "numeric"},
    )
    capacity = _text(
        _l("Capaciteit"),
        7,
        description=_l("Leeg = onbeperkt. Verplicht voor workshops en bezoeken."),
        render_kw={"inputmode": "numeric"},
    )
    speakers = SelectMultipleField(_l("Sprekers"), validators=[Optional()])
    stream_url = _text(_l("Adres van de stream"), 500)
    join_url = _text(_l("Adres van de videoruimte"), 500)
    example = BooleanField(_l("Voorbeeld (nog niet bevestigd)"))
    published = BooleanField(_l("Zichtbaar in het programma"), default=True)

    def data_for_schema(self, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        """As the base, with lists for blocks and speakers and the capacity as a number."""
        data = super().data_for_schema(skip)
        data["blocks"] = list(self.blocks.data or [])
        data["speakers"] = list(self.speakers.data or [])
        data["capacity"] = _int_or_text(data.get("capacity"))
        return data


FORMS = {"theme": ThemeForm, "block": BlockForm, "room": RoomForm, "speaker": SpeakerForm}


class ImportForm(Form):
    """Upload a programme data file."""

    file = FileField(
        _l("Databestand (YAML)"),
        validators=[FileRequired(_l("Kies een bestand."))],
        render_kw={"accept": ".yaml,.yml,text/yaml"},
    )
