"""Forms of the streaming pages (each with a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from conference.forms import Form
from streaming.qa import MAX_LENGTH


class QuestionForm(Form):
    """Ask a question in the Q&A."""

    # `qa.clean_text` applies the text rule itself, with the Q&A's own messages.
    tidy_in_form = False

    text = TextAreaField(
        _l("Je vraag"),
        # The length is checked by `qa.clean_text` on the tidied text: a browser counts a line
        # break as one character for `maxlength` but sends two (CR LF).
        validators=[DataRequired(_l("Typ je vraag."))],
        render_kw={"rows": 3, "maxlength": MAX_LENGTH},
    )
    next = HiddenField()
    submit = SubmitField(_l("Vraag stellen"))


class ActionForm(Form):
    """A button that only needs the CSRF token (vote, join)."""

    next = HiddenField()


class ModerationForm(Form):
    """A moderator's action on one question."""

    action = HiddenField(
        validators=[AnyOf(("approve", "hide", "pending", "pin", "unpin", "answer", "unanswer"))]
    )
    next = HiddenField()


OVERRIDE_CHOICES = [
    SelectChoice("", _l("Volgens het programma")),
    SelectChoice("live", _l("Nu live")),
    SelectChoice("delayed", _l("Vertraagd")),
    SelectChoice("ended", _l("Afgelopen")),
]


class OverrideForm(Form):
    """The status viewers see, set by an organiser or moderator."""

    override = SelectField(
        _l("Status voor kijkers"), choices=OVERRIDE_CHOICES, validate_choice=True
    )
    next = HiddenField()
    submit = SubmitField(_l("Status opslaan"))


PROVIDER_CHOICES = [
    SelectChoice("", _l("Automatisch uit de link")),
    SelectChoice("youtube", "YouTube"),
    SelectChoice("vimeo", "Vimeo"),
    SelectChoice("hls", _l("HLS-stream (.m3u8)")),
    SelectChoice("audio", _l("Audiostream (radio)")),
    SelectChoice("embed", _l("Andere speler (insluitlink)")),
]


class StreamSettingsForm(Form):
    """An organiser's settings of a stream."""

    provider = SelectField(_l("Dienst"), choices=PROVIDER_CHOICES, validate_choice=True)
    source = StringField(
        _l("Video-id of link"),
        validators=[Optional(), Length(max=500)],
        render_kw={"inputmode": "url"},
    )
    replay_provider = SelectField(_l("Dienst herbekijken"), choices=PROVIDER_CHOICES)
    replay_source = StringField(
        _l("Link om te herbekijken"),
        validators=[Optional(), Length(max=500)],
        render_kw={"inputmode": "url"},
    )
    has_captions = BooleanField(_l("De bron heeft ondertitels"))
    captions_url = StringField(
        _l("Ondertitels (WebVTT-link)"),
        validators=[Optional(), Length(max=500)],
        render_kw={"inputmode": "url"},
    )
    description = TextAreaField(
        _l("Korte beschrijving (tekstalternatief)"), validators=[Optional(), Length(max=2000)]
    )
    description_en = TextAreaField(
        _l("Korte beschrijving in het Engels"), validators=[Optional(), Length(max=2000)]
    )
    submit = SubmitField(_l("Opslaan"))
