"""Moments far from the conference (9999, 0001) are refused everywhere they can come in.

Before the rule, `PATCH /api/v1/conference` with a closing time in 9999 answered 500 but kept
the value, and every page that shows it in Brussels time failed until another PATCH repaired it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conference.extensions import db
from conference.models import Conference
from sessions.programme.loader import ProgrammeError, load_programme_file
from sessions.programme.models import Activity
from tests.conference.backoffice.test_backoffice_settings import _form
from tests.helpers import bearer, login
from tests.sessions.programme.test_programme_loader import _broken

FAR = ("9999-12-31T23:30:00+00:00", "0001-01-01T00:00:00+00:00", "2100-05-05T10:00:00+02:00")
PAGES = ("/", "/programma", "/api/v1/programme", "/beheer", "/beheer/instellingen")


def _pages_work(client) -> None:
    for page in PAGES:
        assert client.get(page).status_code == 200, page


@pytest.mark.parametrize("moment", FAR)
@pytest.mark.parametrize("key", ["registration_closes_at", "choice_opens_at", "quota_release_at"])
def test_the_conference_api_refuses_far_moments_and_keeps_what_was_stored(
    app, client, tokens, key, moment
):
    before = getattr(db.session.scalar(select(Conference)), key)
    answer = client.patch(
        "/api/v1/conference", json={key: moment}, headers=bearer(tokens["organiser"])
    )
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["error"] == "invalid" and "tussen" in body["fields"][key]
    db.session.rollback()
    assert getattr(db.session.scalar(select(Conference)), key) == before
    login(client)
    _pages_work(client)


@pytest.mark.parametrize(("key", "moment"), [("ends_at", FAR[0]), ("starts_at", FAR[1])])
def test_an_activity_refuses_far_moments(app, client, tokens, key, moment):
    act = db.session.scalar(select(Activity).filter_by(slug="ws-diversiteit-1"))
    before = getattr(act, key)
    answer = client.patch(
        f"/api/v1/activities/{act.id}", json={key: moment}, headers=bearer(tokens["organiser"])
    )
    assert answer.status_code == 422 and key in answer.get_json()["fields"]
    db.session.rollback()
    assert getattr(db.session.get(Activity, act.id), key) == before
    login(client)
    _pages_work(client)
    assert client.get(f"/programma/{act.slug}").status_code == 200


def test_the_settings_form_refuses_far_moments(app, client, tokens):
    login(client)
    data = _form(client)
    before = db.session.scalar(select(Conference)).registration_closes_at
    data.update(registration_closes_at="9999-12-31T23:30")
    answer = client.post("/beheer/instellingen", data=data)
    assert answer.status_code == 422
    assert "kies een tijdstip tussen" in answer.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(Conference)).registration_closes_at == before
    _pages_work(client)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('registration_opens: "2022-03-15 10:00"', 'registration_opens: "9999-12-31 23:30"'),
        ('registration_opens: "2022-03-15 10:00"', 'registration_opens: "0001-01-01 00:00"'),
        ("date: 2022-05-05", "date: 9999-12-31"),
    ],
)
def test_the_data_file_refuses_far_moments(app, tmp_path, old, new):
    path, _text = _broken(tmp_path, old, new)
    with pytest.raises(ProgrammeError) as caught:
        load_programme_file(path)
    assert caught.value.problems
