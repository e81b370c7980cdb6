"""Online attendees (issue 19, item 7), in a real Chromium.

- A player from another website (YouTube) loads only after a tap on its still: before that no
  request leaves the app's origin; with and without JavaScript.
- Status and configuration never contradict: a stream that is live by the timetable but has no
  player yet does not say "Nu live" beside "De stream is nog niet ingesteld".
- Errors look like errors: an empty question gets a red message that starts with a capital.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from conference.clock import utcnow
from conference.extensions import db
from streaming import services
from tests.factories import activity_of_kind as activity
from tests.factories import attendee as make_attendee
from tests.factories import conference
from tests.support.browser import assert_accessible

PLAYER_HOSTS = {"www.youtube-nocookie.com"}


@pytest.fixture
def site(live_server):
    """A YouTube stream, a stream live now without any player, and an online attendee."""
    with live_server.app.app_context():
        youtube, bare = activity("stream"), activity("stream", 1)
        services.update_settings(conference(), youtube.id, {"provider": "youtube",
                                                              "source": "M7lc1UVf-VE"})  # fmt: skip
        bare.stream_url = None
        bare.starts_at = utcnow() - timedelta(minutes=5)
        bare.ends_at = utcnow() + timedelta(minutes=55)
        db.session.commit()
        person = make_attendee("online", first_name="Omar")
        app = live_server.app
        cookie = app.session_interface.get_signing_serializer(app).dumps(
            {"_user_id": person.user.get_id(), "_fresh": True}
        )
        ids = {"youtube": youtube.id, "bare": bare.id}
        db.session.remove()
    return live_server, cookie, ids


def attendee(browser, site, **options):
    server, cookie, _ = site
    context = browser.new_context(locale="nl-BE", timezone_id="Europe/Brussels", **options)
    context.add_cookies([{"name": "session", "value": cookie, "url": server.url}])
    outside: list[str] = []
    origin = urlsplit(server.url).netloc

    def block(route) -> None:
        outside.append(urlsplit(route.request.url).netloc)
        route.abort()

    context.route(lambda url: urlsplit(url).netloc != origin, block)
    return context, outside


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_player_loads_after_a_tap(browser, site, javascript):
    server, _, ids = site
    context, outside = attendee(browser, site, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{server.url}/online/kijk/{ids['youtube']}")
    start = page.get_by_role("link", name="Start de stream")
    expect(start).to_be_visible()
    expect(page.locator(".player-consent")).to_contain_text("YouTube")
    page.wait_for_load_state("networkidle")
    assert outside == [] and page.locator("iframe").count() == 0
    if javascript:
        assert_accessible(page, "watch page with the player's still")
    start.click()
    frame = page.locator(".player iframe")
    expect(frame).to_have_count(1)
    assert frame.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/")
    page.wait_for_load_state("networkidle")
    assert set(outside) <= PLAYER_HOSTS and outside, outside
    context.close()


def test_status_and_configuration_agree_and_errors_look_like_errors(browser, site):
    server, _, ids = site
    context, _ = attendee(browser, site)
    page = context.new_page()
    page.goto(f"{server.url}/online/kijk/{ids['bare']}")
    expect(page.get_by_text("De stream is nog niet ingesteld.")).to_be_visible()
    badge = page.locator("[data-stream-status-live] .stream-status")
    expect(badge).to_have_text("Nog niet te bekijken")
    expect(page.get_by_text("Nu live")).to_have_count(0)

    # An empty question: the message is red, a sentence, and the field is marked.
    page.get_by_role("button", name="Vraag stellen").click()
    status = page.locator("[data-qa-status]")
    expect(status).to_have_class("qa-status is-error")
    text = status.inner_text()
    assert text[0].isupper() and text.endswith("."), text
    colour = status.evaluate("el => getComputedStyle(el).color")
    assert colour == "rgb(164, 0, 29)", colour  # --err, not the green of a success
    expect(page.get_by_label("Je vraag")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "watch page with a Q&A error")

    page.goto(f"{server.url}/online/kijk/{ids['bare']}?lang=en")
    expect(page.locator("[data-stream-status-live] .stream-status")).to_have_text(
        "Not available yet"
    )
    context.close()

    # Without JavaScript the error is in the error summary and beside the field, as a sentence.
    context, _ = attendee(browser, site, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server.url}/online/kijk/{ids['bare']}")
    page.get_by_label("Je vraag").fill("  ")
    page.get_by_role("button", name="Vraag stellen").click()
    expect(page.locator(".error-summary")).to_be_visible()
    line = page.locator(".error-summary li").first.inner_text()
    assert line[0].isupper(), line
    context.close()
