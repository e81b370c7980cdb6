"""Property tests of the shared text rules and of the registration API: any Unicode, huge input,
control characters. Either stored as the validator tidied it, or a 4xx that says why in the
request's language; never a 5xx, never a partial write. (The HTML forms:
test_form_properties_pages.py; the Q&A and seat APIs, ids and JSON bodies:
test_form_properties_api.py.)"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from conference.errors import Invalid
from conference.validation import tidy_text
from registration.account.login_links import request_login_link
from registration.validation import TEXT_FIELDS, clean_email, clean_registration
from tests.factories import person
from tests.helpers import bearer
from tests.support.form_properties import (
    HTTP,
    PURE,
    SPECIAL,
    assert_clean_answer,
    assert_too_large,
    case_variant,
    fresh_email,
    in_language,
    row_counts,
    texts,
    too_large,
    unusable,
    visible,
)

LANGUAGES = st.sampled_from(["nl", "en"])
FIELDS = st.sampled_from(sorted(TEXT_FIELDS))


# --- the rules themselves -------------------------------------------------------------------


@PURE
@given(texts())
def test_one_line_text_is_tidied_or_refused_for_its_control_characters(raw):
    try:
        text = tidy_text(raw)
    except ValueError:
        assert any(unusable(ch) for ch in raw)
        return
    assert not any(unusable(ch) for ch in raw)
    assert text == unicodedata.normalize("NFC", text)
    assert text == " ".join(text.split())  # trimmed, one space between words, one line
    assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)
    # Nothing a reader sees is lost or added; text with nothing visible is empty.
    assert visible(text) == visible(unicodedata.normalize("NFC", " ".join(raw.split())))
    assert (text == "") == (not visible(raw))
    assert tidy_text(text) == text


@PURE
@given(texts())
def test_text_of_several_lines_keeps_its_lines_and_refuses_control_characters(raw):
    try:
        text = tidy_text(raw, multiline=True)
    except ValueError:
        assert any(unusable(ch) or ch == "\x1f" for ch in raw)  # U+001F separates no lines
        return
    assert text == unicodedata.normalize("NFC", text)
    assert all(ch in "\t\n" or unicodedata.category(ch) not in ("Cc", "Cs") for ch in text)
    assert all(line == line.rstrip() for line in text.split("\n"))
    assert text == text.strip()
    assert visible(text) == visible(unicodedata.normalize("NFC", raw))
    assert tidy_text(text, multiline=True) == text


@PURE
@given(field=FIELDS, raw=texts())
def test_registration_rules_keep_each_field_within_its_limit(field, raw):
    limit, required = TEXT_FIELDS[field]
    try:
        clean = clean_registration({field: raw}, partial=True)
    except Invalid as exc:
        assert set(exc.fields) == {field}
        multiline = field == "accessibility_needs"
        try:
            tidied = tidy_text(raw, multiline=multiline)
        except ValueError:
            return  # refused for a control character (the test above proves which)
        assert len(tidied) > limit or (not tidied and required is not None)
        return
    value = clean[field]
    assert value is None or 0 < len(value) <= limit
    assert value == (tidy_text(raw, multiline=field == "accessibility_needs") or None)


@PURE
@given(st.one_of(st.emails(), texts(), st.none(), st.integers(), st.lists(st.text())))
def test_an_email_address_is_normalised_once_and_for_all_or_refused(raw):
    address, problem = clean_email(raw)
    assert (address is None) != (problem is None)
    if address is None:
        assert str(problem)
        return
    assert len(address) <= 254 and address == address.strip()
    assert address == unicodedata.normalize("NFC", address.lower())
    assert clean_email(address) == (address, None)  # idempotent: stored = looked up


# --- the registration API -------------------------------------------------------------------


def _post(client, body, language):
    return client.post("/api/v1/registrations", json=body, headers={"Accept-Language": language})


def _expected(body: dict) -> tuple[dict | None, dict | None]:
    """What the rules make of a body: (clean data, None) or (None, the messages per field)."""
    try:
        return clean_registration(body), None
    except Invalid as exc:
        return None, exc.fields


def _check_refusal(response, messages: dict, language: str) -> None:
    body = response.get_json()
    assert body["error"] == "invalid" and body["message"]
    assert body["fields"] == in_language(messages, language)
    if language == "en":
        dutch = in_language(messages, "nl")
        assert all(body["fields"][k] != dutch[k] for k in dutch), "an English message is missing"


@HTTP
@given(field=FIELDS, raw=texts(), language=LANGUAGES, mode=st.sampled_from(["onsite", "online"]))
def test_any_text_in_any_field_is_stored_as_tidied_or_refused_in_the_callers_language(
    app, client, field, raw, language, mode
):
    body = person(email=fresh_email(), mode=mode, **{field: raw})
    clean, messages = _expected(body)
    before = row_counts()
    response = _post(client, body, language)
    event(f"answer {response.status_code}")  # shown by --hypothesis-show-statistics
    if too_large(response):
        assert_too_large(response, language)
        assert row_counts() == before
        return
    if messages:
        assert_clean_answer(response, (422,))
        _check_refusal(response, messages, language)
        assert row_counts() == before  # nothing half-written
        return
    assert_clean_answer(response, (201,))
    token = response.get_json()["token"]
    me = client.get("/api/v1/me", headers=bearer(token)).get_json()
    for name in TEXT_FIELDS:  # what the API gives back is what the rules accepted
        assert me[name] == clean.get(name), name
    assert me["email"] == clean["email"]


@HTTP
@given(field=FIELDS, raw=texts(), language=LANGUAGES)
def test_a_refused_change_leaves_the_registration_as_it_was(app, client, field, raw, language):
    token = _post(client, person(email=fresh_email(), organisation="VZW Voorbeeld"), "nl")
    headers = bearer(token.get_json()["token"]) | {"Accept-Language": language}
    before = client.get("/api/v1/me", headers=headers).get_json()
    response = client.patch("/api/v1/me", json={field: raw}, headers=headers)
    event(f"answer {response.status_code}")  # shown by --hypothesis-show-statistics
    after = client.get("/api/v1/me", headers=headers).get_json()
    if too_large(response):
        assert_too_large(response, language)
        assert after == before
        return
    try:
        clean = clean_registration({field: raw}, partial=True)
    except Invalid as exc:
        assert_clean_answer(response, (422,))
        _check_refusal(response, exc.fields, language)
        assert after == before
        return
    assert_clean_answer(response, (200,))
    assert response.get_json()[field] == after[field] == clean[field]
    # The stored value passes the rules unchanged: saving the page again changes nothing.
    if after[field] is not None:
        again = client.patch("/api/v1/me", json={field: after[field]}, headers=headers)
        assert again.status_code == 200 and again.get_json()[field] == after[field]


@HTTP
@given(
    address=st.one_of(
        st.emails(),
        st.builds(
            "{}@{}.be".format,
            st.text(st.characters(categories=["Lu", "Ll", "Nd"]), min_size=1, max_size=20),
            st.sampled_from(["example", "VOORBEELD", "\u00e9cole", "Stra\u00dfe"]),
        ),
    ),
    flips=st.lists(st.booleans(), min_size=1, max_size=8),
    decomposed=st.booleans(),
)
def test_case_and_unicode_variants_of_an_address_are_the_same_person(
    app, client, address, flips, decomposed
):
    first = _post(client, person(email=address), "nl")
    stored, problem = clean_email(address)
    if problem is not None:
        assert_clean_answer(first, (422,))
        assert set(first.get_json()["fields"]) == {"email"}
        return
    # st.emails may repeat an address across examples: then the first answer is already 409.
    assert_clean_answer(first, (201, 409))
    variant = case_variant(address, flips)
    if decomposed:
        variant = unicodedata.normalize("NFD", variant)
    assert clean_email(f"  {variant}  ") == (stored, None)
    before = row_counts()
    again = _post(client, person(email=f"  {variant}  "), "nl")
    assert_clean_answer(again, (409,))
    assert again.get_json()["error"] == "already_registered"
    assert row_counts() == before
    assert request_login_link(variant)  # the login form finds the person by any variant


@pytest.mark.parametrize("value", [*SPECIAL[:7], "\ud800", "a" * 1_000_000])
def test_an_email_address_with_control_characters_or_a_megabyte_is_refused(app, client, value):
    before = row_counts()
    response = _post(client, person(email=f"jan{value}@example.be"), "en")
    assert_clean_answer(response, (422,))
    assert set(response.get_json()["fields"]) == {"email"}
    assert row_counts() == before


# --- the same on PostgreSQL, where VARCHAR limits, NUL and surrogates are enforced ----------


LIMIT_CASES = {
    "100 letters": ("first_name", "a" * 100),
    "100 emoji": ("first_name", "\U0001f600" * 100),  # 400 bytes, 100 characters
    "composed by NFC": ("last_name", "e\u0301" * 100),  # 200 code points, 100 after NFC
    "lengthened by NFC": ("organisation", "\u0958" * 100),  # 100 code points, 200 after NFC
    "one too many": ("organisation", "x" * 201),
    "spaces collapse": ("sector", " ".join(["abc"] * 25) + "  " * 1000),
    "NUL": ("diet", "\x00"),
    "NUL in lines": ("accessibility_needs", "rolstoel\x00"),
    "surrogate in lines": ("accessibility_needs", "regel\r\n" * 120 + "\ud800"),
    "surrogate": ("first_name", "\ud83d"),
    "a megabyte": ("last_name", "x" * 1_000_000),
}


def test_limits_and_unstorable_characters_are_checked_before_either_database(any_db_app):
    client = any_db_app.test_client()
    for case, (field, value) in LIMIT_CASES.items():
        # Both names at their limit: the whole name (201 characters) must fit where it is kept.
        body = person(email=fresh_email()) | {"first_name": "b" * 100, "last_name": "c" * 100}
        body[field] = value
        clean, messages = _expected(body)
        before = row_counts()
        response = _post(client, body, "nl")
        if messages:
            assert_clean_answer(response, (422,))
            _check_refusal(response, messages, "nl")
            assert row_counts() == before, case
        else:
            assert_clean_answer(response, (201,))
            me = client.get("/api/v1/me", headers=bearer(response.get_json()["token"]))
            assert me.get_json()[field] == clean[field], case


@settings(HTTP, max_examples=30)
@given(field=FIELDS, raw=texts())
def test_any_text_is_stored_or_refused_on_either_database(any_db_app, field, raw):
    client = any_db_app.test_client()
    body = person(email=fresh_email(), mode="online", **{field: raw})
    _clean, messages = _expected(body)
    before = row_counts()
    response = _post(client, body, "nl")
    event(f"answer {response.status_code}")  # shown by --hypothesis-show-statistics
    if too_large(response):
        assert_too_large(response, "nl")
    else:
        assert_clean_answer(response, (422,) if messages else (201,))
    assert (row_counts() == before) == (too_large(response) or bool(messages))
