"""Property tests of the HTML forms (registration, personal data, login, staff login, Q&A,
seat choices): any input gives the page or a 4xx that says why in the person's language, never
a 5xx or a partial write. (The registration API: test_form_properties.py; the Q&A and seat
APIs and the JSON helpers: test_form_properties_api.py.)"""

from __future__ import annotations

from html.parser import HTMLParser

from babel.support import Translations
from flask_babel import lazy_gettext as _l
from hypothesis import event, given
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select
from wtforms.i18n import messages_path

from conference.errors import Invalid
from conference.extensions import db
from registration.models import Registration
from registration.validation import TEXT_FIELDS, clean_email, clean_registration
from sessions.seats.preferences import options_for, preferences_of
from streaming import qa
from streaming.models import Question
from tests.factories import activity_of_kind, attendee, person, seated
from tests.helpers import login
from tests.support.form_properties import (
    HTTP,
    assert_clean_answer,
    assert_too_large,
    fresh_email,
    in_language,
    question_count,
    question_texts,
    row_counts,
    texts,
    too_large,
)

FIELDS = st.sampled_from(sorted(TEXT_FIELDS))
TWICE = _l("Deze activiteit koos je al hoger. Kies een andere.")
LANGUAGES = st.sampled_from(["nl", "en"])


class _Fields(HTMLParser):
    """The values a form shows: inputs by name and the text of textareas."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") in ("text", "email", None):
            self.values[attrs.get("name", "")] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs.get("name", "")
            self.values[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea is not None:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            name = self._textarea
            # HTML drops one line break right after <textarea>; WTForms writes it.
            self.values[name] = self.values[name].removeprefix("\r\n").removeprefix("\n")
            self._textarea = None


def form_values(page: str) -> dict[str, str]:
    """The field values shown in a page's form."""
    parser = _Fields()
    parser.feed(page)
    return parser.values


def _speak(client, language: str) -> None:
    client.get(f"/taal/{language}")  # the site's language switch (a cookie)


def _assert_messages_shown(response, messages: dict, language: str) -> None:
    page = response.get_data(as_text=True)
    for name, message in in_language(messages, language).items():
        assert str(escape(message)) in page, (name, message)


# --- registration and personal data (registration/forms.py) ---------------------------------


@HTTP
@given(field=FIELDS, raw=texts(surrogates=False), language=LANGUAGES)
def test_the_registration_form_stores_tidied_text_or_says_why_not(
    app, client, field, raw, language
):
    _speak(client, language)
    data = person(email=fresh_email(), mode="online", consent="y", **{field: raw})
    before = row_counts()
    response = client.post("/inschrijven", data=data)
    event(f"answer {response.status_code}")  # shown by --hypothesis-show-statistics
    if too_large(response):
        assert_too_large(response, language)
        assert row_counts() == before
        return
    try:
        clean = clean_registration(data | {"consent": True})
    except Invalid as exc:
        assert_clean_answer(response, (422,))
        _assert_messages_shown(response, exc.fields, language)
        assert row_counts() == before
        return
    assert_clean_answer(response, (303,))
    # The personal page shows exactly what the rules kept (the form logged the person in).
    shown = form_values(client.get("/mijn-inschrijving/gegevens").get_data(as_text=True))
    for name in TEXT_FIELDS:
        assert shown[name] == (clean.get(name) or ""), name


@HTTP
@given(field=FIELDS, raw=texts(surrogates=False), language=LANGUAGES)
def test_the_personal_data_form_keeps_what_was_stored_when_it_refuses(
    app, client, field, raw, language
):
    reg = attendee("online", language=language)
    login(client, reg.user)
    _speak(client, language)
    page = client.get("/mijn-inschrijving/gegevens").get_data(as_text=True)
    data = form_values(page) | {"profile": "practitioner", "language": language, field: raw}
    data.pop("csrf_token", None)
    before = db.session.get(Registration, reg.id)
    stored = {name: getattr(before, name) for name in TEXT_FIELDS}
    response = client.post("/mijn-inschrijving/gegevens", data=data)
    event(f"answer {response.status_code}")  # shown by --hypothesis-show-statistics
    db.session.rollback()
    after = db.session.get(Registration, reg.id)
    kept = {name: getattr(after, name) for name in TEXT_FIELDS} == stored
    if too_large(response):
        assert_too_large(response, language)
        assert kept
        return
    try:
        clean = clean_registration({field: raw}, partial=True)
    except Invalid as exc:
        assert_clean_answer(response, (422,))
        _assert_messages_shown(response, exc.fields, language)
        assert kept
        return
    assert_clean_answer(response, (303,))
    assert getattr(after, field) == clean[field]


