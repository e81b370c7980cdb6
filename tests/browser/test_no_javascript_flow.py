"""One person, end to end, in a Chromium with JavaScript switched off: register, reach the
personal page, rank workshops in the preference round, get a seat when the organiser publishes
the allocation, find it in the agenda and download the agenda as an .ics file.

CSRF protection is on, as in production: every form must carry its token without a script.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from conference.cli import create_staff
from conference.clock import utcnow
from conference.extensions import db
from conference.models import Conference
from registration.models import Registration
from sessions.seats.models import Seat
from tests.support.apps import LiveServer, sqlite_app

PASSWORD = "wachtwoord-organisator"
RANKS = {1: "1ste keuze", 2: "2de keuze", 3: "3de keuze"}


@pytest.fixture
def server(sqlite_template, tmp_path):
    """The demo (preference round open) with CSRF on and an organiser."""
    app = sqlite_app(sqlite_template, tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        conf = db.session.scalar(select(Conference))
        assert conf.allocation_mode == "preferences" and conf.choice_open()
        create_staff("organisator@example.org", "organiser", "Organisator", PASSWORD)
        db.session.remove()
    with LiveServer(app) as live:
        app.config["BASE_URL"] = live.url
        yield live
    with app.app_context():
        db.engine.dispose()


def _no_js(browser):
    return browser.new_context(
        java_script_enabled=False, locale="nl-BE", timezone_id="Europe/Brussels"
    )


def test_register_choose_and_find_the_seat_in_the_agenda_without_javascript(browser, server):
    context = _no_js(browser)
    page = context.new_page()
    page.goto(server.url + "/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Inschrijven").click()

    page.get_by_label("E-mailadres").fill("zonder.js@example.be")
    page.get_by_label("Voornaam").fill("Jonas")
    page.get_by_label("Familienaam").fill("Verbeke")
    page.get_by_label("Sociaal werker in de praktijk").check()
    page.get_by_label("Ter plaatse", exact=False).first.check()
    page.get_by_label("Ik geef toestemming", exact=False).check()
    page.get_by_role("button", name="Inschrijven").click()
    assert page.locator("h1").inner_text() == "Je bent ingeschreven"

    # The thank-you page leads to the personal page (the registration logged the person in).
    page.get_by_role("link", name="Naar mijn inschrijving").click()
    assert page.locator("h1").inner_text() == "Mijn inschrijving"

    # The preference round: rank three workshops of the first block.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Mijn workshops"
    ).click()
    expect(page.get_by_text("Snelheid speelt geen rol")).to_be_visible()
    page.get_by_role("link", name="Kiezen").first.click()
    # A card per activity with a radio button per rank ("1ste keuze" …), no drop-downs.
    cards = page.locator("fieldset.choice-card").filter(
        has=page.locator(".card-meta", has_text="Workshop")
    )
    workshops = [
        (card.locator('input[name="rank_1"]').get_attribute("value"),
         card.locator("legend").inner_text())
        for card in cards.all()
    ]  # fmt: skip
    assert len(workshops) >= 3, workshops
    ranked = [workshops[2], workshops[0], workshops[1]]
    for rank, (_value, title) in enumerate(ranked, start=1):
        page.get_by_role("group", name=title, exact=True).get_by_label(RANKS[rank]).check()
    page.get_by_role("button", name="Keuzes bewaren").click()
    expect(page.get_by_text("zijn bewaard")).to_be_visible()
    page.goto(server.url + "/mijn/keuzes")
    titles = page.locator("section.panel ol li").all_inner_texts()
    assert titles[:3] == [title for _value, title in ranked]

    # The window closes; the organiser makes a run and publishes it (also without JavaScript).
    with server.app.app_context():
        conf = db.session.scalar(select(Conference))
        conf.choice_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        db.session.remove()
    staff = _no_js(browser)
    office = staff.new_page()
    office.goto(server.url + "/beheer/login")
    office.get_by_label("E-mailadres").fill("organisator@example.org")
    office.get_by_label("Wachtwoord").fill(PASSWORD)
    office.get_by_role("button", name="Inloggen").click()
    office.goto(server.url + "/beheer/verdeling")
    office.get_by_label("Lotingsgetal (seed)").fill("2022")
    office.get_by_role("button", name="Proefverdeling maken").click()
    office.get_by_role("button", name="Deze verdeling publiceren").click()
    expect(office.get_by_text("Gepubliceerd:")).to_be_visible()
    staff.close()

    # The person finds the first choice in the agenda and in the .ics download.
    page.goto(server.url + "/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn agenda").click()
    first_choice = ranked[0][1]
    expect(page.get_by_role("heading", name=first_choice)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download als bestand (.ics)").click()
    calendar = Calendar.from_ical(download.value.path().read_bytes())
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert any(first_choice in summary for summary in summaries), summaries
    context.close()

    with server.app.app_context():
        reg = db.session.scalar(select(Registration).filter_by(email="zonder.js@example.be"))
        seats = db.session.scalars(select(Seat).filter_by(registration_id=reg.id)).all()
        assert int(ranked[0][0]) in [s.activity_id for s in seats]
        db.session.remove()
