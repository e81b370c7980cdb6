"""Forms of the scanner pages: manual search, manual check-in, ticket reissue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SearchField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from conference.forms import Form


class CheckpointForm(Form):
    """Pick where you scan (a GET form: nothing changes)."""

    class Meta:
        csrf = False

    checkpoint = SelectField(_l("Controlepost"), validators=[DataRequired()])
    submit = SubmitField(_l("Start met scannen"))


class SearchForm(Form):
    """Find a person by name or e-mail (a GET form)."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Zoek op naam of e-mailadres"),
        validators=[DataRequired(_l("Typ een naam of e-mailadres.")), Length(min=2, max=200)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Zoeken"))


class ManualCheckinForm(Form):
    """Check one person in or out without scanning their ticket."""

    registration_id = HiddenField(validators=[DataRequired()])
    type = RadioField(
        _l("Soort scan"),
        choices=[
            SelectChoice("entry", _l("Binnen")),
            SelectChoice("exit", _l("Buiten")),
            SelectChoice("standby", _l("Standby")),
        ],
        default="entry",
    )
    submit = SubmitField(_l("Inchecken"))


class ReissueForm(Form):
    """Revoke a ticket and make a new one (help desk)."""

    submit = SubmitField(_l("Nieuw ticket maken"))
