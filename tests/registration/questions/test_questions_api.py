"""The questions through the JSON API: the public form, answers at registration and in /me,
and the organisers' questions (API.md, "Own registration questions")."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conference.clock import isoformat, utcnow
from registration.questions.services import answers_by_key
from tests.factories import ANSWERS, QUESTION_SET, clear_questions, person, questions
from tests.helpers import bearer

EN = {"Accept-Language": "en"}


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def post(client, body, headers=None):
    return client.post("/api/v1/registrations", json=body, headers=headers or {})


def test_the_form_lists_the_questions_in_order_in_the_request_language(client):
    questions()
    nl = client.get("/api/v1/registration-form").get_json()["questions"]
    en = client.get("/api/v1/registration-form", headers=EN).get_json()["questions"]

    assert [q["key"] for q in nl] == [q["key"] for q in QUESTION_SET]
    bron = next(q for q in nl if q["key"] == "bron")
    assert bron == {
        "key": "bron", "type": "choice", "label": "Hoe heb je van ons gehoord?",
        "help": None, "required": True, "modes": ["onsite", "online"],
        "choices": [{"key": "collega", "label": "Via een collega"},
                    {"key": "nieuwsbrief", "label": "Nieuwsbrief"}],
    }  # fmt: skip
    bron_en = next(q for q in en if q["key"] == "bron")
    assert bron_en["label"] == "How did you hear of us?"
    assert bron_en["choices"][0]["label"] == "A colleague"
    # English falls back to Dutch where no English was given.
    assert next(q for q in en if q["key"] == "jaren")["label"] == "Hoeveel jaar werk je al?"
    assert next(q for q in nl if q["key"] == "tolk")["modes"] == ["onsite"]
    assert next(q for q in nl if q["key"] == "functie")["max"] == 40


def test_every_type_is_stored_and_shown_in_me(client):
    questions()
    response = post(client, person(1, answers=ANSWERS))
    assert response.status_code == 201, response.get_json()
    me = client.get("/api/v1/me", headers=bearer(response.get_json()["token"])).get_json()
    # Several choices are kept in the question's order.
    assert me["answers"] == {**ANSWERS, "themas": ["armoede", "zorg"]}


BAD_ANSWERS = [
    ("functie", "x" * 41, "te lang", "too long"),
    ("functie", 12, "tekst", "text"),
    ("verwachting", ["a"], "tekst", "text"),
    ("bron", "radio", "Kies een van", "Choose one of"),
    ("themas", ["jeugd", "sport"], "Kies alleen", "Choose only"),
    ("themas", "jeugd", "Kies een of meer", "Choose one or more"),
    ("tolk", "misschien", "ja of nee", "yes or no"),
    ("jaren", 61, "van 0 tot en met 60", "from 0 to 60"),
    ("jaren", 2.5, "geheel getal", "whole number"),
    ("jaren", True, "geheel getal", "whole number"),
    ("startdatum", "2022-02-30", "jjjj-mm-dd", "yyyy-mm-dd"),
    ("startdatum", "5 mei", "jjjj-mm-dd", "yyyy-mm-dd"),
    ("onbekend", "x", "bestaat niet", "does not exist"),
]


def test_a_bad_answer_is_a_422_naming_it_in_both_languages(client):
    questions()
    for key, value, nl, en in BAD_ANSWERS:
        answers = {**ANSWERS, key: value}
        for headers, words in (({}, nl), (EN, en)):
            response = post(client, person(2, answers=answers), headers)
            assert response.status_code == 422, key
            body = response.get_json()
            assert body["error"] == "invalid"
            assert words in body["fields"][f"answers.{key}"], (key, body)
    # Nothing was stored for any of them.
    assert post(client, person(2, answers=ANSWERS)).status_code == 201


def test_required_questions_follow_the_mode(client):
    questions()
    missing = post(client, person(3, answers={"functie": "Coach"}))
    assert missing.status_code == 422
    assert set(missing.get_json()["fields"]) == {"answers.bron", "answers.tolk"}

    # Online: the on-site question is neither asked nor kept.
    online = post(client, person(3, mode="online", answers={"bron": "collega", "tolk": True}))
    assert online.status_code == 201
    me = client.get("/api/v1/me", headers=bearer(online.get_json()["token"])).get_json()
    assert me["answers"] == {"bron": "collega"}


def test_other_field_errors_and_answer_errors_come_together(client):
    questions("bron")
    response = post(client, person(4, first_name="", answers={}))
    assert set(response.get_json()["fields"]) == {"first_name", "answers.bron"}


def test_patch_me_changes_answers_until_the_deadline(client, tokens):
    questions()
    token = post(client, person(5, answers=ANSWERS)).get_json()["token"]
    changed = client.patch(
        "/api/v1/me", json={"answers": {"jaren": 13, "themas": []}}, headers=bearer(token)
    )
    assert changed.status_code == 200
    assert changed.get_json()["answers"]["jaren"] == 13
    assert "themas" not in changed.get_json()["answers"]  # emptied: no answer kept

    bad = client.patch("/api/v1/me", json={"answers": {"jaren": "veel"}}, headers=bearer(token))
    assert bad.status_code == 422 and "answers.jaren" in bad.get_json()["fields"]

    questions_closed = client.patch(
        "/api/v1/questions/jaren",
        json={"editable_until": isoformat(utcnow() - timedelta(minutes=1))},
        headers=bearer(tokens["organiser"]),
    )
    assert questions_closed.status_code == 200
    late = client.patch("/api/v1/me", json={"answers": {"jaren": 14}}, headers=bearer(token))
    assert late.status_code == 422
    assert "niet meer" in late.get_json()["fields"]["answers.jaren"]
    me = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert me["answers"]["jaren"] == 13


def test_organisers_create_change_and_archive_questions(client, tokens):
    clear_questions()
    auth = bearer(tokens["organiser"])
    spec = {**QUESTION_SET[2]}
    created = client.post("/api/v1/questions", json=spec, headers=auth)
    assert created.status_code == 201
    assert created.get_json()["key"] == "bron" and created.get_json()["archived"] is False
    again = client.post("/api/v1/questions", json=spec, headers=auth)
    assert again.status_code == 422 and "key" in again.get_json()["fields"]

    token = post(client, person(6, answers={"bron": "collega"})).get_json()["token"]
    # Renaming a choice keeps its key, so the answer keeps its meaning.
    renamed = client.patch(
        "/api/v1/questions/bron",
        json={"choices": [{"key": "collega", "label": "Via een collega of vriend"},
                          {"key": "nieuwsbrief", "label": "Nieuwsbrief"}]},
        headers=auth,
    )  # fmt: skip
    assert renamed.status_code == 200
    # A question with answers keeps its type.
    retyped = client.patch("/api/v1/questions/bron", json={"type": "text"}, headers=auth)
    assert retyped.status_code == 422 and "type" in retyped.get_json()["fields"]

    deleted = client.delete("/api/v1/questions/bron", headers=auth)
    assert deleted.status_code == 200 and deleted.get_json() == {"key": "bron", "archived": True}
    listed = client.get("/api/v1/questions", headers=auth).get_json()["questions"]
    assert listed[0]["archived"] is True and listed[0]["answers"] == 1
    assert client.get("/api/v1/registration-form").get_json()["questions"] == []
    reg_id = client.get("/api/v1/me", headers=bearer(token)).get_json()["id"]
    assert answers_by_key(reg_id, archived=True) == {"bron": "collega"}

    client.post("/api/v1/questions", json=QUESTION_SET[0], headers=auth)
    gone = client.delete("/api/v1/questions/functie", headers=auth)
    assert gone.get_json() == {"key": "functie", "archived": False}
    assert client.delete("/api/v1/questions/functie", headers=auth).status_code == 404


BAD_QUESTIONS = [
        ({"key": "Hoofd letters", "type": "text", "label": "x"}, "key"),
        ({"key": "a", "type": "slider", "label": "x"}, "type"),
        ({"key": "a", "type": "text", "label": ""}, "label"),
        ({"key": "a", "type": "choice", "label": "x", "choices": []}, "choices"),
        ({"key": "a", "type": "choice", "label": "x",
          "choices": [{"key": "b", "label": "B"}, {"key": "b", "label": "C"}]}, "choices.1.key"),
        ({"key": "a", "type": "text", "label": "x", "modes": ["moon"]}, "modes"),
        ({"key": "a", "type": "text", "label": "x", "max": 10**6}, "max"),
        ({"key": "a", "type": "text", "label": "x", "editable_until": "morgen"}, "editable_until"),
        ({"key": "a", "type": "text", "label": "x", "colour": "red"}, "colour"),
]  # fmt: skip


def test_a_bad_question_is_a_422(client, tokens):
    clear_questions()
    for body, field in BAD_QUESTIONS:
        response = client.post("/api/v1/questions", json=body, headers=bearer(tokens["organiser"]))
        assert response.status_code == 422, body
        assert field in response.get_json()["fields"], (body, response.get_json())
    assert client.get("/api/v1/questions", headers=bearer(tokens["organiser"])).get_json() == {
        "questions": []
    }


def test_questions_are_for_organisers_only(client, tokens):
    assert client.get("/api/v1/questions").status_code == 401
    checkin = bearer(tokens["checkin"])
    assert client.get("/api/v1/questions", headers=checkin).status_code == 403
    assert client.post("/api/v1/questions", json={}, headers=checkin).status_code == 403
