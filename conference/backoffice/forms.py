"""Back-office forms (Flask-WTF, CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from conference.backoffice.common import ROLE_LABELS
from conference.forms import Form
from conference.models import STAFF_ROLES


def role_choices() -> list[tuple[str, str]]:
    """The staff roles with their labels."""
    return [(role, str(ROLE_LABELS[role])) for role in STAFF_ROLES]


class InviteForm(Form):
    """Invite a staff member by e-mail."""

    email = EmailField(
        _l("E-mailadres"),
        validators=[
            DataRequired(_l("Vul een e-mailadres in.")),
            Email(_l("Dat is geen geldig e-mailadres.")),
            Length(max=254),
        ],
    )
    name = StringField(_l("Naam"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Rol"), choices=role_choices, validators=[DataRequired()])


class RoleForm(Form):
    """Change a staff member's role."""

    role = SelectField(_l("Nieuwe rol"), choices=role_choices, validators=[DataRequired()])
    reason = StringField(_l("Reden (voor het auditlog)"), validators=[Optional(), Length(max=500)])


class TokenForm(Form):
    """Issue a new API token."""

    label = StringField(
        _l("Waarvoor dient de sleutel?"),
        validators=[Optional(), Length(max=100)],
        description=_l("Bv. 'scanner ingang' of 'koppeling CRM'."),
    )


class SetPasswordForm(Form):
    """Choose a password from an invitation link."""

    password = PasswordField(
        _l("Nieuw wachtwoord"),
        validators=[
            DataRequired(_l("Kies een wachtwoord.")),
            Length(min=12, max=200, message=_l("Kies minstens 12 tekens.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Herhaal het wachtwoord"),
        validators=[
            DataRequired(_l("Herhaal het wachtwoord.")),
            EqualTo("password", _l("De twee wachtwoorden zijn niet gelijk.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class BroadcastForm(Form):
    """A message to an audience."""

    audience = RadioField(_l("Voor wie?"), validators=[DataRequired(_l("Kies voor wie."))])
    activity = SelectField(_l("Activiteit"), validators=[Optional()], coerce=str)
    answer = SelectField(_l("Met dit antwoord"), validators=[Optional()], validate_choice=False)
    kind = RadioField(
        _l("Soort bericht"),
        choices=[("news", _l("Nieuws")), ("essential", _l("Belangrijk"))],
        default="news",
        validators=[Optional()],
    )
    subject = StringField(
        _l("Onderwerp"),
        validators=[DataRequired(_l("Vul een onderwerp in.")), Length(max=200)],
    )
    body = TextAreaField(
        _l("Bericht"),
        validators=[DataRequired(_l("Schrijf een bericht.")), Length(max=10_000)],
        render_kw={"rows": 10},
        description=_l(
            "Gewone tekst. Een lege regel begint een nieuwe alinea. "
            "De aanhef 'Beste <voornaam>' komt er vanzelf voor."
        ),
    )
    subject_en = StringField(
        _l("Onderwerp in het Engels (niet verplicht)"), validators=[Optional(), Length(max=200)]
    )
    body_en = TextAreaField(
        _l("Bericht in het Engels (niet verplicht)"),
        validators=[Optional(), Length(max=10_000)],
        render_kw={"rows": 6},
        description=_l("Wie Engels als taal koos, krijgt deze versie als ze ingevuld is."),
    )
