"""The online day in a real Chromium: an HLS stream made by ffmpeg and served locally plays on
the watch page (natively and through hls.js), the Q&A updates without a reload, a status
override reaches viewers, heartbeats arrive with the CSRF token, and axe-core finds nothing."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from conference.cli import create_staff
from conference.db import write_transaction
from conference.extensions import db
from conference.models import User
from streaming import services
from streaming.models import Question, QuestionVote, StreamPresence
from tests.factories import activity_of_kind, attendee, conference
from tests.helpers import bearer
from tests.support.apps import LiveServer, sqlite_app
from tests.support.browser import assert_accessible, missing_tool

VIDEO_READY = "() => (document.querySelector('video.player-video') || {}).readyState >= 2"


class _CorsHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with CORS, as a CDN serves HLS (hls.js fetches segments cross-origin)."""

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, *_args):
        pass


@pytest.fixture(scope="module")
def hls_url(tmp_path_factory):
    """Four seconds of test video as HLS (one-second segments), on its own local server."""
    if shutil.which("ffmpeg") is None:
        missing_tool("ffmpeg is not installed (apt-get install ffmpeg)")
    folder: Path = tmp_path_factory.mktemp("hls")
    subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=4:size=320x240:rate=10",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-profile:v",
            "baseline",
            "-g",
            "10",
            "-f",
            "hls",
            "-hls_time",
            "1",
            "-hls_playlist_type",
            "vod",
            "-hls_segment_filename",
            str(folder / "seg%d.ts"),
            str(folder / "index.m3u8"),
        ],
        check=True,
        timeout=120,
    )
    handler = functools.partial(_CorsHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/index.m3u8"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def site(sqlite_template, tmp_path, hls_url):
    """The app with CSRF on (as in production) and a fast status poll, a stream set to the HLS
    source, an attendee and the staff."""
    app = sqlite_app(sqlite_template, tmp_path, WTF_CSRF_ENABLED=True, STREAM_STATUS_POLL_MS=1000)
    with app.app_context():
        _, moderator_token = create_staff(
            "moderator@example.org", "moderator", "Mo", "wachtwoord-m"
        )
        _, organiser_token = create_staff(
            "organiser@example.org", "organiser", "Org", "wachtwoord-o"
        )
        stream = activity_of_kind("stream")
        services.update_settings(
            conference(),
            stream.id,
            {
                "provider": "hls",
                "source": hls_url,
                "description": "Een testbeeld van vier seconden.",
            },
        )
        people = [attendee("online", first_name=name) for name in ("Anna", "Bram")]
        data = {
            "stream_id": stream.id,
            "people": [(p.id, p.user.get_id()) for p in people],
            "moderator": db.session.scalar(select(User).filter_by(role="moderator")).get_id(),
            "moderator_token": moderator_token,
            "organiser_token": organiser_token,
        }
        db.session.remove()
    with LiveServer(app) as server:
        data["server"] = server
        data["app"] = app
        yield data
    with app.app_context():
        db.engine.dispose()


def _logged_in_context(browser, site, user_id: str, **options):
    """A browser context with the session cookie of a logged-in account."""
    app = site["app"]
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": user_id, "_fresh": True}
    )
    context = browser.new_context(locale="nl-BE", timezone_id="Europe/Brussels", **options)
    context.add_cookies([{"name": "session", "value": cookie, "url": site["server"].url}])
    return context


def _watch(browser, site, who: int = 0, **options):
    context = _logged_in_context(browser, site, site["people"][who][1], **options)
    page = context.new_page()
    page.goto(f"{site['server'].url}/online/kijk/{site['stream_id']}")
    return context, page


def test_watch_page_plays_the_local_hls_stream_and_sends_heartbeats(browser, site):
    context, page = _watch(browser, site)
    page.wait_for_function(VIDEO_READY, timeout=20000)
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; v.play(); }")
    page.wait_for_function("() => document.querySelector('video').currentTime > 0.5", timeout=20000)
    expect(page.get_by_text("Een testbeeld van vier seconden.")).to_be_visible()
    # The first heartbeat left on load, with the CSRF token (CSRF is on in this app).
    page.wait_for_timeout(500)
    with site["app"].app_context():
        rows = db.session.scalars(select(StreamPresence)).all()
        assert [(r.registration_id, r.activity_id) for r in rows] == [
            (site["people"][0][0], site["stream_id"])
        ]
        assert rows[0].beats >= 1
    assert_accessible(page, "watch page with HLS player and Q&A")
    context.close()


