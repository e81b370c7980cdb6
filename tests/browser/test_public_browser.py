"""Home and programme pages in a real Chromium, checked with axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import assert_accessible


@pytest.mark.parametrize(
    "path",
    ["/", "/programma", "/programma?per=thema", "/programma/bezoek-stadswandeling", "/praktisch"],
)
def test_public_pages_have_no_axe_violations(page, live_server, path):
    page.goto(live_server.url + path)
    expect(page.locator("h1").first).to_be_visible()
    assert_accessible(page, path)


def test_programme_in_english_and_keyboard_navigation(page, live_server):
    page.goto(live_server.url + "/programma")
    page.keyboard.press("Tab")  # the skip link is the first stop and becomes visible
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", name="Programme", exact=True)).to_be_visible()
    assert_accessible(page, "/programma in English")


def test_pages_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="nl-BE")
    page = context.new_page()
    page.goto(live_server.url + "/programma?per=thema")
    expect(page.get_by_role("heading", name="Diversiteit", exact=True)).to_be_visible()
    page.get_by_role("link", name="Samenleven in diversiteit").first.click()
    assert page.locator("h1").inner_text() == "Samenleven in diversiteit"
    context.close()


def test_phone_viewport_has_no_horizontal_scroll(browser, live_server):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=2, locale="nl-BE"
    )
    page = context.new_page()
    page.goto(live_server.url + "/programma")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    context.close()
