"""NUL bytes and other control characters: never a 500, never stored, on either database.

Before: on PostgreSQL `GET /t/%00` and `/programma/%00` answered 500 without login, and so did
the organisers' search fields and back-office forms; on SQLite those forms stored NUL and
escape sequences, which the programme API then served. Now every text input goes through the
one text rule (`conference.validation.tidy_text`) and a path part that holds such a character
is a 404.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conference.extensions import db
from conference.models import MailMessage
from registration.models import Registration
from sessions.programme.models import Activity
from streaming.models import StreamSettings
from tests.factories import activity
from tests.helpers import bearer, login
from tests.sessions.programme.test_admin import _activity_form

BAD = ("\x00", "\x1b[31m", "\x7f", "\x9b")
UNUSABLE = "Deze tekst bevat een teken dat we niet kunnen bewaren"


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


@pytest.mark.parametrize(
    "path",
    [
        "/t/%00",
        "/t/%00/afdrukken",
        "/t/%00/qr.png",
        "/t/%00/qr.svg",
        "/t/ab%09cd",
        "/programma/%00",
        "/thema/%00",
        "/kalender/%00.ics",
        "/aanmelden/%00",
        "/mijn-inschrijving/link/%00",
        "/afmelden/%00",
        "/attest/%00",
        "/plaatsen/aanbod/%00",
        "/api/v1/certificates/%00",
    ],
)
def test_a_path_with_a_control_character_is_not_found(app, client, path):
    response = client.get(path)
    assert response.status_code == 404, path


@pytest.mark.parametrize(
    "url",
    [
        "/beheer/deelnemers?q=%00",
        "/beheer/audit?actor=%00",
        "/beheer/audit?action=a%1bb",
        "/beheer/agenda?q=%00",
        "/scanner/entrance/zoeken?q=%00",
    ],
)
def test_an_organiser_search_with_a_control_character_is_refused(app, client, tokens, url):
    login(client)
    response = client.get(url)
    assert response.status_code == 422, url
    assert UNUSABLE in response.get_data(as_text=True)


def test_the_api_search_and_query_values_answer_in_the_contract_shape(app, client, tokens):
    headers = bearer(tokens["checkin"])
    for url in (
        "/api/v1/checkin/search?q=%00",
        "/api/v1/checkin/list?checkpoint=%00",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 422, url
        assert response.get_json()["error"] == "invalid"
    # Tabs and line breaks are white space: tidied, then searched.
    found = client.get("/api/v1/checkin/search?q=Persoon%09Nummer", headers=headers)
    assert found.status_code == 200


def test_json_with_nul_anywhere_is_refused_before_any_query(app, client, tokens):
    headers = bearer(tokens["checkin"])
    response = client.post(
        "/api/v1/checkin/redeem",
        json={"secret": "ab\x00cd", "checkpoint": "entrance"},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"secret": response.get_json()["fields"]["secret"]}
    act = activity("ws-diversiteit-1")
    before = act.title
    for value in BAD:
        answer = client.patch(
            f"/api/v1/activities/{act.id}",
            json={"title": f"Titel{value}", "location": f"Zaal{value}"},
            headers=bearer(tokens["organiser"]),
        )
        assert answer.status_code == 422, repr(value)
    db.session.rollback()
    assert db.session.get(Activity, act.id).title == before


@pytest.mark.parametrize("value", BAD)
def test_back_office_forms_refuse_control_characters_and_store_nothing(app, client, tokens, value):
    login(client)
    act = activity("ws-diversiteit-1")
    before = (act.title, act.summary)
    for field in ("title", "summary"):
        form = _activity_form(act, **{field: f"Tekst {value} hier"})
        response = client.post(f"/beheer/programma/activiteiten/{act.id}", data=form)
        assert response.status_code == 422, field
        assert UNUSABLE in response.get_data(as_text=True)
    db.session.rollback()
    assert (
        db.session.get(Activity, act.id).title,
        db.session.get(Activity, act.id).summary,
    ) == before
    programme = client.get("/api/v1/programme").get_data(as_text=True)
    assert value not in programme

    stream = db.session.scalar(select(Activity).filter_by(kind="stream").order_by(Activity.id))
    response = client.post(
        f"/online/beheer/{stream.id}", data={"description": f"Uitleg{value}", "provider": ""}
    )
    assert response.status_code == 422
    db.session.rollback()
    descriptions = db.session.scalars(select(StreamSettings.description)).all()
    assert not any(value in (text or "") for text in descriptions)

    mails = db.session.scalar(select(func.count()).select_from(MailMessage))
    response = client.post(
        "/beheer/berichten/nieuw",
        data={"audience": "online", "subject": f"Onderwerp{value}", "body": f"Tot{value} morgen"},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(MailMessage)) == mails

    response = client.post(
        "/beheer/deelnemers/nieuw",
        data={
            "email": f"bel{value}@example.be",
            "first_name": "Bart",
            "last_name": "Beller",
            "profile": "volunteer",
            "mode": "onsite",
            "language": "nl",
            "consent": "y",
        },
    )
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_white_space_in_forms_is_tidied_not_refused(app, client, tokens):
    login(client)
    act = activity("ws-diversiteit-1")
    form = _activity_form(act, title="  Nieuwe\ttitel  ", summary="Regel een  \r\nRegel twee\t")
    assert client.post(f"/beheer/programma/activiteiten/{act.id}", data=form).status_code == 302
    db.session.rollback()
    act = db.session.get(Activity, act.id)
    assert act.title == "Nieuwe titel" and act.summary == "Regel een\nRegel twee"
