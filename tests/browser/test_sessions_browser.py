"""Logging out in a real Chromium ends the session on the server: a second browser holding a
copy of the cookies is logged out too (before, it stayed in for 30 days)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from conference.cli import create_staff
from conference.extensions import db

PASSWORD = "wachtwoord-organiser"


def test_logout_ends_the_session_in_every_browser(browser, live_server):
    with live_server.app.app_context():
        create_staff("organiser@example.org", "organiser", "Organisator", PASSWORD)
        db.session.remove()
    first = browser.new_context(locale="nl-BE")
    page = first.new_page()
    page.goto(live_server.url + "/beheer/login")
    page.get_by_label("E-mailadres").fill("organiser@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(live_server.url + "/beheer")

    # A second browser with a copy of the cookies (a shared PC, a stolen cookie) is in too.
    second = browser.new_context(locale="nl-BE", storage_state=first.storage_state())
    other = second.new_page()
    other.goto(live_server.url + "/beheer")
    assert other.url == live_server.url + "/beheer"

    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(live_server.url + "/")
    other.goto(live_server.url + "/beheer")
    expect(other).to_have_url(re.compile(re.escape(live_server.url + "/beheer/login?next=")))
    expect(other.get_by_label("Wachtwoord")).to_be_visible()
    first.close()
    second.close()
