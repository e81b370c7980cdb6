"""The rules for registration data: one place, used by the API and the HTML forms alike."""

from __future__ import annotations

import unicodedata
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from conference.errors import Invalid
from conference.models import PROFILES
from conference.validation import UNUSABLE_TEXT, tidy_text
from registration.models import MODES

LANGUAGES = ("nl", "en")
VENUE_CHOICES = ("waitlist", "online", "online_waitlist")

# field -> (max length, message when missing or None when optional). Text is tidied first (see
# `conference.validation.tidy_text`: trimmed, white space collapsed, NFC, no control characters);
# the limits count the tidied text in characters, as PostgreSQL's VARCHAR does.
TEXT_FIELDS: dict[str, tuple[int, Any]] = {
    "first_name": (100, _l("Vul je voornaam in.")),
    "last_name": (100, _l("Vul je familienaam in.")),
    "organisation": (200, None),
    "sector": (100, None),
    "accessibility_needs": (1000, None),
    "diet": (200, None),
}
CREATE_FIELDS = {
    "email", "first_name", "last_name", "organisation", "profile", "sector", "mode", "consent",
    "language", "waitlist_ok", "accessibility_needs", "diet", "answers",
}  # fmt: skip
EDITABLE_FIELDS = {
    "first_name", "last_name", "organisation", "profile", "sector", "language",
    "accessibility_needs", "diet", "mode", "venue_waitlist", "answers",
}  # fmt: skip
# `answers` (the organisers' own questions) are checked by `registration.questions`.


def _too_long(limit: int) -> Any:
    return _l("Dit is te lang: gebruik maximaal %(max)d tekens.", max=limit)


def clean_email(value: Any) -> tuple[str | None, Any]:
    """A lower-cased e-mail address, or the message that says what is wrong."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, _l("Vul je e-mailadres in.")
    if not isinstance(value, str):
        return None, _l("Dat is geen geldig e-mailadres. Bijvoorbeeld: naam@voorbeeld.be")
    value = value.strip()
    if len(value) > 254:
        return None, _too_long(254)
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None, _l("Dat is geen geldig e-mailadres. Bijvoorbeeld: naam@voorbeeld.be")
    # Lower case makes one person of NAAM@x.be and naam@x.be; NFC again, since lowering can
    # undo it, and the length again, since lowering can lengthen (İ becomes i + a dot).
    address = unicodedata.normalize("NFC", checked.normalized.lower())
    if len(address) > 254:
        return None, _too_long(254)
    return address, None


def _clean_text(data: dict[str, Any], name: str, errors: dict[str, Any], out: dict[str, Any]):
    limit, missing = TEXT_FIELDS[name]
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        errors[name] = _l("Vul hier tekst in.")
        return
    try:
        value = tidy_text(value or "", multiline=name == "accessibility_needs")
    except ValueError:
        errors[name] = UNUSABLE_TEXT
        return
    if not value:
        if missing is not None:
            errors[name] = missing
        else:
            out[name] = None
        return
    if len(value) > limit:
        errors[name] = _too_long(limit)
        return
    out[name] = value


def _clean_choice(data, name, allowed, message, errors, out, required=True):
    value = data.get(name)
    if value in (None, "") and not required:
        return
    if not isinstance(value, str) or value not in allowed:
        errors[name] = message
        return
    out[name] = value


def _clean_bool(data, name, errors, out):
    value = data.get(name)
    if value is None:
        return
    if not isinstance(value, bool):
        errors[name] = _l("Kies ja (true) of nee (false).")
        return
    out[name] = value


def clean_registration(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Checked and tidied registration data; raises Invalid with a message per bad field.

    `partial` checks only the fields given (an edit); otherwise every required field must be
    there (a new registration).
    """
    errors: dict[str, Any] = {}
    out: dict[str, Any] = {}
    allowed = EDITABLE_FIELDS if partial else CREATE_FIELDS
    for key in data:
        if key not in allowed:
            errors[key] = (
                _l("Dit gegeven kan je hier niet wijzigen.") if partial else _l("Onbekend veld.")
            )

    def wanted(name: str) -> bool:
        return not partial or name in data

    if not partial:
        email, problem = clean_email(data.get("email"))
        if problem:
            errors["email"] = problem
        else:
            out["email"] = email
    for name in TEXT_FIELDS:
        if wanted(name):
            _clean_text(data, name, errors, out)
    if wanted("profile"):
        _clean_choice(data, "profile", PROFILES, _l("Kies wat het best bij je past."), errors, out)
    if wanted("mode"):
        _clean_choice(data, "mode", MODES, _l("Kies: ter plaatse of online."), errors, out)
    if wanted("language"):
        _clean_choice(
            data, "language", LANGUAGES, _l("Kies Nederlands of Engels."), errors, out,
            required=partial,
        )  # fmt: skip
    if not partial:
        if data.get("consent") is not True:
            errors["consent"] = _l(
                "Geef je toestemming, anders kunnen we je inschrijving niet verwerken."
            )
        _clean_bool(data, "waitlist_ok", errors, out)
    elif "venue_waitlist" in data:
        _clean_bool(data, "venue_waitlist", errors, out)
    if errors:
        raise Invalid(fields=errors)
    return out
