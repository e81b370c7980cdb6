"""The organiser's form for a new contingent; the rules are the service's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, RadioField, StringField
from wtforms.validators import Optional

from conference.forms import Form


class ContingentForm(Form):
    """A new contingent."""

    name = StringField(_l("Naam van de partner of groep"))
    places = IntegerField(
        _l("Aantal plaatsen"), validators=[Optional()], render_kw={"inputmode": "numeric"}
    )
    kind = RadioField(
        _l("Soort codes"),
        choices=[
            ("personal", _l("Een persoonlijke code per plaats (elke code werkt één keer)")),
            ("shared", _l("Eén gedeelde code voor alle plaatsen")),
        ],
        default="personal",
        validate_choice=False,
    )
    release_at = DateTimeLocalField(
        _l("Ongebruikte plaatsen vrijgeven op (niet verplicht)"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
