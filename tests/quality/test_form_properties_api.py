"""Property tests of the Q&A API, the seat API (rankings and ids) and the shared JSON helpers
(conference/validation.py): any body, any number, any text gives the answer or a 4xx that says
why, never a 5xx or a partial write."""

from __future__ import annotations

import json
from datetime import datetime

from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import func, select

from conference.errors import Invalid
from conference.extensions import db
from conference.validation import parse_time
from sessions.seats.models import Preference
from streaming import qa
from tests.factories import activity_of_kind, attendee, token_for
from tests.helpers import bearer
from tests.support.form_properties import (
    HTTP,
    PURE,
    SPECIAL,
    SURROGATES,
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

LANGUAGES = st.sampled_from(["nl", "en"])


# --- the Q&A API (streaming/qa.py) ----------------------------------------------------------


@HTTP
@given(raw=st.one_of(question_texts(), st.integers(), st.none()), language=LANGUAGES)
def test_any_question_text_is_stored_tidied_or_refused_in_the_askers_language(
    app, client, raw, language
):
    stream = activity_of_kind("stream")
    asker = attendee("online")
    headers = bearer(token_for(asker.user)) | {"Accept-Language": language}
    before = question_count()
    response = client.post(
        f"/api/v1/activities/{stream.id}/questions", json={"text": raw}, headers=headers
    )
    event(f"answer {response.status_code}")  # shown by --hypothesis-show-statistics
    if too_large(response):
        assert_too_large(response, language)
        assert question_count() == before
        return
    try:
        text = qa.clean_text(raw)
    except Invalid as exc:
        assert_clean_answer(response, (422,))
        assert response.get_json()["fields"] == in_language(exc.fields, language)
        assert question_count() == before
        return
    assert_clean_answer(response, (201,))
    assert response.get_json()["text"] == text
    assert question_count() == before + 1


def test_a_question_that_postgresql_could_not_store_is_refused_on_either_database(any_db_app):
    client = any_db_app.test_client()
    stream = activity_of_kind("stream")
    headers = bearer(token_for(attendee("online").user))
    for text in ("Waarom\x00 niet?", "Waarom \ud800?", "Waarom?\x1b[2J", "x" * 501):
        before = question_count()
        response = client.post(
            f"/api/v1/activities/{stream.id}/questions", json={"text": text}, headers=headers
        )
        assert_clean_answer(response, (422,))
        assert set(response.get_json()["fields"]) == {"text"}
        assert question_count() == before
    fine = client.post(
        f"/api/v1/activities/{stream.id}/questions",
        json={"text": " Waarom\r\nnu?\u200b "},
        headers=headers,
    )
    assert_clean_answer(fine, (201,))
    assert fine.get_json()["text"] == "Waarom\nnu?"


# --- the seat API ---------------------------------------------------------------------------


# Any JSON, with short texts: the long ones are the text fields' business.
SHORT = st.one_of(st.text(max_size=12), st.sampled_from(SPECIAL + SURROGATES))
JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), SHORT),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(SHORT, inner, max_size=4),
    max_leaves=20,
)


@HTTP
@given(body=st.one_of(JSON, st.dictionaries(st.integers(-5, 40).map(str), JSON, max_size=3)))
def test_any_json_as_preferences_is_stored_whole_or_not_at_all(app, client, body):
    reg = attendee(email=fresh_email())
    response = client.put("/api/v1/me/preferences", json=body, headers=bearer(token_for(reg)))
    event(f"answer {response.status_code}")  # shown by --hypothesis-show-statistics
    assert_clean_answer(response, (413,) if too_large(response) else (200, 422))
    db.session.rollback()
    stored = db.session.scalar(
        select(func.count()).select_from(Preference).filter_by(registration_id=reg.id)
    )
    if response.status_code != 200:
        assert stored == 0
        assert response.get_json()["error"] == ("too_large" if too_large(response) else "invalid")


@HTTP
@given(number=st.one_of(st.integers(), st.integers(-3, 60)))
def test_any_number_as_an_id_is_a_4xx_never_a_database_error(app, client, number):
    reg = attendee(email=fresh_email())
    headers = bearer(token_for(reg))
    answer = client.post("/api/v1/me/enrollments", json={"activity_id": number}, headers=headers)
    assert_clean_answer(answer, (200, 201, 404, 409, 422))
    swap = {"activity_id": 1, "replace_activity_id": number}
    assert_clean_answer(client.post("/api/v1/me/enrollments", json=swap, headers=headers),
                        (200, 201, 404, 409, 422))  # fmt: skip
    if number >= 0:  # `<int:…>` takes no sign: a negative number is another path (404)
        for method, path in (
            ("delete", f"/api/v1/me/enrollments/{number}"),
            ("get", f"/api/v1/activities/{number}/questions"),
            ("post", f"/api/v1/questions/{number}/vote"),
            ("get", f"/mijn/keuzes/{number}"),
        ):
            response = getattr(client, method)(path, headers=headers)
            assert_clean_answer(response, (200, 204, 302, 403, 404, 409))


# --- the JSON helpers (conference/validation.py) ---------------------------------------------


@HTTP
@given(
    raw=st.one_of(
        st.binary(max_size=200),
        st.builds(lambda n, s: s * n, st.integers(1, 200_000), st.sampled_from(["[", '{"a":'])),
        JSON.map(json.dumps),
    )
)
def test_any_body_is_a_registration_or_a_422_that_asks_for_a_json_object(app, client, raw):
    before = row_counts()
    response = client.post(
        "/api/v1/registrations", data=raw, headers={"Content-Type": "application/json"}
    )
    event(f"answer {response.status_code}")  # shown by --hypothesis-show-statistics
    if too_large(response):
        assert_too_large(response, "nl")
    else:
        assert_clean_answer(response, (422,))
        assert response.get_json()["error"] == "invalid"
    assert row_counts() == before


@PURE
@given(st.one_of(texts(), st.datetimes(timezones=st.timezones()).map(datetime.isoformat), JSON))
def test_a_time_is_a_moment_with_its_offset_or_a_422_naming_the_field(value):
    try:
        moment = parse_time(value, "starts_at")
    except Invalid as exc:
        assert set(exc.fields) == {"starts_at"}
        return
    assert isinstance(value, str) and moment.tzinfo is not None
    assert moment == datetime.fromisoformat(value)
