"""Live polls in a real Chromium: a vote on the stream page shows on the room screen and a vote
from elsewhere on the stream page, both without a reload; the plain form without JavaScript;
axe-core on the vote page and the moderator page."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from conference.cli import create_staff
from conference.extensions import db
from streaming.polls import services
from streaming.polls.models import PollVote
from tests.factories import activity_of_kind, attendee, conference, token_for
from tests.helpers import bearer
from tests.support.apps import LiveServer, sqlite_app
from tests.support.browser import assert_accessible

QUESTION = "Werk je samen met de eerste lijn?"


@pytest.fixture
def site(sqlite_template, tmp_path):
    """The app with CSRF on, an open poll on a stream, two attendees and a moderator."""
    app = sqlite_app(sqlite_template, tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        moderator, _token = create_staff("moderator@example.org", "moderator", "Mo", "wachtwoord-m")
        stream = activity_of_kind("stream")
        poll = services.create(
            conference(), stream.id, moderator,
            {"question": QUESTION, "kind": "single", "options": ["Elke week", "Soms", "Nooit"]},
        )  # fmt: skip
        services.move(conference(), poll.id, moderator, "open")
        people = [attendee("online", first_name=name) for name in ("Anna", "Bram")]
        data = {
            "stream_id": stream.id,
            "poll_id": poll.id,
            "people": [p.user.get_id() for p in people],
            "other_token": token_for(people[1]),
            "moderator": moderator.get_id(),
        }
        db.session.remove()
    with LiveServer(app) as server:
        yield {**data, "server": server, "app": app}
    with app.app_context():
        db.engine.dispose()


def _context(browser, site, user_id: str, **options):
    app = site["app"]
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": user_id, "_fresh": True}
    )
    context = browser.new_context(locale="nl-BE", timezone_id="Europe/Brussels", **options)
    context.add_cookies([{"name": "session", "value": cookie, "url": site["server"].url}])
    return context


def test_a_vote_shows_on_the_room_screen_and_the_stream_page_without_reload(browser, site):
    url = site["server"].url
    screen_ctx = _context(browser, site, site["moderator"])
    screen = screen_ctx.new_page()
    screen.goto(f"{url}/online/scherm/{site['stream_id']}")
    expect(screen.locator(".screen-poll-question")).to_have_text(QUESTION)
    expect(screen.locator(".screen-poll .screen-qr svg")).to_be_visible()
    viewer_ctx = _context(browser, site, site["people"][0], viewport={"width": 320, "height": 640})
    viewer = viewer_ctx.new_page()
    viewer.goto(f"{url}/online/kijk/{site['stream_id']}")
    for page in (screen, viewer):
        page.evaluate("window.__noReload = true")

    # A vote on the stream page reaches the room screen.
    panel = viewer.locator(f"#peiling-{site['poll_id']}")
    panel.get_by_label("Soms").check()
    panel.get_by_role("button", name="Stemmen").click()
    viewer.get_by_text("Je stem is geteld.").wait_for(timeout=10000)
    expect(panel.get_by_role("button", name="Stem aanpassen")).to_be_visible(timeout=10000)
    screen.locator(".screen-poll", has_text="1 persoon stemde").wait_for(timeout=15000)
    expect(screen.locator(".poll-bar-item", has_text="Soms")).to_contain_text("1 stem (100%)")

    # A vote from elsewhere (the API, as a phone would) reaches the stream page; a choice being
    # made in its form meanwhile stays.
    panel.get_by_label("Nooit").check()
    response = (
        site["app"]
        .test_client()
        .post(
            f"/api/v1/polls/{site['poll_id']}/vote",
            json={"options": [0]},
            headers=bearer(site["other_token"]),
        )
    )
    assert response.status_code == 200
    panel.locator(".poll-total", has_text="2 personen stemden").wait_for(timeout=15000)
    assert panel.get_by_label("Nooit").is_checked()
    screen.locator(".screen-poll", has_text="2 personen stemden").wait_for(timeout=15000)
    for page in (screen, viewer):
        assert page.evaluate("window.__noReload === true"), "the page reloaded"
    overflow = viewer.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert_accessible(screen, "room screen with a poll")
    with site["app"].app_context():
        assert db.session.scalar(select(db.func.count(PollVote.id))) == 2
    screen_ctx.close()
    viewer_ctx.close()


def test_counts_are_pushed_through_the_live_stream_and_a_closing_is_fetched(browser, site):
    url = site["server"].url
    context = _context(browser, site, site["people"][0])
    page = context.new_page()
    fetched: list[str] = []
    is_fragment = f"/online/peilingen/{site['stream_id']}/lijst"
    page.on("request", lambda r: fetched.append(r.url) if is_fragment in r.url else None)
    page.goto(f"{url}/online/kijk/{site['stream_id']}")
    page.locator("[data-watch][data-live-state='open']").wait_for(timeout=10000)
    panel = page.locator(f"#peiling-{site['poll_id']}")
    panel.get_by_label("Soms").check()  # a choice being made: the pushed counts leave it alone

    began = time.monotonic()
    client = site["app"].test_client()
    vote = client.post(
        f"/api/v1/polls/{site['poll_id']}/vote",
        json={"options": [0]},
        headers=bearer(site["other_token"]),
    )
    assert vote.status_code == 200
    panel.locator(".poll-total", has_text="1 persoon stemde").wait_for(timeout=2000)
    assert time.monotonic() - began < 2.0
    assert fetched == []  # the counts came with the event
    assert panel.get_by_label("Soms").is_checked()

    # Closing changes what the panel shows (no ballot): that one is fetched.
    with site["app"].app_context():
        services.move(conference(), site["poll_id"], _moderator(site), "close")
        db.session.remove()
    panel.get_by_text("Gesloten").wait_for(timeout=5000)
    assert len(fetched) == 1, fetched
    assert panel.get_by_role("button", name="Stemmen").count() == 0
    context.close()


def _moderator(site):
    from conference.models import User

    return db.session.scalar(select(User).filter_by(role="moderator"))


def test_vote_page_and_moderator_page_pass_axe(browser, site):
    url = site["server"].url
    for language in ("nl", "en"):
        context = _context(browser, site, site["people"][0])
        context.add_cookies([{"name": "lang", "value": language, "url": url}])
        page = context.new_page()
        page.goto(f"{url}/online/peilingen/{site['stream_id']}")
        title = "Peilingen" if language == "nl" else "Polls"
        expect(page.locator("h2#polls-title")).to_have_text(title)
        assert_accessible(page, f"vote page ({language})")
        context.close()
    moderator_ctx = _context(browser, site, site["moderator"])
    moderator = moderator_ctx.new_page()
    moderator.goto(f"{url}/online/moderatie/{site['stream_id']}/peilingen")
    assert_accessible(moderator, "polls moderator page")
    # Prepare a scale and open it, in place; the errors of an empty form are accessible too.
    moderator.get_by_role("button", name="Peiling klaarzetten").click()
    moderator.locator(".error-summary").wait_for()
    assert_accessible(moderator, "polls moderator page with errors")
    moderator.get_by_label("Score van 1 tot 5").check()
    moderator.get_by_label("Vraag", exact=True).fill("Hoe nuttig was dit?")
    moderator.get_by_role("button", name="Peiling klaarzetten").click()
    moderator.get_by_text("De peiling staat klaar").wait_for()
    moderator.locator(".poll", has_text="Hoe nuttig was dit?").get_by_role(
        "button", name="Peiling openen"
    ).click()
    moderator.get_by_text("De peiling is open").wait_for()
    moderator_ctx.close()


def test_voting_without_javascript(browser, site):
    context = _context(browser, site, site["people"][1], java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site['server'].url}/online/kijk/{site['stream_id']}")
    panel = page.locator(f"#peiling-{site['poll_id']}")
    panel.get_by_role("button", name="Stemmen").click()  # nothing chosen
    expect(page.locator(".error-summary")).to_contain_text("Deze keuze kan niet")
    page.locator(f"#peiling-{site['poll_id']}").get_by_label("Elke week").check()
    page.locator(f"#peiling-{site['poll_id']}").get_by_role("button", name="Stemmen").click()
    page.get_by_text("Je stem is geteld.").wait_for()
    assert f"/online/kijk/{site['stream_id']}" in page.url
    expect(page.locator(f"#peiling-{site['poll_id']} .poll-total")).to_have_text("1 persoon stemde")
    context.close()