def test_hls_js_takes_over_where_the_browser_has_no_hls(browser, site):
    context = _logged_in_context(browser, site, site["people"][0][1])
    # Pretend to be a browser without native HLS (e.g. Firefox): hls.js must play it.
    context.add_init_script(
        "const orig = HTMLMediaElement.prototype.canPlayType;"
        "HTMLMediaElement.prototype.canPlayType = function (t) {"
        "  return /mpegurl/i.test(t) ? '' : orig.call(this, t); };"
    )
    page = context.new_page()
    page.goto(f"{site['server'].url}/online/kijk/{site['stream_id']}")
    page.wait_for_function(VIDEO_READY, timeout=20000)
    assert page.evaluate("typeof window.Hls === 'function' && window.Hls.isSupported()")
    blob = page.evaluate("document.querySelector('video').currentSrc")
    assert blob.startswith("blob:")  # media source extensions, fed by hls.js
    segments = page.evaluate(
        "performance.getEntriesByType('resource').filter(e => e.name.endsWith('.ts'))"
        ".map(e => e.initiatorType)"
    )
    assert {"xmlhttprequest", "fetch"} & set(segments), segments  # loaded by hls.js
    context.close()


def test_q_and_a_updates_without_a_reload(browser, site):
    url = site["server"].url
    asker_ctx, asker = _watch(browser, site, 0)
    viewer_ctx, viewer = _watch(browser, site, 1)
    moderator_ctx = _logged_in_context(browser, site, site["moderator"])
    moderator = moderator_ctx.new_page()
    moderator.goto(f"{url}/online/moderatie/{site['stream_id']}")
    for page in (asker, viewer, moderator):
        page.evaluate("window.__noReload = true")

    asker.get_by_label("Je vraag").fill("Hoe houden we de digitale kloof klein?")
    asker.get_by_role("button", name="Vraag stellen").click()
    asker.get_by_text("Een moderator bekijkt ze eerst").wait_for(timeout=10000)
    asker.locator(".qa-list").get_by_text("Hoe houden we de digitale kloof klein?").wait_for()
    assert asker.get_by_label("Je vraag").input_value() == ""

    # The moderator's screen picks it up by itself; approving happens in place.
    item = moderator.locator(".qa-item", has_text="Hoe houden we de digitale kloof klein?")
    item.wait_for(timeout=10000)
    item.get_by_role("button", name="Tonen").click()
    moderator.locator(".qa-item.qa-approved").wait_for(timeout=10000)

    # The other viewer sees it appear, votes, and the count changes in place.
    shown = viewer.locator(".qa-item", has_text="Hoe houden we de digitale kloof klein?")
    shown.wait_for(timeout=15000)
    shown.get_by_role("button", name="Ik wil dit ook weten").click()
    viewer.locator(".qa-item", has_text="1 stem").wait_for(timeout=10000)
    assert viewer.locator(".qa-item").get_by_role("button", name="Gestemd").is_disabled()

    for page in (asker, viewer, moderator):
        assert page.evaluate("window.__noReload === true"), "the page reloaded"
    with site["app"].app_context():
        question = db.session.scalar(select(Question))
        assert (question.status, question.votes) == ("approved", 1)
        assert db.session.scalar(select(db.func.count(QuestionVote.id))) == 1
    assert_accessible(moderator, "moderator screen")

    screen = moderator_ctx.new_page()
    screen.goto(f"{url}/online/scherm/{site['stream_id']}")
    expect(screen.locator(".screen-item", has_text="digitale kloof")).to_be_visible()
    expect(screen.locator(".screen-qr svg")).to_be_visible()
    assert_accessible(screen, "room screen")
    # The open room screen hears a question approved meanwhile through its event stream and
    # fetches the list once (no polls while the stream is open), without a reload.
    answers: list[int] = []
    screen.on("response", lambda r: answers.append(r.status) if "/lijst" in r.url else None)
    screen.evaluate("window.__noReload = true")
    screen.locator("[data-live-state='open']").wait_for(timeout=10000)
    with site["app"].app_context():
        first = db.session.scalar(select(Question))
        db.session.add(
            Question(
                activity_id=first.activity_id,
                user_id=first.user_id,
                text="Wie betaalt de vorming van vrijwilligers?",
                status="approved",
            )
        )
        db.session.commit()
    expect(screen.locator(".screen-item", has_text="vorming van vrijwilligers")).to_be_visible(
        timeout=10000
    )
    assert answers == [200], answers
    assert screen.evaluate("window.__noReload === true"), "the room screen reloaded"
    for context in (asker_ctx, viewer_ctx, moderator_ctx):
        context.close()


