"""Forms of the people screens; the rules themselves are the registration service's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from conference.admin import MODE_LABELS, PROFILE_LABELS, STATUS_LABELS
from conference.forms import Form
from conference.models import PROFILES
from registration.models import MODES, STATUSES


def reason_field() -> StringField:
    """The reason an organiser may give for the audit log."""
    return StringField(_l("Reden (voor het auditlog)"), validators=[Optional(), Length(max=500)])


def profile_choices() -> list[tuple[str, str]]:
    """Profiles with their Dutch labels."""
    return [(p, str(PROFILE_LABELS[p])) for p in PROFILES]


LANGUAGE_CHOICES = [("nl", "Nederlands"), ("en", "English")]


class SearchForm(Form):
    """Search people (a GET form: no CSRF token needed)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Zoek op naam, e-mail of organisatie"), validators=[Optional(), Length(max=200)]
    )
    mode = SelectField(
        _l("Deelname"),
        validators=[Optional()],
        choices=[("", _l("alle"))] + [(m, MODE_LABELS[m]) for m in MODES],
    )
    status = SelectField(
        _l("Status"),
        validators=[Optional()],
        choices=[("", _l("alle"))] + [(s, STATUS_LABELS[s]) for s in STATUSES],
    )
    profile = SelectField(
        _l("Profiel"),
        validators=[Optional()],
        choices=lambda: [("", str(_l("alle"))), *profile_choices()],
    )
    activity = SelectField(_l("Met een plaats in"), validators=[Optional()])
    # "<question key>:<answer>" (registration.questions.services.answer_options).
    answer = SelectField(_l("Antwoord"), validators=[Optional()], validate_choice=False)
    reconfirm = SelectField(
        _l("Bevestiging van komst"),
        validators=[Optional()],
        choices=[("", _l("alle")), ("unconfirmed", _l("niet bevestigd"))],
    )


class PersonForm(Form):
    """A person's data, as the organisers may change it."""

    first_name = StringField(_l("Voornaam"), validators=[Optional(), Length(max=100)])
    last_name = StringField(_l("Familienaam"), validators=[Optional(), Length(max=100)])
    organisation = StringField(_l("Organisatie"), validators=[Optional(), Length(max=200)])
    profile = SelectField(_l("Profiel"), choices=profile_choices)
    sector = StringField(_l("Sector"), validators=[Optional(), Length(max=100)])
    language = SelectField(_l("Taal"), choices=LANGUAGE_CHOICES)
    accessibility_needs = TextAreaField(
        _l("Toegankelijkheid"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 3}
    )
    diet = StringField(_l("Dieet"), validators=[Optional(), Length(max=200)])
    reason = reason_field()


class ModeForm(Form):
    """On site or online."""

    mode = RadioField(
        _l("Deelname"),
        choices=[(m, MODE_LABELS[m]) for m in MODES],
        validators=[DataRequired(_l("Kies ter plaatse of online."))],
    )
    reason = reason_field()


class RegisterForm(Form):
    """Register someone by hand (a phone call, a walk-in)."""

    email = EmailField(_l("E-mailadres"), validators=[Optional(), Length(max=254)])
    first_name = StringField(_l("Voornaam"), validators=[Optional(), Length(max=100)])
    last_name = StringField(_l("Familienaam"), validators=[Optional(), Length(max=100)])
    organisation = StringField(_l("Organisatie"), validators=[Optional(), Length(max=200)])
    profile = SelectField(_l("Profiel"), choices=profile_choices)
    sector = StringField(_l("Sector"), validators=[Optional(), Length(max=100)])
    mode = RadioField(
        _l("Deelname"), choices=[(m, MODE_LABELS[m]) for m in MODES], default="onsite"
    )
    venue_choice = SelectField(
        _l("Als er ter plaatse geen plaats meer is"),
        choices=[
            ("", _l("niet inschrijven, eerst vragen")),
            ("waitlist", _l("op de wachtlijst zetten")),
            ("online", _l("online inschrijven")),
            ("online_waitlist", _l("online inschrijven en op de wachtlijst zetten")),
        ],
        validators=[Optional()],
    )
    language = SelectField(_l("Taal"), choices=LANGUAGE_CHOICES)
    accessibility_needs = TextAreaField(
        _l("Toegankelijkheid"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 3}
    )
    diet = StringField(_l("Dieet"), validators=[Optional(), Length(max=200)])
    consent = BooleanField(_l("De persoon gaf toestemming om de gegevens te bewaren"))
    reason = reason_field()
