"""Networking in a real Chromium without JavaScript on a 320 px screen, with axe-core everywhere.

Two colleagues: Lotte makes her profile visible, finds Noor, asks her to meet at lunch; Noor
accepts at a numbered table; both see it in their agenda; Lotte books a themed table at the
reception. Every new page passes axe-core (WCAG 2.1 AA), including the 403 page for a person
who is not visible and the confirm steps.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from conference.extensions import db
from registration.models import Registration
from sessions.programme.models import Theme
from streaming.networking import profiles, slots, tables
from tests.factories import attendee, conference
from tests.support.apps import LiveServer, sqlite_app
from tests.support.browser import assert_accessible


def _cookie(app, reg: Registration) -> str:
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps({"_user_id": reg.user.get_id(), "_fresh": True})


@pytest.fixture(scope="module")
def site(sqlite_template, tmp_path_factory):
    """A served app with three attendees, lunch and the reception as slots, a themed table."""
    app = sqlite_app(sqlite_template, tmp_path_factory.mktemp("networking"))
    with LiveServer(app) as server:
        app.config["BASE_URL"] = server.url
        with app.app_context():
            slots.add_default_slots(conference())
            [_lunch, reception] = slots.slots(conference())
            theme = db.session.scalar(select(Theme).order_by(Theme.position))
            tables.add_table(conference(), {"slot_id": reception.id, "theme_id": theme.id,
                                             "title": "Buurtwerk", "capacity": 6})  # fmt: skip
            lotte = attendee(first_name="Lotte", last_name="Janssens")
            noor = attendee(first_name="Noor", last_name="Peeters")
            hidden = attendee(first_name="Sam", last_name="Verborgen")
            noor.organisation = "CAW Antwerpen"
            db.session.commit()
            profiles.save_profile(noor, {"visible": True, "region": "Antwerpen"})
            state = {
                "url": server.url,
                "lotte": _cookie(app, lotte),
                "noor": _cookie(app, noor),
                "hidden": _cookie(app, hidden),
                "cookie_name": app.config["SESSION_COOKIE_NAME"],
            }
            db.session.remove()
        yield state
    with app.app_context():
        db.engine.dispose()


def _tab(browser, site, who: str, *, js: bool = False):
    context = browser.new_context(
        locale="nl-BE", timezone_id="Europe/Brussels", java_script_enabled=js,
        viewport={"width": 320, "height": 800},
    )  # fmt: skip
    context.add_cookies([{"name": site["cookie_name"], "value": site[who], "url": site["url"]}])
    return context, context.new_page()


def _fits(tab, label: str) -> None:
    expect(tab.locator("h1").first).to_be_visible()
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320, label


def _check(tab, label: str) -> None:
    """Fits 320 px and passes axe-core (axe needs JavaScript: a context with it on)."""
    _fits(tab, label)
    assert_accessible(tab, label)


def test_meeting_a_colleague_without_javascript(browser, site):
    url = site["url"]
    context, tab = _tab(browser, site, "hidden")
    response = tab.goto(url + "/netwerken/collegas")
    assert response.status == 403
    expect(tab.get_by_text("Zet je profiel eerst op zichtbaar")).to_be_visible()
    context.close()

    context, tab = _tab(browser, site, "lotte")
    tab.goto(url + "/netwerken")
    tab.get_by_label("Ja, toon mij in de lijst van collega's").check()
    tab.get_by_label("Regio (niet verplicht)").fill("Gent")
    tab.get_by_role("button", name="Bewaren").click()
    expect(tab.get_by_role("heading", name="Collega's", exact=True)).to_be_visible()
    expect(tab.get_by_role("heading", name="Noor Peeters")).to_be_visible()
    expect(tab.get_by_text("Sam Verborgen")).to_have_count(0)
    tab.get_by_role("link", name="Afspraak vragen · Noor Peeters").click()
    tab.get_by_label("Bericht (niet verplicht)").fill("Graag over buurtwerk.")
    tab.get_by_role("button", name="Verzoek versturen").click()
    expect(tab.get_by_text("Jouw verzoek aan Noor Peeters")).to_be_visible()
    context.close()

    context, tab = _tab(browser, site, "noor")
    tab.goto(url + "/netwerken/afspraken")
    tab.get_by_role("link", name="Weigeren · Lotte Janssens").click()
    expect(tab.get_by_role("heading", name="Verzoek weigeren?")).to_be_visible()
    tab.get_by_role("link", name="Nee, terug").click()
    tab.get_by_role("button", name="Aanvaarden · Lotte Janssens").click()
    expect(tab.get_by_text("Tafel 1")).to_be_visible()
    tab.goto(url + "/agenda")
    expect(tab.get_by_text("Afspraak met Lotte Janssens")).to_be_visible()
    context.close()

    context, tab = _tab(browser, site, "lotte")
    tab.goto(url + "/agenda")
    expect(tab.get_by_text("Afspraak met Noor Peeters")).to_be_visible()
    tab.goto(url + "/netwerken/tafels")
    tab.get_by_role("button", name="Plaats nemen · Buurtwerk").click()
    expect(tab.get_by_text("Je hebt hier een plaats.")).to_be_visible()
    _fits(tab, "tables without javascript")
    context.close()


def test_every_networking_page_passes_axe(browser, site):
    url = site["url"]
    context, tab = _tab(browser, site, "hidden", js=True)
    assert tab.goto(url + "/netwerken/collegas").status == 403
    _check(tab, "not visible (403)")
    context.close()

    context, tab = _tab(browser, site, "lotte", js=True)
    tab.goto(url + "/netwerken")
    _check(tab, "profile")
    tab.goto(url + "/netwerken/collegas")
    _check(tab, "people")
    tab.get_by_role("link", name="Afspraak vragen · Noor Peeters").click()
    _check(tab, "request")
    tab.goto(url + "/netwerken/afspraken")
    _check(tab, "meetings (sent)")
    tab.get_by_role("link", name="Annuleren · Noor Peeters").click()
    _check(tab, "cancel confirm")
    tab.goto(url + "/netwerken/tafels")
    _check(tab, "tables")
    tab.get_by_role("link", name="Plaats vrijgeven · Buurtwerk").click()
    _check(tab, "leave table confirm")
    context.close()

    context, tab = _tab(browser, site, "noor", js=True)
    tab.goto(url + "/netwerken/afspraken")
    _check(tab, "meetings (received)")
    tab.get_by_role("link", name="Blokkeren · Lotte Janssens").click()
    _check(tab, "block confirm")
    context.close()


def test_the_english_pages_are_complete(browser, site):
    context, tab = _tab(browser, site, "noor", js=True)
    for path in ("/netwerken", "/netwerken/collegas", "/netwerken/afspraken", "/netwerken/tafels"):
        tab.goto(site["url"] + path + "?lang=en")
        text = tab.locator("main").inner_text()
        for dutch in ("Collega's", "afspraak", "Tafelgesprek", "zichtbaar", "Bewaren"):
            assert dutch not in text, (path, dutch)
    _check(tab, "tables (en)")
    context.close()
