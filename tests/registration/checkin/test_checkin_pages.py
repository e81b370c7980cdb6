"""Scanner pages: roles, the plain manual search and check-in form, the help desk, live figures."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from conference.extensions import db
from registration.checkin.models import Scan
from registration.models import Ticket
from tests.factories import open_day, ticket_holder
from tests.helpers import login


@pytest.fixture
def volunteer(client, tokens):
    open_day()
    login(client, "checkin")
    return client


def test_anonymous_people_are_sent_to_the_staff_login(client):
    response = client.get("/scanner/entrance")
    assert response.status_code == 302
    assert "/beheer/login" in response.headers["Location"]
    assert client.get("/beheer/checkin").status_code == 302


def test_a_moderator_may_not_scan(client, tokens):
    login(client, "moderator")
    assert client.get("/scanner").status_code == 403
    assert client.get("/scanner/entrance").status_code == 403


def test_pick_a_checkpoint_then_the_scanner_page(volunteer):
    page = volunteer.get("/scanner")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="entrance"' in html and "Samenleven in diversiteit" in html
    assert 'href="/scanner"' in html  # the nav link for staff
    go = volunteer.get("/scanner?checkpoint=entrance")
    assert go.status_code == 302 and go.headers["Location"].endswith("/scanner/entrance")
    scanner = volunteer.get("/scanner/entrance").get_data(as_text=True)
    assert "vendor/jsqr/jsQR.js" in scanner and "js/scanner.js" in scanner
    assert 'id="scanner-config"' in scanner and "/api/v1/checkin/redeem" in scanner
    assert volunteer.get("/scanner/999999").status_code == 404
    assert volunteer.get("/scanner/kelder").status_code == 404


def test_manual_search_and_check_in_without_javascript(volunteer):
    reg, _ = ticket_holder(first_name="Mohamed", last_name="Jansens")
    results = volunteer.get("/scanner/entrance/zoeken?q=jansens")
    assert results.status_code == 200
    html = results.get_data(as_text=True)
    assert "Mohamed Jansens" in html
    nonce = re.search(r'name="nonce" value="([0-9a-f]+)"', html).group(1)
    form = {"registration_id": str(reg.id), "type": "entry", "nonce": nonce}
    first = volunteer.post("/scanner/entrance/inchecken", data=form)
    assert first.status_code == 201
    assert "Welkom" in first.get_data(as_text=True)
    again = volunteer.post("/scanner/entrance/inchecken", data=form)  # a double submit
    assert again.status_code == 201
    other = volunteer.post("/scanner/entrance/inchecken", data={**form, "nonce": "another"})
    assert other.status_code == 400
    assert "Al gescand" in other.get_data(as_text=True)
    db.session.rollback()
    assert len(db.session.scalars(select(Scan).filter_by(registration_id=reg.id)).all()) == 2
    too_short = volunteer.get("/scanner/entrance/zoeken?q=j")
    assert too_short.status_code == 200 and "Mohamed" not in too_short.get_data(as_text=True)


def test_help_desk_reissues_a_ticket(volunteer):
    reg, old = ticket_holder()
    response = volunteer.post(f"/scanner/entrance/ticket/{reg.id}", data={})
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    assert "<svg" in html and old.secret not in html
    db.session.rollback()
    tickets = db.session.scalars(select(Ticket).filter_by(registration_id=reg.id)).all()
    assert sorted(t.status for t in tickets) == ["active", "revoked"]
    new = next(t for t in tickets if t.status == "active")
    assert f"/t/{new.secret}" in html


def test_live_figures_are_for_organisers_and_check_in_volunteers(client, tokens):
    open_day()
    login(client, "checkin")
    # Issue 19: the check-in role sees the live figures (it got 403 before).
    assert client.get("/beheer/checkin").status_code == 200
    client.post("/uitloggen")
    login(client, "moderator")
    assert client.get("/beheer/checkin").status_code == 403
    client.post("/uitloggen")
    login(client, "organiser")
    page = client.get("/beheer/checkin")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Aankomsten per kwartier" in html and "Samenleven in diversiteit" in html
    fragment = client.get("/beheer/checkin?fragment=1").get_data(as_text=True)
    assert "<html" not in fragment and "Nu binnen" in fragment
