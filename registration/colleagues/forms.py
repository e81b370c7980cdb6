"""The colleagues forms: a fixed number of rows to invite, and the colleague's own confirmation.

The confirmation is the registration form itself (without its venue step), so whatever the
registration form asks, a colleague is asked too; the e-mail address is the invitation's.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, SubmitField

from conference.forms import Form
from registration.forms import LANGUAGE_CHOICES, RegistrationForm

ROWS, MORE_ROWS = 5, 20
ROW_FIELDS = ("email", "first_name", "last_name", "mode", "language")
SHORT_MODES = [("onsite", _l("Ter plaatse")), ("online", _l("Online"))]


class ConfirmInvitationForm(RegistrationForm):
    """A colleague completes their registration and gives their own consent."""

    venue_choice = None
    step = None
    submit = SubmitField(_l("Inschrijving bevestigen"))


class _InviteForm(Form):
    """Colleagues to invite; the rows are added by `invite_form`."""

    tidy_in_form = False  # the shared rules tidy and check, with their own messages
    submit = SubmitField(_l("Uitnodigingen versturen"))
    rows: int = ROWS

    def row(self, index: int) -> list[Any]:
        """The fields of one row, in the page's order."""
        return [self[f"{name}_{index}"] for name in ROW_FIELDS]

    def colleagues(self) -> tuple[list[dict[str, Any]], list[int]]:
        """The filled-in rows as the shared rules expect them, and their row numbers."""
        out, numbers = [], []
        for index in range(self.rows):
            values = {name: self[f"{name}_{index}"].data for name in ROW_FIELDS}
            if any((values[name] or "").strip() for name in ("email", "first_name", "last_name")):
                out.append(values)
                numbers.append(index)
        return out, numbers


def invite_form(rows: int, language: str, **kwargs: Any) -> _InviteForm:
    """An invitation form with `rows` rows (5, or 20 after "meer rijen")."""
    fields: dict[str, Any] = {"rows": rows}
    for index in range(rows):
        fields[f"email_{index}"] = EmailField(_l("E-mailadres"))
        fields[f"first_name_{index}"] = StringField(_l("Voornaam"))
        fields[f"last_name_{index}"] = StringField(_l("Familienaam"))
        fields[f"mode_{index}"] = SelectField(
            _l("Deelname"), choices=SHORT_MODES, default="onsite", validate_choice=False
        )
        fields[f"language_{index}"] = SelectField(
            _l("Taal van de uitnodiging"), choices=LANGUAGE_CHOICES, default=language,
            validate_choice=False,
        )  # fmt: skip
    form_class = type("InviteForm", (_InviteForm,), fields)
    return form_class(**kwargs)


def put_errors(form: _InviteForm, numbers: list[int], fields: dict[str, Any]) -> dict[str, Any]:
    """Put the rules' `<row>.<field>` messages next to the row fields; returns the rest."""
    rest = {}
    for key, message in (fields or {}).items():
        row, _dot, name = key.partition(".")
        target = f"{name}_{numbers[int(row)]}" if row.isdigit() and int(row) < len(numbers) else ""
        if target in form:
            form[target].errors = [message]
        else:
            rest[key] = message
    return rest
