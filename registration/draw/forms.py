"""The forms of the draw's review page: merge two organisation names, run, publish."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from conference.forms import Form


class MergeForm(Form):
    """Count one organisation name as another (the normaliser did not see they are one)."""

    alias = StringField(
        _l("Deze naam"),
        validators=[InputRequired(_l("Vul de naam in die je wilt samenvoegen.")), Length(max=200)],
        description=_l("Zoals hij in de lijst van grootste organisaties staat."),
    )
    canonical = StringField(
        _l("telt als deze organisatie"),
        validators=[InputRequired(_l("Vul de naam in waarmee hij samengaat.")), Length(max=200)],
    )
