"""Forms of the networking pages (each with a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from conference.forms import Form
from streaming.networking.meetings import NOTE_MAX
from streaming.networking.profiles import ASK_MAX, REGION_MAX, SECTOR_MAX


class ProfileForm(Form):
    """The opt-in profile."""

    visible = BooleanField(_l("Ja, toon mij in de lijst van collega's"))
    sector = StringField(
        _l("Sector (niet verplicht)"), validators=[Optional(), Length(max=SECTOR_MAX)]
    )
    region = StringField(
        _l("Regio (niet verplicht)"), validators=[Optional(), Length(max=REGION_MAX)]
    )
    themes = SelectMultipleField(
        _l("Thema's die je boeien"),
        coerce=int,
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    ask_me_about = TextAreaField(
        _l("Vraag me over… (niet verplicht)"),
        validators=[Optional(), Length(max=ASK_MAX)],
        render_kw={"rows": 2, "maxlength": ASK_MAX},
    )
    submit = SubmitField(_l("Bewaren"))


class MeetingForm(Form):
    """A meeting request to one colleague."""

    slot = SelectField(
        _l("Wanneer"), coerce=int, validators=[InputRequired(_l("Kies een moment."))]
    )
    mode = RadioField(
        _l("Waar"),
        choices=[
            ("onsite", _l("Ter plaatse, aan een genummerde tafel")),
            ("online", _l("Online, in een videoruimte")),
        ],
        validators=[InputRequired(_l("Kies ter plaatse of online."))],
    )
    note = TextAreaField(
        _l("Bericht (niet verplicht)"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        render_kw={"rows": 3, "maxlength": NOTE_MAX},
    )
    submit = SubmitField(_l("Verzoek versturen"))


class SlotForm(Form):
    """An organiser makes a networking activity a slot."""

    activity_id = SelectField(
        _l("Netwerkmoment"), coerce=int, validators=[InputRequired(_l("Kies een moment."))]
    )
    tables = IntegerField(
        _l("Aantal genummerde tafels voor afspraken"),
        default=20,
        validators=[InputRequired(_l("Vul een getal in.")), NumberRange(0, 500)],
    )
    submit = SubmitField(_l("Toevoegen"))


class TablesForm(Form):
    """An organiser changes a slot's number of meeting tables."""

    tables = IntegerField(
        _l("Aantal tafels"),
        validators=[InputRequired(_l("Vul een getal in.")), NumberRange(0, 500)],
    )
    submit = SubmitField(_l("Wijzigen"))


class ThemeTableForm(Form):
    """An organiser sets up a themed table."""

    slot_id = SelectField(
        _l("Netwerkmoment"), coerce=int, validators=[InputRequired(_l("Kies een moment."))]
    )
    theme_id = SelectField(
        _l("Thema"), coerce=int, validators=[InputRequired(_l("Kies een thema."))]
    )
    title = StringField(
        _l("Titel (Nederlands)"),
        validators=[DataRequired(_l("Vul een titel in.")), Length(max=200)],
    )
    title_en = StringField(_l("Titel (Engels)"), validators=[Optional(), Length(max=200)])
    capacity = IntegerField(
        _l("Aantal plaatsen"),
        default=10,
        validators=[InputRequired(_l("Vul een getal in.")), NumberRange(1, 1000)],
    )
    submit = SubmitField(_l("Tafel toevoegen"))
