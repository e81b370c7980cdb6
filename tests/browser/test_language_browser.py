"""Language (issue 19, item 9), in a real Chromium.

- Dutch first: a browser set to English gets Dutch until the person chooses English (the link,
  which a cookie remembers, or the language of their registration).
- English pages mark the Dutch they show (a title without a translation, a place name) with
  `lang="nl"`, so a screen reader reads it in Dutch.
- Catalogue terms: "Inloggen/Uitloggen", not "Aanmelden/Afmelden" (register/cancel in
  Flemish); "eerste lijn" is "front-line" in English; the theme page's headings do not jump.
"""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from conference.extensions import db
from registration.models import Registration
from registration.signup import register
from sessions.programme.models import Activity
from tests.factories import person
from tests.support.browser import assert_accessible

HEADING_JUMPS = """() => {
  const levels = [...document.querySelectorAll('main h1, main h2, main h3, main h4')]
    .map((h) => Number(h.tagName[1]));
  return levels.filter((level, i) => i > 0 && level > levels[i - 1] + 1);
}"""


def test_dutch_first_and_english_by_choice(browser, live_server):
    url = live_server.url
    with live_server.app.app_context():
        reg_id = register(person(1, first_name="Emma", language="en")).id
        walk = db.session.scalar(select(Activity).filter_by(slug="bezoek-stadswandeling"))
        walk.summary_en = None  # a text nobody translated
        db.session.commit()
        app = live_server.app
        user = db.session.get(Registration, reg_id).user
        cookie = app.session_interface.get_signing_serializer(app).dumps(
            {"_user_id": user.get_id(), "_fresh": True}
        )
        db.session.remove()

    # A browser set to English: Dutch, with the way to English right there.
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(url + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    expect(page.get_by_role("link", name="Inloggen voor medewerkers")).to_be_visible()
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(url + "/programma")  # the choice sticks (a cookie)
    assert page.locator("html").get_attribute("lang") == "en"

    # English pages mark the Dutch they show.
    page.goto(url + "/programma/bezoek-stadswandeling")
    summary = page.locator("main p.lead")
    expect(summary).to_have_attribute("lang", "nl")
    expect(page.locator("dd span[lang=nl]", has_text="Looszaal")).to_be_visible()
    assert_accessible(page, "English activity page with Dutch parts")
    page.goto(url + "/thema/eerste-lijn")
    expect(page.locator("h1")).to_have_text("Front-line social work")
    assert page.evaluate(HEADING_JUMPS) == []
    context.close()

    # Someone who registered in English sees English once logged in, whatever the browser.
    context = browser.new_context(locale="nl-BE")
    context.add_cookies([{"name": "session", "value": cookie, "url": url}])
    page = context.new_page()
    page.goto(url + "/mijn-inschrijving")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()
    page.goto(url + "/mijn-inschrijving?lang=nl")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    page.goto(url + "/thema/eerste-lijn?lang=nl")
    assert page.evaluate(HEADING_JUMPS) == []
    context.close()
