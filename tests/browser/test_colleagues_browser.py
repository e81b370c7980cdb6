"""Colleagues in Chromium: a coordinator invites, a colleague confirms with their own consent;
axe-core (WCAG 2.1 AA) on the colleagues page and the confirmation page. (The pages need no
script: the form posts are also covered without one in tests/registration/colleagues.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from registration.colleagues.services import invite_colleagues
from registration.services import register
from tests.factories import person
from tests.helpers import manage_path
from tests.registration.colleagues.support import (
    colleague,
    invitation_of,
    link_token,
    registration_of,
)
from tests.support.apps import LiveServer, sqlite_app
from tests.support.browser import assert_accessible


@pytest.fixture
def server(sqlite_template, tmp_path):
    """The demo with CSRF on, as in production, and one registered coordinator."""
    app = sqlite_app(sqlite_template, tmp_path, WTF_CSRF_ENABLED=True)
    with LiveServer(app) as live:
        app.config["BASE_URL"] = live.url
        with app.app_context():
            live.coordinator = register(person(1)).id
            live.app = app
            db.session.remove()
        yield live
    with app.app_context():
        db.engine.dispose()


def test_invite_and_confirm_accessible(browser, server):
    context = browser.new_context(locale="nl-BE", timezone_id="Europe/Brussels")
    page = context.new_page()
    with server.app.app_context():
        path = manage_path(server.coordinator)
    page.goto(server.url + path)
    page.get_by_role("button").filter(has_text="Open").first.click()
    page.goto(server.url + "/mijn-inschrijving/collegas")
    expect(page.get_by_role("heading", level=1)).to_have_text("Collega's inschrijven")
    assert_accessible(page, "colleagues page")

    row = page.get_by_role("group", name="Collega 1")
    row.get_by_label("E-mailadres").fill("collega1@example.be")
    row.get_by_label("Voornaam").fill("Lies")
    row.get_by_label("Familienaam").fill("Janssens")
    row.get_by_label("Taal van de uitnodiging").select_option("en")
    page.get_by_role("button", name="Uitnodigingen versturen").click()
    expect(page.get_by_role("status")).to_contain_text("collega1@example.be")
    assert_accessible(page, "colleagues page after inviting")

    with server.app.app_context():
        token = link_token("collega1@example.be")
        db.session.remove()
    page.goto(f"{server.url}/collega/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Je inschrijving bevestigen")
    assert_accessible(page, "confirmation page")
    page.get_by_role("button", name="Inschrijving bevestigen").click()
    expect(page.locator(".error-summary")).to_be_visible()  # no consent given yet
    assert_accessible(page, "confirmation page with errors")
    page.get_by_label("Ik geef toestemming", exact=False).check()
    page.get_by_role("button", name="Inschrijving bevestigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Je bent ingeschreven")
    with server.app.app_context():
        reg = registration_of("collega1@example.be")
        assert reg.status == "registered" and reg.consent_at is not None
        invite_colleagues(server.coordinator, [colleague(2)])
        token = link_token("collega2@example.be")
        db.session.remove()
    page.goto(f"{server.url}/collega/{token}/weigeren")
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitnodiging weigeren")
    assert_accessible(page, "decline page")
    page.get_by_role("button", name="Ja, weigeren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitnodiging geweigerd")
    with server.app.app_context():
        assert invitation_of("collega2@example.be").status == "declined"
        db.session.remove()
    context.close()
