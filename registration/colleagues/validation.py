"""The rules for a list of colleagues to invite: one place, for the API and the HTML form."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from conference.errors import Invalid
from registration.validation import clean_email, clean_registration

MAX_COLLEAGUES = 20
ROW_FIELDS = ("email", "first_name", "last_name", "mode", "language", "profile")
# What a colleague is counted as until they say so themselves (they may change it).
DEFAULT_PROFILE = "practitioner"


def _clean_row(row: Any, default_language: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """One colleague: (clean data, errors by field)."""
    if not isinstance(row, dict):
        return {}, {"email": _l("Geef per collega een e-mailadres, naam en deelname.")}
    errors: dict[str, Any] = {key: _l("Onbekend veld.") for key in row if key not in ROW_FIELDS}
    email, problem = clean_email(row.get("email"))
    if problem:
        errors["email"] = problem
    # The names, mode, language and profile follow the registration's own rules.
    given = {
        "first_name": row.get("first_name"),
        "last_name": row.get("last_name"),
        "mode": row.get("mode"),
        "language": row.get("language") or default_language,
        "profile": row.get("profile") or DEFAULT_PROFILE,
    }
    try:
        clean = clean_registration(given, partial=True)
    except Invalid as exc:
        errors.update(exc.fields or {})
        clean = {}
    return {"email": email, **clean}, errors


def clean_colleagues(rows: Any, default_language: str = "nl") -> list[dict[str, Any]]:
    """Checked colleagues (1 to 20, each address once); Invalid with `<row>.<field>` messages."""
    if not isinstance(rows, list) or not rows:
        raise Invalid(fields={"colleagues": _l("Vul minstens één collega in.")})
    if len(rows) > MAX_COLLEAGUES:
        raise Invalid(
            fields={"colleagues": _l("Je kan maximaal %(max)d collega's tegelijk inschrijven.",
                                     max=MAX_COLLEAGUES)}
        )  # fmt: skip
    out: list[dict[str, Any]] = []
    errors: dict[str, Any] = {}
    seen: set[str] = set()
    for index, row in enumerate(rows):
        clean, problems = _clean_row(row, default_language)
        if clean.get("email") in seen:
            problems["email"] = _l("Dit e-mailadres staat al in je lijst.")
        seen.add(clean.get("email"))
        errors.update({f"{index}.{name}": message for name, message in problems.items()})
        out.append(clean)
    if errors:
        raise Invalid(fields=errors)
    return out
