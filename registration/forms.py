"""Registration forms. The rules live in `registration.validation` (shared with the API); these
forms carry the fields, the labels and the CSRF token, and show the rules' messages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from conference.forms import Form

PROFILE_CHOICES = [
    SelectChoice("practitioner", _l("Sociaal werker in de praktijk")),
    SelectChoice("manager", _l("Leidinggevende of coördinator")),
    SelectChoice("student", _l("Student")),
    SelectChoice("volunteer", _l("Vrijwilliger")),
    SelectChoice("experience_expert", _l("Ervaringsdeskundige")),
    SelectChoice("policy", _l("Beleid (medewerker of beleidsmaker)")),
    SelectChoice("research_education", _l("Onderzoek of onderwijs")),
    SelectChoice("other", _l("Iets anders")),
]
MODE_CHOICES = [
    SelectChoice("onsite", _l("Ter plaatse, in het Elisabethcenter in Antwerpen")),
    SelectChoice("online", _l("Online, via de livestreams en online workshops")),
]
LANGUAGE_CHOICES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]
VENUE_CHOICE_CHOICES = [
    SelectChoice("online_waitlist", _l("Online volgen en op de wachtlijst voor ter plaatse staan")),
    SelectChoice("waitlist", _l("Alleen op de wachtlijst voor ter plaatse staan")),
    SelectChoice("online", _l("Online volgen, zonder wachtlijst")),
]
SECTOR_SUGGESTIONS = [
    _l("Algemeen welzijnswerk (CAW)"),
    _l("OCMW of lokaal bestuur"),
    _l("Jeugdwerk of jeugdhulp"),
    _l("Personen met een handicap"),
    _l("Ouderenzorg"),
    _l("Geestelijke gezondheidszorg"),
    _l("Armoede en schuldhulp"),
    _l("Migratie en integratie"),
    _l("Samenlevingsopbouw"),
    _l("Gezondheidszorg"),
    _l("Onderwijs of opleiding"),
    _l("Justitie"),
]


def _radio(label: Any, choices: list) -> RadioField:
    # validate_choice=False: the shared rules give the message, in the person's words.
    return RadioField(label, choices=choices, validate_choice=False)


class DetailsMixin:
    """The fields a person may also change later."""

    first_name = StringField(_l("Voornaam"), render_kw={"autocomplete": "given-name"})
    last_name = StringField(_l("Familienaam"), render_kw={"autocomplete": "family-name"})
    organisation = StringField(
        _l("Organisatie (niet verplicht)"), render_kw={"autocomplete": "organization"}
    )
    profile = _radio(_l("Wat past het best bij jou?"), PROFILE_CHOICES)
    sector = StringField(_l("Werkveld (niet verplicht)"), render_kw={"list": "sector-suggestions"})
    language = _radio(_l("In welke taal wil je onze e-mails?"), LANGUAGE_CHOICES)
    accessibility_needs = TextAreaField(
        _l("Heb je iets nodig om goed te kunnen deelnemen? (niet verplicht)"),
        render_kw={"rows": 3},
    )
    diet = StringField(_l("Eetwensen of allergieën (niet verplicht)"))

    DETAIL_FIELDS = (
        "first_name", "last_name", "organisation", "profile", "sector", "language",
        "accessibility_needs", "diet",
    )  # fmt: skip

    def details(self) -> dict[str, Any]:
        """The submitted detail fields as the shared rules expect them."""
        return {name: getattr(self, name).data for name in self.DETAIL_FIELDS}


class RegistrationForm(DetailsMixin, Form):
    """Register for the conference (step 1)."""

    # The shared registration rules apply the text rule themselves, with their own messages.
    tidy_in_form = False

    email = EmailField(_l("E-mailadres"), render_kw={"autocomplete": "email"})
    mode = _radio(_l("Hoe neem je deel?"), MODE_CHOICES)
    consent = BooleanField(
        _l("Ik geef toestemming om mijn gegevens te gebruiken voor deze conferentie.")
    )
    # A partner's contingent code, behind "Ik heb een code" (registration/contingents/).
    code = StringField(
        _l("Je code"), render_kw={"autocomplete": "off", "autocapitalize": "characters"}
    )
    # Step 2, only when the venue is full: what the person wants then.
    venue_choice = _radio(_l("Wat wil je doen?"), VENUE_CHOICE_CHOICES)
    step = HiddenField(default="1")
    submit = SubmitField(_l("Inschrijven"))

    def data_for_rules(self) -> dict[str, Any]:
        """The submitted fields as the shared rules (and the API) name them."""
        data = self.details()
        data.update(email=self.email.data, mode=self.mode.data, consent=bool(self.consent.data))
        if (self.code.data or "").strip():
            data["code"] = self.code.data
        return data


class EditForm(DetailsMixin, Form):
    """Change one's details."""

    # The shared registration rules apply the text rule themselves, with their own messages.
    tidy_in_form = False

    submit = SubmitField(_l("Wijzigingen bewaren"))


class ModeForm(Form):
    """Switch between on site and online."""

    mode = _radio(_l("Hoe neem je deel?"), MODE_CHOICES)
    keep_waiting = BooleanField(_l("Op de wachtlijst voor ter plaatse blijven"))
    submit = SubmitField(_l("Bewaren"))


class LoginForm(Form):
    """Ask for a login link."""

    # The shared registration rules apply the text rule themselves, with their own messages.
    tidy_in_form = False

    email = EmailField(_l("E-mailadres"), render_kw={"autocomplete": "email"})
    next = HiddenField()
    submit = SubmitField(_l("Stuur mij een link"))


class ConfirmForm(Form):
    """A button that confirms an action (the CSRF token is all it carries)."""

    submit = SubmitField(_l("Bevestigen"))
