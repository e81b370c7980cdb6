"""Any answers through the registration API, on either database: stored as the validator
cleaned them, or a 4xx naming the answer in the request's language; never a 5xx, never a
partial write, never garbage kept."""

from __future__ import annotations

from hypothesis import event, given, settings
from hypothesis import strategies as st

from conference.errors import Invalid
from conference.extensions import db
from conference.questions.kinds import clean_answers
from registration.questions.services import definition, questions_of
from tests.conference.questions.test_kinds_properties import JSON
from tests.factories import ANSWERS, conference, person, questions
from tests.helpers import bearer
from tests.support.form_properties import (
    HTTP,
    assert_clean_answer,
    assert_too_large,
    fresh_email,
    row_counts,
    too_large,
)

KEYS = st.sampled_from(sorted(ANSWERS))


@settings(HTTP, max_examples=25)
@given(key=KEYS, value=JSON, language=st.sampled_from(["nl", "en"]))
def test_any_answer_is_stored_clean_or_refused(any_db_app, key, value, language):
    client = any_db_app.test_client()
    if not questions_of(db.session, conference().id):
        questions()
    answers = {**ANSWERS, key: value}
    defs = [definition(q, language) for q in questions_of(db.session, conference().id)]
    try:
        expected = clean_answers(defs, answers)
    except Invalid:
        expected = None
    before = row_counts()
    response = client.post(
        "/api/v1/registrations",
        json=person(email=fresh_email(), answers=answers),
        headers={"Accept-Language": language},
    )
    event(f"answer {response.status_code}")
    if too_large(response):
        assert_too_large(response, language)
        return
    if expected is None:
        assert_clean_answer(response, (422,))
        assert any(f.startswith(f"answers.{key}") for f in response.get_json()["fields"])
        assert row_counts() == before
        return
    assert_clean_answer(response, (201,))
    me = client.get("/api/v1/me", headers=bearer(response.get_json()["token"])).get_json()
    assert me["answers"] == {k: v for k, v in expected.items() if v is not None}
