"""Numbers no row can have (2**63, 2**31, "²", "①") are a 404 or a 422, never a 500.

Before: a redeem with `registration_id` 2**63 (on PostgreSQL 2**31), `?page=` with twenty
digits, and checkpoint ids like "²" (a digit to `str.isdigit`, not to `int`) or 99999999999
failed in Python or in the database.
"""

from __future__ import annotations

import pytest

from conference.extensions import db
from sessions.programme.models import Activity
from tests.factories import activity, register
from tests.helpers import bearer, login
from tests.sessions.programme.test_admin import _activity_form

HUGE = ("99999999999", "99999999999999999999", str(2**31), str(2**63))
ODD = ("²", "①", "-1", "0")


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


@pytest.mark.parametrize("number", [2**31, 2**31 - 1, 2**63, 2**63 - 1, 2**64, -(2**63) - 1])
def test_a_redeem_with_an_id_no_row_has_is_an_unknown_ticket(app, client, tokens, number):
    response = client.post(
        "/api/v1/checkin/redeem",
        json={"registration_id": number, "checkpoint": "entrance"},
        headers=bearer(tokens["checkin"]),
    )
    assert response.status_code == 404
    assert response.get_json()["status"] == "error"
    assert response.get_json()["reason"] == "invalid"


@pytest.mark.parametrize("key", [*HUGE, *ODD])
def test_checkpoint_ids_that_are_no_id_are_unknown_checkpoints(app, client, tokens, key):
    headers = bearer(tokens["checkin"])
    for url in (
        f"/api/v1/checkin/list?checkpoint={key}",
        f"/api/v1/checkin/stats?checkpoint={key}",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 422, url
        assert set(response.get_json()) >= {"error", "message", "fields"}
    redeem = client.post(
        "/api/v1/checkin/redeem", json={"secret": "x" * 32, "checkpoint": key}, headers=headers
    )
    assert redeem.status_code == 422 and redeem.get_json()["error"] == "invalid"
    login(client, "checkin")
    assert client.get(f"/scanner/{key}").status_code == 404


@pytest.mark.parametrize("number", [*HUGE[1:], *ODD[:2], "1e9"])
def test_pages_and_filters_beyond_any_row_show_the_first_page_or_nothing(
    app, client, tokens, number
):
    register(1)
    login(client)
    for url in (
        f"/beheer/deelnemers?page={number}",
        f"/beheer/audit?page={number}",
        f"/beheer/deelnemers?activity={number}",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/beheer/lijsten/deelnemerslijsten.pdf?activity={number}").status_code == 404


@pytest.mark.parametrize("value", [*ODD[:3], str(2**63)])
def test_forms_with_a_number_no_row_has_answer_with_the_form(app, client, tokens, value):
    login(client, "checkin")
    response = client.post(
        "/scanner/entrance/inchecken", data={"registration_id": value, "type": "entry"}
    )
    assert response.status_code == 302
    login(client)
    act = activity("ws-diversiteit-1")
    before = act.capacity
    response = client.post(
        f"/beheer/programma/activiteiten/{act.id}", data=_activity_form(act, capacity=value)
    )
    assert response.status_code == 422
    db.session.rollback()
    assert db.session.get(Activity, act.id).capacity == before
