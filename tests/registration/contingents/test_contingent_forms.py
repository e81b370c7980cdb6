"""A code at registration: the API's 422 with fields.code, the form's error next to the field."""

from __future__ import annotations

from conference.extensions import limiter
from registration.contingents.services import create_contingent
from tests.factories import conference, person, set_venue
from tests.helpers import bearer


def test_api_code_gives_a_place_and_a_used_code_is_422(app, tokens):
    set_venue(onsite_capacity=1)
    client = app.test_client()
    made = client.post(
        "/api/v1/contingents", json={"name": "Gidsen", "places": 1, "codes": 1},
        headers=bearer(tokens["organiser"]),
    )  # fmt: skip
    assert made.status_code == 201
    code = made.json["codes"][0]
    listed = client.get("/api/v1/contingents", headers=bearer(tokens["organiser"])).json
    assert listed[0]["places"] == 1 and listed[0]["used"] == 0 and listed[0]["codes_left"] == 1
    ok = client.post("/api/v1/registrations", json=person(1, code=code.lower()))
    assert ok.status_code == 201 and ok.json["status"] == "registered"
    used = client.post("/api/v1/registrations", json=person(2, code=code))
    unknown = client.post("/api/v1/registrations", json=person(3, code="ABCD-EFGH-JKMN-PQRS"))
    assert used.status_code == unknown.status_code == 422
    assert used.json["fields"]["code"] == unknown.json["fields"]["code"]
    assert (
        client.get("/api/v1/contingents", headers=bearer(tokens["organiser"])).json[0]["codes_left"]
        == 0
    )
    assert client.get("/api/v1/contingents").status_code == 401


def test_wrong_codes_from_one_address_must_wait(app):
    set_venue(onsite_capacity=10)
    limiter.enabled = False
    try:
        client = app.test_client()
        answers = [
            client.post("/api/v1/registrations", json=person(i, code="ABCD-EFGH-JKMN-PQRS"))
            for i in range(6)
        ]
    finally:
        limiter.enabled = True
    assert [a.status_code for a in answers] == [422] * 5 + [429]


def test_the_form_shows_the_code_error_next_to_the_field_and_keeps_the_rest(app):
    set_venue(onsite_capacity=5)
    create_contingent(conference(), {"name": "School", "places": 1, "codes": 1})
    client = app.test_client()
    page = client.get("/inschrijven")
    assert "<details" in page.text and "Ik heb een code" in page.text
    form = {**person(4, code="ZZZZ-ZZZZ-ZZZZ-ZZZZ"), "consent": "y", "organisation": "CAW Noord"}
    answer = client.post("/inschrijven", data=form)
    assert answer.status_code == 422
    assert "Deze code klopt niet of is al gebruikt" in answer.text
    assert 'value="CAW Noord"' in answer.text and '<details class="code-field" open' in answer.text
