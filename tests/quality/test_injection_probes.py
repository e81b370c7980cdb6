"""XSS and SQL-injection probes on every text that is shown back to someone else."""

from __future__ import annotations

from sqlalchemy import func, select

from conference.extensions import db
from registration.models import Registration
from registration.signup import register
from tests.factories import activity_of_kind, attendee, person, token_for
from tests.helpers import bearer, login

SCRIPT = '<script>alert("x")</script>'
ATTRIBUTE = '" onmouseover="alert(1)'
SQL = "'; DROP TABLE registrations; --"


def test_names_and_organisations_are_escaped_in_the_back_office(app, client, tokens):
    done = register(person(1, first_name=SCRIPT, last_name=ATTRIBUTE, organisation=SQL))
    login(client, "organiser")
    for url in (f"/beheer/deelnemers/{done.id}", "/beheer/deelnemers?q=alert", "/beheer"):
        page = client.get(url).data.decode()
        assert SCRIPT not in page and ATTRIBUTE not in page, url
    page = client.get(f"/beheer/deelnemers/{done.id}").data.decode()
    assert "&lt;script&gt;" in page  # shown, as text


def test_sql_in_search_and_fields_is_just_text(app, client, tokens):
    done = register(person(2, organisation=SQL))
    login(client, "organiser")
    response = client.get("/beheer/deelnemers", query_string={"q": SQL})
    assert response.status_code == 200
    response = client.get("/beheer/deelnemers", query_string={"q": "' OR 1=1 --"})
    assert response.status_code == 200 and "Nummer 2" not in response.data.decode()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) >= 1
    assert db.session.get(Registration, done.id).organisation == SQL


def test_questions_are_escaped_for_moderators_and_on_the_room_screen(app, client, tokens):
    stream = activity_of_kind("stream")
    asker = attendee("online")
    response = client.post(
        f"/api/v1/activities/{stream.id}/questions", json={"text": SCRIPT + " waarom?"},
        headers=bearer(token_for(asker.user)),
    )  # fmt: skip
    assert response.status_code in (200, 201), response.get_json()
    login(client, "moderator")
    for url in (f"/online/moderatie/{stream.id}", f"/online/scherm/{stream.id}"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert SCRIPT not in page.data.decode(), url
    api = client.get(
        f"/api/v1/activities/{stream.id}/questions", headers=bearer(tokens["moderator"])
    )
    assert api.get_json()  # JSON carries the text as data; it is the page that must escape it
