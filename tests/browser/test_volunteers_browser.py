"""Check-in volunteers (issue 19, item 6), in a real Chromium on a phone-sized screen.

- The check-in role opens the live figures (it got 403).
- A verdict stays until the next scan replaces it or a tap; a refusal says what to do next.
- The scanner warns, as soon as it opens, that its checkpoint is closed now (Dutch, English).
- Search finds partial names and e-mail addresses, with and without JavaScript.

The scans are fed to the page's scanner (`window.scanner.handleDecoded`), as the camera would;
test_scanner.py proves the camera path itself.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from conference.cli import create_staff
from conference.extensions import db
from tests.factories import conference, open_day, ticket_holder
from tests.support.browser import assert_accessible

PASSWORD = "wachtwoord-vrijwilliger"
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def server(live_server):
    with live_server.app.app_context():
        open_day()
        create_staff("deur@example.org", "checkin", "Vrijwilliger", PASSWORD)
        _reg, ticket = ticket_holder(
            "onsite",
            first_name="Lotte",
            last_name="Janssens",
            email="lotte.janssens@caw-antwerpen.be",
        )
        live_server.ticket_url = f"{live_server.url}/t/{ticket.secret}"
        db.session.remove()
    return live_server


def volunteer(browser, server, **options):
    context = browser.new_context(locale="nl-BE", viewport=PHONE, **options)
    page = context.new_page()
    page.goto(server.url + "/beheer/login?next=/scanner")
    page.get_by_label("E-mailadres").fill("deur@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("h1")).to_have_text("Scanner")
    return context, page


def test_verdicts_stay_and_say_what_to_do(browser, server):
    context, page = volunteer(browser, server)
    # The live figures, for the check-in role too.
    page.get_by_role("link", name="Live cijfers van de check-in").click()
    expect(page.locator("h1")).to_have_text("Live cijfers check-in")
    assert_accessible(page, "live figures for a check-in volunteer")

    page.goto(server.url + "/scanner/entrance")
    page.wait_for_function("() => document.getElementById('scanner').dataset.list === 'ready'")
    expect(page.locator("#closed-now")).to_be_hidden()  # the day is open
    page.evaluate("window.scanner.handleDecoded('onzin')")
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-kind", "error")
    expect(page.locator("#verdict-next")).to_contain_text("Stuur de persoon naar het onthaal")
    assert_accessible(page, "a refusal with its next step")
    page.wait_for_timeout(3800)  # it used to vanish after 3.5 s (an "ok" after 1.8 s)
    expect(verdict).to_be_visible()
    # The next scan replaces it.
    page.evaluate("url => window.scanner.handleDecoded(url)", server.ticket_url)
    expect(verdict).to_have_attribute("data-kind", "ok")
    expect(page.locator("#verdict-name")).to_have_text("Lotte Janssens")
    expect(page.locator("#verdict-next")).to_be_hidden()
    verdict.click()  # a tap
    expect(verdict).to_be_hidden()

    # Search: part of a name, part of an address, words in any order.
    for query in ("jans", "lotte.j", "@caw-antw", "janssens lot"):
        page.get_by_label("Zoek op naam of e-mailadres").fill(query)
        page.get_by_role("button", name="Zoeken", exact=True).click()
        expect(page.get_by_role("button", name="Inchecken: Lotte Janssens")).to_be_visible()
    context.close()

    # Without JavaScript: the search page and the verdict page after a check-in.
    context, page = volunteer(browser, server, java_script_enabled=False)
    page.goto(server.url + "/scanner/entrance/zoeken?q=lotte.jan")
    expect(page.get_by_role("heading", name="Lotte Janssens")).to_be_visible()
    page.get_by_role("button", name="Inchecken").first.click()
    expect(page.locator(".verdict-next")).to_contain_text("onthaal")  # already inside
    context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_scanner_warns_when_its_checkpoint_is_closed(browser, server, language):
    with server.app.app_context():
        conf = conference()
        conf.starts_at += timedelta(days=2)  # the entrance opens the day after tomorrow
        conf.ends_at += timedelta(days=2)
        db.session.commit()
        db.session.remove()
    context, page = volunteer(browser, server)
    page.goto(server.url + f"/scanner/entrance?lang={language}")
    warning = page.locator("#closed-now")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("is now closed" if language == "en" else "nu niet open")
    if language == "nl":
        assert_accessible(page, "scanner at a closed checkpoint")
    context.close()
