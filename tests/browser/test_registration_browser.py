"""The registration form in a real Chromium, with and without JavaScript, checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from conference.db import write_transaction
from conference.extensions import db
from conference.models import Conference
from registration.models import Registration
from tests.support.browser import assert_accessible


def fill(page, email: str, first: str = "Sara", mode: str = "Ter plaatse") -> None:
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Voornaam").fill(first)
    page.get_by_label("Familienaam").fill("Janssens")
    page.get_by_label("Organisatie (niet verplicht)").fill("CAW Antwerpen")
    page.get_by_label("Sociaal werker in de praktijk").check()
    page.get_by_label(mode, exact=False).first.check()
    page.get_by_label("Ik geef toestemming", exact=False).check()


def registrations(app) -> list[Registration]:
    with app.app_context():
        rows = db.session.scalars(select(Registration).order_by(Registration.id)).all()
        result = [(r.email, r.status, r.mode, r.first_name) for r in rows]
        db.session.remove()
    return result


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_register_in_the_browser(browser, live_server, javascript):
    context = browser.new_context(java_script_enabled=javascript, locale="nl-BE")
    page = context.new_page()
    page.goto(live_server.url + "/inschrijven")
    assert page.locator("h1").inner_text() == "Inschrijven"
    if javascript:
        assert_accessible(page, "registration form")

    # A mistake first: the errors stand next to the fields and what was typed stays.
    page.get_by_label("E-mailadres").fill("sara@")
    page.get_by_label("Voornaam").fill("Sara")
    page.get_by_role("button", name="Inschrijven").click()
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.locator("#consent-error")).to_be_visible()
    assert page.get_by_label("Voornaam").input_value() == "Sara"
    if javascript:
        # The (deferred) script moves focus to the list of errors.
        page.wait_for_function(
            "() => document.activeElement === document.querySelector('.error-summary')",
            timeout=5000,
        )
        assert_accessible(page, "registration form with errors")

    email = f"sara-{'js' if javascript else 'nojs'}@example.be"
    fill(page, email)
    page.get_by_role("button", name="Inschrijven").click()
    assert page.locator("h1").inner_text() == "Je bent ingeschreven"
    if javascript:
        assert_accessible(page, "thank-you page")
    page.get_by_role("link", name="Naar mijn inschrijving").click()
    assert page.locator("h1").inner_text() == "Mijn inschrijving"
    expect(page.get_by_role("img", name="QR-code van je ticket")).to_be_visible()
    if javascript:
        assert_accessible(page, "personal page")
    context.close()
    assert (email, "registered", "onsite", "Sara") in registrations(live_server.app)


def test_a_full_venue_second_step(browser, live_server):
    with live_server.app.app_context():
        with write_transaction(db.session):
            db.session.scalar(select(Conference)).onsite_capacity = 0
        db.session.remove()
    for javascript in (False, True):
        context = browser.new_context(java_script_enabled=javascript, locale="nl-BE")
        page = context.new_page()
        page.goto(live_server.url + "/inschrijven")
        email = f"vol-{str(javascript).lower()}@example.be"
        fill(page, email, first="Noor")
        page.get_by_role("button", name="Inschrijven").click()
        assert page.locator("h1").inner_text() == "Ter plaatse is volzet"
        if javascript:
            assert_accessible(page, "venue-full step")
        page.get_by_label("Online volgen en op de wachtlijst", exact=False).check()
        page.get_by_role("button", name="Inschrijving afronden").click()
        assert page.locator("h1").inner_text() == "Je bent ingeschreven"
        context.close()
        assert (email, "registered", "online", "Noor") in registrations(live_server.app)


def test_login_page_and_english_form(page, live_server):
    page.goto(live_server.url + "/aanmelden")
    assert_accessible(page, "login-link page")
    page.goto(live_server.url + "/inschrijven?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page, "registration form in English")
