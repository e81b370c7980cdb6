"""The organisers' questions in the registration form, in a real Chromium: every type, the
errors next to the fields, axe-core on the form and on the answers page."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from conference.extensions import db
from registration.models import Registration
from registration.questions.services import answers_by_key
from tests.factories import questions
from tests.support.browser import assert_accessible


def test_the_form_with_questions_in_the_browser(browser, live_server):
    with live_server.app.app_context():
        questions()
        db.session.remove()
    context = browser.new_context(locale="nl-BE")
    page = context.new_page()
    page.goto(live_server.url + "/inschrijven")
    expect(page.get_by_role("heading", name="Nog enkele vragen")).to_be_visible()
    assert_accessible(page, "registration form with questions")

    page.get_by_label("E-mailadres").fill("vragen@example.be")
    page.get_by_label("Voornaam").fill("Vera")
    page.get_by_label("Familienaam").fill("Vragen")
    page.get_by_label("Sociaal werker in de praktijk").check()
    page.get_by_label("Ter plaatse", exact=False).first.check()
    page.get_by_label("Ik geef toestemming", exact=False).check()
    page.get_by_label("Hoeveel jaar werk je al?", exact=False).fill("veel")
    page.get_by_role("button", name="Inschrijven").click()
    expect(page.locator("#vraag_jaren-error")).to_be_visible()
    expect(page.locator("#vraag_bron-error")).to_have_text("Beantwoord deze vraag.")
    page.wait_for_function(
        "() => document.activeElement === document.querySelector('.error-summary')", timeout=5000
    )
    assert_accessible(page, "registration form with question errors")

    page.get_by_label("Hoeveel jaar werk je al?", exact=False).fill("7")
    page.get_by_label("Via een collega").check()
    page.get_by_label("Armoede").check()
    page.get_by_label("Zorg").check()
    page.locator("#vraag_tolk-0").check()  # Ja
    page.get_by_label("Sinds wanneer?", exact=False).fill("2015-03-01")
    page.get_by_role("button", name="Inschrijven").click()
    expect(page.locator("h1")).to_have_text("Je bent ingeschreven")

    page.goto(live_server.url + "/mijn-inschrijving/vragen")
    expect(page.locator("h1")).to_have_text("Antwoorden wijzigen")
    assert_accessible(page, "answers page")
    context.close()
    with live_server.app.app_context():
        reg = db.session.scalars(select(Registration).filter_by(email="vragen@example.be")).one()
        assert answers_by_key(reg.id) == {
            "bron": "collega", "themas": ["armoede", "zorg"], "tolk": True, "jaren": 7,
            "startdatum": "2015-03-01",
        }  # fmt: skip
        db.session.remove()
