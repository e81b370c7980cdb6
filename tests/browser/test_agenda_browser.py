"""The agenda in a real Chromium: with and without JavaScript, axe-core, the QR, the print view."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.factories import attendee, follow, give_seat
from tests.support.browser import assert_accessible


def _person(live_server, **kwargs) -> dict:
    """An on-site attendee with a workshop and a followed stream; their cookie and ticket URL."""
    app = live_server.app
    with app.app_context():
        reg = attendee(first_name="Lotte", last_name="Janssens", **kwargs)
        give_seat(reg, "ws-diversiteit-1")
        follow(reg, "stream-diversiteit")
        serializer = app.session_interface.get_signing_serializer(app)
        cookie = serializer.dumps({"_user_id": reg.user.get_id(), "_fresh": True})
        ticket = reg.ticket.secret if reg.ticket else None
    name = app.config["SESSION_COOKIE_NAME"]
    return {
        "cookie": {"name": name, "value": cookie, "url": live_server.url},
        "ticket_url": f"{live_server.url}/t/{ticket}" if ticket else None,
    }


def test_agenda_with_javascript_is_accessible_and_its_qr_is_the_ticket(page, live_server):
    person = _person(live_server)
    page.context.add_cookies([person["cookie"]])
    page.goto(live_server.url + "/agenda")
    expect(page.get_by_role("heading", name="Mijn agenda", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Samenleven in diversiteit")).to_be_visible()
    expect(page.get_by_role("heading", name="Stream: Diversiteit")).to_be_visible()
    # JavaScript shows the print and copy buttons.
    expect(page.get_by_role("button", name="Afdrukken")).to_be_visible()
    expect(page.get_by_role("button", name="Kopieer de link")).to_be_visible()
    assert_accessible(page, "/agenda")

    # The QR code on the page decodes to the ticket URL (and nothing personal).
    shot = page.locator(".agenda-qr svg").screenshot()
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert [c.text for c in codes] == [person["ticket_url"]]

    # Following a stream from its page works without a reload.
    page.goto(live_server.url + "/programma/stream-eerste-lijn")
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name="Volgen").click()
    page.get_by_text("Je volgt deze stream. Hij staat in je agenda.").wait_for()
    assert page.evaluate("window.__sameDocument === true")
    expect(page.get_by_role("button", name="Niet meer volgen")).to_be_visible()
    assert_accessible(page, "stream page")
    page.goto(live_server.url + "/agenda")
    expect(
        page.get_by_role("heading", name="Stream: Sociaal werk op de eerste lijn")
    ).to_be_visible()


def test_agenda_without_javascript(browser, live_server):
    person = _person(live_server)
    context = browser.new_context(java_script_enabled=False, locale="nl-BE")
    context.add_cookies([person["cookie"]])
    page = context.new_page()
    page.goto(live_server.url + "/agenda")
    expect(page.get_by_role("heading", name="Samenleven in diversiteit")).to_be_visible()
    assert not page.get_by_role("button", name="Afdrukken").is_visible()  # needs JavaScript
    feed = page.get_by_label("Of plak deze link in je agenda-app", exact=False).input_value()
    assert "/kalender/" in feed
    # Follow with the plain form: a POST and a redirect back.
    page.goto(live_server.url + "/programma/stream-eerste-lijn")
    page.get_by_role("button", name="Volgen").click()
    page.wait_for_url("**/programma/stream-eerste-lijn")
    expect(page.get_by_text("Je volgt deze stream. Hij staat nu in je agenda.")).to_be_visible()
    page.goto(live_server.url + "/agenda")
    expect(
        page.get_by_role("heading", name="Stream: Sociaal werk op de eerste lijn")
    ).to_be_visible()
    # The feed link works without a login (a fresh context has no cookie).
    anonymous = browser.new_context(java_script_enabled=False)
    response = anonymous.request.get(feed)
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in response.text()
    anonymous.close()
    context.close()


def test_the_print_view_is_one_a4_with_the_qr_on_top(page, live_server):
    person = _person(live_server)
    page.context.add_cookies([person["cookie"]])
    page.goto(live_server.url + "/agenda")
    page.emulate_media(media="print")
    assert not page.locator(".main-nav").is_visible()
    assert not page.locator(".site-header").is_visible()
    assert not page.locator("#kalender").is_visible()
    qr = page.locator(".agenda-qr svg")
    expect(qr).to_be_visible()
    first_item = page.locator(".agenda-item").first.bounding_box()
    assert qr.bounding_box()["y"] < first_item["y"]
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "Samenleven in diversiteit" in text and "Mijn agenda" in text
    assert "Hoofdmenu" not in text and "/kalender/" not in text
