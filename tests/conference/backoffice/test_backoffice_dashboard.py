"""The dashboard: registrations over time (SVG and table), places, profiles, the day itself."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from conference.clock import utcnow
from tests.factories import register, set_venue
from tests.helpers import bearer, login


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def test_registrations_over_time_chart_and_table(app, client, tokens):
    start = utcnow()
    with time_machine.travel(start - timedelta(days=2), tick=False):
        register(1, sector="Welzijn")
        register(2, mode="online", sector="welzijn ")
    with time_machine.travel(start - timedelta(days=1), tick=False):
        register(3, profile="manager", sector="Onderwijs")
    register(4)
    login(client)
    html = client.get("/beheer").get_data(as_text=True)
    svg = re.search(r"<svg class=\"chart\".*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "Inschrijvingen per dag" in svg
    assert svg.count("<polyline") == 2  # on site and online
    assert "Maximum ter plaatse (1200)" in svg  # the venue cap line
    table = re.search(r"<table>\s*<caption>Inschrijvingen per dag.*?</table>", html, re.S).group(0)
    cells = re.findall(r'<td class="num">(\d+)</td>', table)
    assert [int(c) for c in cells[-2:]] == [3, 1]  # cumulative: 3 on site, 1 online today
    assert [int(c) for c in cells[:2]] == [1, 1]
    assert "3 / 1200" in html and "1197" in html  # places taken and left
    assert "Welzijn" in html and ">2<" in html  # sectors, case-insensitive
    assert "67% van de plaatsen ter plaatse is voor praktijkwerkers" in html
    assert "geen minimum ingesteld" in html


def test_practitioner_target(app, client, tokens):
    set_venue(profile_quotas={"practitioner": 0.5})
    register(1, profile="manager")
    login(client)
    html = client.get("/beheer").get_data(as_text=True)
    assert "Nog niet gehaald:" in html and "het doel is minstens 50%" in html
    register(2)
    register(3)
    assert "Gehaald:" in client.get("/beheer").get_data(as_text=True)


def test_waiting_and_day_figures(app, client, tokens):
    set_venue(onsite_capacity=1)
    first = register(1)
    register(2, venue="waitlist")
    response = app.test_client().post(
        "/api/v1/checkin/redeem",
        json={"secret": first.ticket.secret, "checkpoint": "entrance", "force": True},
        headers=bearer(tokens["checkin"]),
    )
    assert response.status_code == 201, response.get_json()
    login(client)
    html = client.get("/beheer").get_data(as_text=True)
    waiting = re.search(r'stat-value">(\d+)</span><span class="stat-label">op de wachtlijst', html)
    assert waiting.group(1) == "1"
    assert "Aankomsten per kwartier" in html and "nu binnen" in html
    assert "Nog geen gegevens" not in html.split("Kijkers per stream")[0]


def test_other_staff_see_only_their_links(app, tokens):
    checkin = app.test_client().get("/beheer", headers=bearer(tokens["checkin"]))
    html = checkin.get_data(as_text=True)
    assert checkin.status_code == 200 and "Jouw pagina" in html
    assert "/scanner" in html and "Inschrijvingen per dag" not in html and "Profielen" not in html
    moderator = app.test_client().get("/beheer", headers=bearer(tokens["moderator"]))
    html = moderator.get_data(as_text=True)
    assert "/online/moderatie" in html and "/scanner" not in html and "Plaatsen" not in html
