"""Forms of the seat pages: choices per block, buttons, organiser runs, moves and capacities."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from conference.forms import Form
from sessions.seats.preferences import MAX_RANKS

RANK_LABELS = {
    1: _l("1ste keuze"),
    2: _l("2de keuze"),
    3: _l("3de keuze"),
    4: _l("4de keuze"),
    5: _l("5de keuze"),
}


class ChoiceForm(Form):
    """One field per rank (the page shows radio buttons per activity; the POST is the same as
    five drop-downs): empty ranks are allowed, the same activity twice is not."""

    rank_1 = SelectField(RANK_LABELS[1], default="", validate_choice=True)
    rank_2 = SelectField(RANK_LABELS[2], default="", validate_choice=True)
    rank_3 = SelectField(RANK_LABELS[3], default="", validate_choice=True)
    rank_4 = SelectField(RANK_LABELS[4], default="", validate_choice=True)
    rank_5 = SelectField(RANK_LABELS[5], default="", validate_choice=True)
    submit = SubmitField(_l("Keuzes bewaren"))

    def rank_fields(self) -> list:
        """The five selects, best first."""
        return [getattr(self, f"rank_{k}") for k in range(1, MAX_RANKS + 1)]

    def set_options(self, options: list[tuple[str, str]]) -> None:
        """Fill every select with the same options, after an empty one."""
        choices = [("", _l("— geen keuze —")), *options]
        for f in self.rank_fields():
            f.choices = choices

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        seen: set[str] = set()
        for f in self.rank_fields():
            if f.data:
                if f.data in seen:
                    f.errors = [*f.errors, _l("Deze activiteit koos je al hoger. Kies een andere.")]
                    ok = False
                seen.add(f.data)
        return ok

    def ranking(self) -> list[int]:
        """The chosen activity ids, best first, gaps closed."""
        return [int(f.data) for f in self.rank_fields() if f.data]


class ButtonForm(Form):
    """A form that is only a button (with its CSRF token)."""

    submit = SubmitField(_l("Bevestigen"))


class RunForm(Form):
    """Run the allocation as a dry run."""

    seed = IntegerField(
        _l("Lotingsgetal (seed)"),
        validators=[
            Optional(),
            NumberRange(min=0, max=2**31 - 1, message=_l("Geef een getal van 0 tot 2147483647.")),
        ],
    )
    fill_unranked = BooleanField(
        _l("Wie niets van de eigen keuzes krijgt, een vrije plaats in hetzelfde thema geven"),
        default=True,
    )
    submit = SubmitField(_l("Proefverdeling maken"))


class MoveForm(Form):
    """Move a person to an activity (capacity always checked)."""

    email = EmailField(
        _l("E-mailadres van de deelnemer"),
        validators=[
            DataRequired(_l("Vul een e-mailadres in.")),
            Email(_l("Dat is geen geldig e-mailadres.")),
            Length(max=254),
        ],
    )
    activity = SelectField(_l("Naar activiteit"), coerce=int, validate_choice=True)
    override = BooleanField(_l("Uitzondering: regels voor modus en boekingsperiode negeren"))
    reason = StringField(_l("Reden (verplicht bij een uitzondering)"), validators=[Length(max=500)])
    submit = SubmitField(_l("Verplaatsen"))


class CapacityForm(Form):
    """Change an activity's capacity (never below the seats taken)."""

    capacity = IntegerField(
        _l("Capaciteit"),
        validators=[
            DataRequired(_l("Geef een aantal.")),
            NumberRange(min=1, max=100_000, message=_l("Geef een getal van 1 tot 100000.")),
        ],
    )
    submit = SubmitField(_l("Capaciteit bewaren"))