@HTTP
@given(raw=st.one_of(st.emails(), texts(surrogates=False)), language=LANGUAGES)
def test_the_login_form_answers_the_same_or_says_the_address_is_wrong(app, client, raw, language):
    _speak(client, language)
    response = client.post("/aanmelden", data={"email": raw})
    event(f"answer {response.status_code}")  # shown by --hypothesis-show-statistics
    _address, problem = clean_email(raw)
    if too_large(response):
        assert_too_large(response, language)
    elif problem is None:
        assert_clean_answer(response, (200,))  # the same answer, known or not
    else:
        assert_clean_answer(response, (422,))
        _assert_messages_shown(response, {"email": problem}, language)


# --- the staff login (conference/forms.py) ---------------------------------------------------


@HTTP
@given(email=st.one_of(st.emails(), texts(surrogates=False)), password=texts(surrogates=False))
def test_the_staff_login_refuses_anything_else_than_a_staff_account_without_a_5xx(
    app, client, email, password
):
    response = client.post("/beheer/login", data={"email": email, "password": password})
    event(f"answer {response.status_code}")  # shown by --hypothesis-show-statistics
    assert_clean_answer(response, (413,) if too_large(response) else (401, 422))
    assert "_user_id" not in _session(client)


def _session(client) -> dict:
    with client.session_transaction() as session:
        return dict(session)


# --- the Q&A form (streaming/forms.py) ------------------------------------------------------


@HTTP
@given(raw=question_texts(surrogates=False), language=LANGUAGES)
def test_the_question_form_asks_or_shows_why_not_next_to_the_field(app, client, raw, language):
    stream = activity_of_kind("stream")
    asker = attendee("online")
    login(client, asker.user)
    _speak(client, language)
    before = question_count()
    response = client.post(f"/online/vragen/{stream.id}", data={"text": raw})
    event(f"answer {response.status_code}")  # shown by --hypothesis-show-statistics
    if too_large(response):
        assert_too_large(response, language)
        assert question_count() == before
        return
    try:
        text = qa.clean_text(raw)
    except Invalid as exc:
        assert_clean_answer(response, (422,))
        if raw.strip():  # an empty field has the form's own message
            _assert_messages_shown(response, exc.fields, language)
        assert question_count() == before
        return
    assert_clean_answer(response, (302,))
    db.session.rollback()
    assert db.session.scalar(select(Question.text).order_by(Question.id.desc()).limit(1)) == text


# --- seat choices (sessions/forms.py) -------------------------------------------------------


@HTTP
@given(data=st.data(), language=LANGUAGES)
def test_the_choice_form_stores_a_valid_ranking_or_nothing(app, client, data, language):
    block = seated("workshop")[0].blocks[0]
    reg = attendee(email=fresh_email())
    valid = {str(a.id) for a in options_for(reg, block)}
    values = st.one_of(st.sampled_from(["", *sorted(valid)[:4]]), texts(surrogates=False))
    ranks = [data.draw(values, label=f"rank_{k}") for k in range(1, 6)]
    login(client, reg.user)
    _speak(client, language)
    response = client.post(
        f"/mijn/keuzes/{block.id}", data={f"rank_{k}": v for k, v in enumerate(ranks, 1)}
    )
    event(f"answer {response.status_code}")  # shown by --hypothesis-show-statistics
    chosen = [v for v in ranks if v]
    block = block.id
    db.session.rollback()
    if too_large(response):
        assert_too_large(response, language)
        assert preferences_of(reg.id) == {}
    elif all(v in valid for v in chosen) and len(set(chosen)) == len(chosen):
        assert_clean_answer(response, (302,))
        assert preferences_of(reg.id).get(block, []) == [int(v) for v in chosen]
    else:
        assert_clean_answer(response, (422,))
        assert preferences_of(reg.id) == {}
        if any(v not in valid for v in chosen):  # WTForms' own message, in its catalogue
            wtforms = Translations.load(messages_path(), [language], domain="wtforms")
            message = wtforms.gettext("Not a valid choice.")
        else:
            message = in_language({"rank": TWICE}, language)["rank"]
        assert str(escape(message)) in response.get_data(as_text=True)
