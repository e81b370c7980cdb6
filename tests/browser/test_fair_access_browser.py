"""Partner codes and reconfirmation in a real Chromium, CSRF on, checked with axe-core.

- The registration form with a code, without JavaScript: open "Ik heb een code" (<details>),
  type the code in lower case with spaces, get a place although the general pool is full.
- With JavaScript: a wrong code shows its error next to the field and keeps the rest.
- The reconfirmation links from a real mail (delivered through the SMTP test server): "Ik kom"
  and "Ik kan niet meer komen", each a page with one button, then done; the "no" gives the
  place to the waiting list at once.
- The contingents' back office: list, new contingent, its codes, revoking a code (confirm step).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from conference.cli import create_staff
from conference.clock import utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.mail.delivery import deliver_due
from conference.models import Conference
from registration.contingents.models import Contingent
from registration.contingents.services import create_contingent
from registration.models import Registration
from registration.reconfirm.jobs import reconfirm
from registration.services import register
from tests.browser.test_registration_browser import fill
from tests.factories import person
from tests.helpers import manage_path
from tests.support.apps import LiveServer, sqlite_app
from tests.support.browser import assert_accessible

PASSWORD = "wachtwoord-organisator"
LINK = re.compile(r"https?://\S+/bevestigen/\S+")


@pytest.fixture
def server(sqlite_template, tmp_path, smtp_server):
    """Two on-site places: one held by a person, one set aside for a partner (one code)."""
    app = sqlite_app(sqlite_template, tmp_path, WTF_CSRF_ENABLED=True, SMTP_URL=smtp_server.url)
    with LiveServer(app) as live:
        app.config["BASE_URL"] = live.url
        with app.app_context():
            with write_transaction(db.session):
                db.session.scalar(select(Conference)).onsite_capacity = 2
            conf = db.session.scalar(select(Conference))
            live.code = create_contingent(conf, {"name": "Gidsen", "places": 1, "codes": 1}).codes[
                0
            ]
            live.holder = register(person(1, first_name="Lotte"), venue_choice="waitlist").id
            create_staff("organisator@example.org", "organiser", "Organisator", PASSWORD)
            db.session.remove()
        live.inbox = smtp_server
        yield live
    with app.app_context():
        db.engine.dispose()


def _read(app, query):
    with app.app_context():
        try:
            return query()
        finally:
            db.session.remove()


def _statuses(app) -> dict[str, tuple]:
    rows = _read(app, lambda: db.session.scalars(select(Registration)).all())
    return {r.email: (r.status, r.mode, r.holds_venue_place) for r in rows}


def test_a_code_without_javascript_gives_a_place_in_a_full_venue(browser, server):
    context = browser.new_context(java_script_enabled=False, locale="nl-BE")
    page = context.new_page()
    page.goto(server.url + "/inschrijven")
    fill(page, "gids@example.be", first="Gids")
    code_field = page.get_by_label("Je code")
    expect(code_field).to_be_hidden()  # behind "Ik heb een code"
    page.locator("summary", has_text="Ik heb een code").click()
    typed = "  " + server.code.lower().replace("-", " ") + " "
    code_field.fill(typed)
    page.get_by_role("button", name="Inschrijven").click()
    assert page.locator("h1").inner_text() == "Je bent ingeschreven"
    expect(page.get_by_text("Je komt ter plaatse.")).to_be_visible()
    context.close()
    assert _statuses(server.app)["gids@example.be"] == ("registered", "onsite", True)
    used = _read(server.app, lambda: db.session.scalar(select(Contingent.used)))
    assert used == 1


def test_a_wrong_code_with_javascript_is_shown_next_to_the_field(browser, server):
    context = browser.new_context(locale="nl-BE")
    page = context.new_page()
    page.goto(server.url + "/inschrijven")
    page.locator("summary", has_text="Ik heb een code").click()
    assert_accessible(page, "registration form with the code field open")
    fill(page, "sam@example.be", first="Sam")
    page.get_by_label("Je code").fill("ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    page.get_by_role("button", name="Inschrijven").click()
    error = page.locator("#code-error")
    expect(error).to_contain_text("Deze code klopt niet of is al gebruikt")
    expect(page.get_by_label("Je code")).to_have_attribute("aria-invalid", "true")
    assert page.get_by_label("Voornaam").input_value() == "Sam"
    assert page.get_by_label("Organisatie (niet verplicht)").input_value() == "CAW Antwerpen"
    assert page.get_by_label("Sociaal werker in de praktijk").is_checked()
    assert_accessible(page, "registration form with a wrong code")
    page.get_by_label("Ik geef toestemming", exact=False).check()
    page.get_by_label("Je code").fill(server.code)
    page.get_by_role("button", name="Inschrijven").click()
    assert page.locator("h1").inner_text() == "Je bent ingeschreven"
    assert_accessible(page, "thank-you page after a code")
    context.close()
    assert "sam@example.be" in _statuses(server.app)


def _mail_links(server) -> dict[str, dict[str, str]]:
    """Open the window, run the job, deliver: each person's two links from the real mail."""

    def ask():
        with write_transaction(db.session):
            conf = db.session.scalar(select(Conference))
            conf.reconfirm_opens_at = utcnow() - timedelta(hours=1)
            conf.reconfirm_closes_at = utcnow() + timedelta(days=2)
        reconfirm(utcnow())
        deliver_due()

    _read(server.app, ask)
    links: dict[str, dict[str, str]] = {}
    for message in server.inbox.messages:
        body = message.get_body(("plain",)).get_content()
        for url in LINK.findall(body):
            answer = "ja" if url.endswith("antwoord=ja") else "nee"
            links.setdefault(str(message["To"]), {})[answer] = url
    return links


