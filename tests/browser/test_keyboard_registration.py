"""Registering with the keyboard alone, in a real Chromium: from the landing page to the thank-you
page with Tab, Shift+Tab, Space, Enter, the arrow keys and typing (no clicks, no `fill`).

At every stop the focused element must show a focus indicator (an outline or a box shadow) and
lie on the screen. After a wrong submit, focus lands on the list of errors, whose links lead to
the fields.
"""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from conference.extensions import db
from registration.models import Registration

FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
  const box = el.getBoundingClientRect();
  const onScreen = box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
    && box.left < innerWidth && box.top < innerHeight;
  return {
    tag: el.tagName.toLowerCase(), id: el.id, type: el.type || '', checked: !!el.checked,
    text: (el.innerText || el.value || '').trim().slice(0, 60), href: el.getAttribute('href'),
    indicator: outline || shadow, onScreen: onScreen,
  };
}"""
MAX_STOPS = 60


def focused(page) -> dict:
    """The focused element, after checking that it shows where the focus is."""
    info = page.evaluate(FOCUS)
    assert info is not None, f"focus got lost on {page.url}"
    assert info["indicator"], f"no visible focus indicator on {info} at {page.url}"
    assert info["onScreen"], f"the focused element is off screen: {info} at {page.url}"
    return info


def tab_to(page, matches, key: str = "Tab") -> dict:
    """Press Tab (or Shift+Tab) until the focused element matches; each stop must show focus."""
    for _ in range(MAX_STOPS):
        page.keyboard.press(key)
        info = focused(page)
        if matches(info):
            return info
    raise AssertionError(f"{key} never reached the element on {page.url}")


def by_id(element_id: str):
    return lambda info: info["id"] == element_id


def type_into(page, element_id: str, text: str) -> None:
    tab_to(page, by_id(element_id))
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_register_with_the_keyboard_only(page, live_server):
    page.goto(live_server.url + "/")
    # The first stop is the skip link, shown once focused.
    assert focused_after_tab(page)["text"] == "Naar de inhoud"
    tab_to(page, lambda i: i["tag"] == "a" and i["text"] == "Inschrijven")
    page.keyboard.press("Enter")
    page.wait_for_url("**/inschrijven")
    assert page.locator("h1").inner_text() == "Inschrijven"

    # A wrong submit: a mistyped address and no consent.
    type_into(page, "email", "sara@")
    type_into(page, "first_name", "Sara")
    tab_to(page, lambda i: i["tag"] == "button" and i["text"] == "Inschrijven")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#email-error")).to_be_visible()
    # Focus is on the list of errors (moved there by the page's script), which shows it.
    summary = focused(page)
    assert "error-summary" in page.evaluate("document.activeElement.className")
    assert "Kijk dit na" in summary["text"]
    # Its links lead to the fields: the first error is the e-mail address.
    link = tab_to(page, lambda i: i["tag"] == "a")
    # A short line: the message alone, which names the field ("…geen geldig e-mailadres…").
    assert link["href"] == "#email" and "e-mailadres" in link["text"].lower()
    targets = page.eval_on_selector_all(".error-summary a", "els => els.map(a => a.hash)")
    assert "#consent" in targets
    for target in targets:
        assert page.locator(target).count() == 1, f"the error link {target} leads nowhere"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "email"
    page.keyboard.press("Control+A")
    page.keyboard.type("sara.keyboard@example.be")
    # What was typed before the mistake is still there.
    assert page.locator("#first_name").input_value() == "Sara"

    type_into(page, "last_name", "Janssens")
    type_into(page, "organisation", "CAW Antwerpen")
    # A radio group is one Tab stop; the arrow keys choose within it, Space picks the first.
    radio = tab_to(page, lambda i: i["type"] == "radio")
    assert radio["id"] == "profile-0"
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    assert focused(page)["id"] == "profile-1" and page.locator("#profile-1").is_checked()
    page.keyboard.press("ArrowUp")
    assert focused(page)["id"] == "profile-0" and page.locator("#profile-0").is_checked()
    # Back and forth: Shift+Tab returns to the organisation, Tab comes back to the group.
    assert tab_to(page, by_id("organisation"), key="Shift+Tab")["id"] == "organisation"
    assert tab_to(page, lambda i: i["type"] == "radio")["id"] == "profile-0"

    mode = tab_to(page, lambda i: i["type"] == "radio" and i["id"].startswith("mode"))
    if mode["id"] != "mode-0":
        page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    assert page.locator("#mode-0").is_checked()
    assert page.locator("label[for=mode-0]").inner_text().startswith("Ter plaatse")
    consent = tab_to(page, by_id("consent"))
    assert not consent["checked"]
    page.keyboard.press("Space")
    assert focused(page)["checked"]
    tab_to(page, lambda i: i["tag"] == "button" and i["text"] == "Inschrijven")
    page.keyboard.press("Enter")
    page.wait_for_url("**/inschrijven/klaar")
    assert page.locator("h1").inner_text() == "Je bent ingeschreven"

    # On the thank-you page the keyboard reaches the personal page too.
    tab_to(page, lambda i: i["tag"] == "a" and i["text"] == "Naar mijn inschrijving")
    page.keyboard.press("Enter")
    page.wait_for_url("**/mijn-inschrijving")
    assert page.locator("h1").inner_text() == "Mijn inschrijving"

    with live_server.app.app_context():
        reg = db.session.scalar(select(Registration).filter_by(email="sara.keyboard@example.be"))
        assert (reg.first_name, reg.last_name, reg.organisation) == (
            "Sara",
            "Janssens",
            "CAW Antwerpen",
        )
        assert (reg.profile, reg.mode, reg.status) == ("practitioner", "onsite", "registered")
        db.session.remove()


def focused_after_tab(page) -> dict:
    page.keyboard.press("Tab")
    return focused(page)