def test_a_status_override_reaches_the_viewer_without_a_reload(browser, site):
    context, page = _watch(browser, site)
    badge = page.locator(f"[data-status-for='{site['stream_id']}']")
    assert "Begint" in badge.inner_text()
    page.evaluate("window.__noReload = true")
    response = (
        site["app"]
        .test_client()
        .post(
            f"/api/v1/streams/{site['stream_id']}/status",
            json={"override": "live"},
            headers=bearer(site["organiser_token"]),
        )
    )
    assert response.status_code == 200
    selector = f"[data-status-for='{site['stream_id']}']"
    page.wait_for_function(
        f"() => document.querySelector(\"{selector}\").textContent.includes('Nu live')",
        timeout=15000,
    )
    assert page.evaluate("window.__noReload === true")
    context.close()


def test_online_pages_have_no_axe_violations(browser, page, site):
    url = site["server"].url
    page.goto(f"{url}/online")  # anonymous: titles and times, no players
    assert page.locator("h1").inner_text() == "Online meedoen"
    assert "m3u8" not in page.content()
    assert_accessible(page, "/online anonymous")
    page.goto(f"{url}/attest")
    assert_accessible(page, "/attest")
    context = _logged_in_context(
        browser, site, site["people"][1][1], viewport={"width": 360, "height": 740}
    )
    phone = context.new_page()
    phone.goto(f"{url}/online")
    assert_accessible(phone, "/online registered, phone")
    phone.goto(f"{url}/online/kijk/{site['stream_id']}")
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert_accessible(phone, "watch page on a phone")
    context.close()


def test_the_watch_page_works_without_javascript(browser, site):
    context = _logged_in_context(browser, site, site["people"][0][1], java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site['server'].url}/online/kijk/{site['stream_id']}")
    page.get_by_label("Je vraag").fill("Een vraag zonder JavaScript")
    page.get_by_role("button", name="Vraag stellen").click()
    page.get_by_text("Een moderator bekijkt ze eerst").wait_for()
    assert page.url.endswith(f"/online/kijk/{site['stream_id']}")
    expect(page.locator(".qa-list").get_by_text("Een vraag zonder JavaScript")).to_be_visible()
    context.close()


def test_a_quiet_q_and_a_panel_polls_less_often_and_speeds_up_on_a_change(browser, site):
    """On a fake clock: unchanged answers stretch the attendee's poll from 5 s towards 12 s."""
    # The poll fallback (no event stream: an old browser, a sync worker), as it paces itself.
    site["app"].config["LIVE_EVENTS"] = "off"
    context = _logged_in_context(browser, site, site["people"][0][1])
    context.clock.install()
    page = context.new_page()
    started, finished = [], []
    is_poll = "/online/vragen/"  # the Q&A list fragment the panel refreshes
    page.on("request", lambda r: started.append(r.url) if is_poll in r.url else None)
    page.on("requestfinished", lambda r: finished.append(r.url) if is_poll in r.url else None)
    page.on("requestfailed", lambda r: finished.append(r.url) if is_poll in r.url else None)
    answers: list[int] = []
    page.on("response", lambda r: answers.append(r.status) if is_poll in r.url else None)
    page.goto(f"{site['server'].url}/online/kijk/{site['stream_id']}")
    page.clock.pause_at(page.evaluate("() => Date.now()") + 10)

    def polls_during(seconds: int) -> int:
        """Fake seconds pass one by one; each poll may finish before the clock goes on."""
        before = len(started)
        for _ in range(seconds):
            page.clock.run_for(1000)
            for _ in range(100):
                if len(finished) >= len(started):
                    break
                page.wait_for_timeout(20)
        return len(started) - before

    # Unchanged for two minutes: 5, 10, 17.5, 28.75 s, then every 12 s (a fixed 5 s: 24 polls).
    quiet = polls_during(120)
    assert 9 <= quiet <= 12, quiet
    with site["app"].app_context():
        # A write transaction (BEGIN IMMEDIATE on SQLite), as the app's own writes: the live
        # server writes heartbeats at the same time.
        with write_transaction(db.session) as session:
            session.add(
                Question(
                    activity_id=site["stream_id"],
                    user_id=session.scalar(select(User.id).filter_by(role="moderator")),
                    text="Komt er een opname van deze sessie?",
                    status="approved",
                )
            )
        db.session.remove()
    # The next poll (at most 12 s away) brings the question; then the pace is 5 s again.
    seen = len(answers)
    for _ in range(13):
        polls_during(1)
        if 200 in answers[seen:]:
            break
    assert 200 in answers[seen:], answers
    page.locator(".qa-text", has_text="Komt er een opname van deze sessie?").wait_for()
    assert polls_during(4) == 0
    assert polls_during(1) == 1
    context.close()
