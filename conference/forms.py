"""Kernel forms, and the base form of every form: its text goes through the one text rule."""

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField, TextAreaField
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import DataRequired, Email, Length

from conference.validation import text_filter


class Form(FlaskForm):
    """A form whose text fields (not passwords) are tidied before any validator runs."""

    # False in a form whose service applies the same rule with messages of its own.
    tidy_in_form: ClassVar[bool] = True

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            """Put the text rule first among the filters of every text field."""
            kind = unbound_field.field_class
            if (
                form.tidy_in_form
                and issubclass(kind, StringField)
                and not issubclass(kind, PasswordField | CSRFTokenField)
            ):
                own = unbound_field.kwargs.get("filters", ())
                # WTForms turns a filter's ValueError into an error of the field.
                options["filters"] = [text_filter(issubclass(kind, TextAreaField)), *own]
            return unbound_field.bind(form=form, **options)


class StaffLoginForm(Form):
    """E-mail and password of a staff member."""

    email = EmailField(
        _l("E-mailadres"),
        validators=[
            DataRequired(_l("Vul je e-mailadres in.")),
            Email(_l("Dat is geen geldig e-mailadres.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[DataRequired(_l("Vul je wachtwoord in.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Inloggen"))