def test_the_reconfirmation_links_from_the_mail(browser, server):
    _read(server.app, lambda: register(person(2, code=server.code), venue_choice="waitlist"))
    links = _mail_links(server)
    assert set(links) == {"persoon1@example.be", "persoon2@example.be"}, links
    context = browser.new_context(locale="nl-BE")
    page = context.new_page()

    page.goto(links["persoon1@example.be"]["ja"])
    assert page.locator("h1").inner_text() == "Ik kom"
    assert_accessible(page, "reconfirm link page")
    page.get_by_role("button", name="Ja, ik kom").click()
    expect(page.get_by_text("Je komst is bevestigd.")).to_be_visible()
    assert_accessible(page, "reconfirm done page")
    page.goto(links["persoon1@example.be"]["nee"])  # the other link of that mail is used up
    assert page.locator("h1").inner_text() == "Deze link werkt niet meer"

    page.goto(links["persoon2@example.be"]["nee"])
    assert page.locator("h1").inner_text() == "Ik kan niet meer komen"
    page.get_by_role("button", name="Ja, geef mijn plaats vrij").click()
    expect(page.get_by_text("Je plaats ter plaatse is vrijgegeven.")).to_be_visible()
    assert_accessible(page, "reconfirm released page")
    context.close()
    statuses = _statuses(server.app)
    assert statuses["persoon1@example.be"] == ("registered", "onsite", True)
    assert statuses["persoon2@example.be"] == ("registered", "online", False)
    # A place taken with a code goes back to its contingent, for the partner's next person.
    assert _read(server.app, lambda: db.session.scalar(select(Contingent.used))) == 0


def test_a_no_without_javascript_promotes_the_waiting_list(browser, server):
    waiting = _read(server.app, lambda: register(person(3), venue_choice="waitlist"))
    assert waiting.status == "waitlisted"
    links = _mail_links(server)
    server.inbox.messages.clear()
    context = browser.new_context(java_script_enabled=False, locale="nl-BE")
    page = context.new_page()
    page.goto(links["persoon1@example.be"]["nee"])
    page.get_by_role("button", name="Ja, geef mijn plaats vrij").click()
    expect(page.get_by_text("Je plaats ter plaatse is vrijgegeven.")).to_be_visible()
    context.close()
    offered = _read(server.app, lambda: db.session.get(Registration, waiting.id))
    assert offered.holds_venue_place and offered.venue_offer_expires_at is not None
    _read(server.app, deliver_due)
    subjects = {(str(m["To"]), str(m["Subject"])) for m in server.inbox.messages}
    assert ("persoon1@example.be", "Je plaats ter plaatse is vrijgegeven") in subjects
    assert any(to == "persoon3@example.be" for to, _subject in subjects)  # the offer


def test_the_attendees_own_choice_page(browser, server):
    _mail_links(server)
    path = _read(server.app, lambda: manage_path(server.holder))
    context = browser.new_context(locale="nl-BE")
    page = context.new_page()
    page.goto(server.url + path)
    page.get_by_role("button", name="Open mijn inschrijving").click()
    page.goto(server.url + "/mijn-inschrijving/komst")
    assert page.locator("h1").inner_text() == "Kom je nog?"
    assert_accessible(page, "reconfirm choice page")
    page.get_by_role("link", name="Ik kom").click()
    page.get_by_role("button", name="Ja, ik kom").click()
    expect(page.get_by_text("Je komst is bevestigd.")).to_be_visible()
    context.close()


def test_the_contingents_back_office(browser, server):
    _mail_links(server)  # the dashboard then shows the reconfirmation's answers per day
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server.url + "/beheer/login")
    page.get_by_label("E-mailadres").fill("organisator@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(server.url + "/beheer")
    expect(page.get_by_role("table", name="Antwoorden per dag")).to_be_visible()
    assert_accessible(page, "dashboard with the reconfirmation")
    page.goto(server.url + "/beheer/deelnemers?reconfirm=unconfirmed")
    expect(page.get_by_label("Bevestiging van komst")).to_have_value("unconfirmed")
    assert_accessible(page, "people filtered on unconfirmed places")

    def more_places():
        with write_transaction(db.session):
            db.session.scalar(select(Conference)).onsite_capacity = 3

    _read(server.app, more_places)
    page.goto(server.url + "/beheer/contingenten")
    assert_accessible(page, "contingents")
    page.get_by_label("Naam van de partner of groep").fill("Hogeschool")
    page.get_by_label("Aantal plaatsen").fill("1")
    page.get_by_role("button", name="Contingent maken").click()
    expect(page.locator("h1")).to_have_text("Hogeschool")
    assert_accessible(page, "contingent codes")
    page.get_by_role("link", name="Code 1 intrekken").click()
    expect(page.locator("h1")).to_have_text("Code 1 intrekken")
    assert_accessible(page, "revoke a code")
    page.get_by_label("Reden (voor het auditlog)").fill("uitgelekt")
    page.get_by_role("button", name="Ja, trek deze code in").click()
    expect(page.get_by_text("De code is ingetrokken.")).to_be_visible()
    expect(page.get_by_text("(ingetrokken)")).to_be_visible()
    context.close()
