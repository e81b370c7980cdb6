"""The back office in a real Chromium: key screens work by keyboard and pass axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conference.cli import create_staff
from conference.extensions import db
from tests.factories import activity, give_seat, register, staff
from tests.support.browser import assert_accessible

PASSWORD = "wachtwoord-organiser"


@pytest.fixture
def office(live_server):
    """An organiser, a few people with seats, and a logged-in browser page."""
    with live_server.app.app_context():
        create_staff("organiser@example.org", "organiser", "Organisator", PASSWORD)
        zoe = register(
            1,
            first_name="Zoë",
            last_name="Geïrnaert",
            organisation="CAW Antwerpen",
            sector="Welzijn",
        )
        register(2, first_name="Eva", last_name="Peeters", mode="online", profile="student")
        give_seat(zoe.id, "ws-diversiteit-1", by=staff())
        ids = {"zoe": zoe.id, "activity": activity("ws-diversiteit-1").id}
        db.session.remove()
    return ids


def _login(page, live_server) -> None:
    page.goto(live_server.url + "/beheer/login")
    page.get_by_label("E-mailadres").fill("organiser@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(live_server.url + "/beheer")


def test_dashboard_people_person_and_programme(page, live_server, office):
    _login(page, live_server)
    expect(page.get_by_role("heading", name="Beheer", exact=True)).to_be_visible()
    expect(page.locator("svg.chart[role=img]")).to_have_count(1)
    page.get_by_text("Toon als tabel").first.click()
    expect(page.get_by_role("table", name="Inschrijvingen per dag, opgeteld")).to_be_visible()
    assert_accessible(page, "dashboard")

    page.get_by_role("navigation", name="Beheer").get_by_role("link", name="Deelnemers").click()
    page.get_by_label("Zoek op naam, e-mail of organisatie").fill("zoe")
    page.keyboard.press("Enter")
    page.wait_for_url("**/beheer/deelnemers?**")
    expect(page.get_by_text("1 persoon gevonden.")).to_be_visible()
    assert_accessible(page, "people search")

    page.get_by_role("link", name="Geïrnaert, Zoë").click()
    expect(page.get_by_role("heading", name="Zoë Geïrnaert")).to_be_visible()
    expect(page.get_by_text("Samenleven in diversiteit").first).to_be_visible()
    assert_accessible(page, "a person's page")

    page.goto(live_server.url + f"/beheer/programma/activiteiten/{office['activity']}")
    page.get_by_label("Capaciteit", exact=True).fill("")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#capacity-error")).to_contain_text("heeft een capaciteit nodig")
    expect(page.locator(".error-summary")).to_contain_text("heeft een capaciteit nodig")
    assert_accessible(page, "programme editing with an error")
    page.get_by_label("Capaciteit", exact=True).fill("95")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Opgeslagen: Samenleven in diversiteit.")).to_be_visible()

    page.goto(live_server.url + "/beheer/programma")
    assert_accessible(page, "programme overview")


@pytest.mark.parametrize(
    "path",
    [
        "/beheer/berichten/nieuw",
        "/beheer/medewerkers",
        "/beheer/audit",
        "/beheer/lijsten",
        "/beheer/deelnemers/nieuw",
        "/beheer/programma/importeren",
    ],
)
def test_other_backoffice_pages_have_no_axe_violations(page, live_server, office, path):
    _login(page, live_server)
    page.goto(live_server.url + path)
    expect(page.locator("h1").first).to_be_visible()
    assert_accessible(page, path)
