"""Every public and attendee page in a real Chromium: weight, origins and axe-core.

The list of pages below is checked against the URL map: a new public or attendee HTML route
that is neither visited here nor checked with axe-core in another browser test fails
`test_every_public_and_attendee_page_is_listed`.

- Weight: each page, loaded in a fresh browser context (an empty cache, as on a first visit),
  transfers less than 150 KB: the document, its styles, scripts, images and the requests its
  scripts make, counted as sent over the wire (compressed bodies plus headers).
- Origins: every request goes to the app itself. The one exception is the stream provider's
  player on the watch page of a stream that an organiser set to YouTube or Vimeo, and only after
  the person taps "Start de stream" on its still: the test checks that nothing left the app's
  origin before the tap, taps, and sees the player's requests (blocked: no internet here).
- axe-core (WCAG 2.1 AA) on every page that no other browser test checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from conference.backoffice.staff import invite_token
from conference.cli import create_staff
from conference.clock import utcnow
from conference.extensions import db
from conference.models import Conference, MailMessage
from registration.account.login_links import request_login_link
from registration.account.mail_preferences import registration_token
from registration.models import Registration
from registration.signup import register
from sessions.programme.models import Theme
from sessions.seats.models import WaitlistEntry
from sessions.seats.preferences import choice_blocks
from sessions.seats.waitlist import offer_token
from streaming import services
from streaming.certificates import new_code
from streaming.models import Certificate
from tests.factories import activity, follow, give_seat, person
from tests.helpers import manage_path, view_roles
from tests.support.apps import LiveServer, sqlite_app
from tests.support.browser import assert_accessible

BUDGET = 150 * 1024
NO_NATIVE_HLS = (
    "const orig = HTMLMediaElement.prototype.canPlayType;"
    "HTMLMediaElement.prototype.canPlayType = function (t) {"
    "  return /mpegurl/i.test(t) ? '' : orig.call(this, t); };"
)
BROWSER_TESTS = Path(__file__).resolve().parent
# The stream providers an organiser can embed; allowed on the watch page of such a stream only.
PLAYER_HOSTS = {"www.youtube-nocookie.com", "player.vimeo.com"}


@dataclass(frozen=True)
class Page:
    """A page to visit: a label, its endpoint, its path (formatted with the site's ids), who."""

    label: str
    endpoint: str
    path: str
    who: str = "anonymous"  # or "attendee": logged in as the registered person
    player: bool = False  # the watch page of a stream with an external player
    native_hls: bool = True  # False: a browser without HLS of its own (Firefox), hls.js loads


PAGES = [
    Page("landing", "sessions.home", "/"),
    Page("landing (en)", "sessions.home", "/?lang=en"),
    Page("programme", "sessions.programme", "/programma"),
    Page("programme per theme", "sessions.programme", "/programma?per=thema"),
    Page("programme (en)", "sessions.programme", "/programma?lang=en"),
    Page("theme", "sessions.theme", "/thema/{theme}"),
    Page("workshop", "sessions.activity", "/programma/ws-diversiteit-1"),
    Page("visit", "sessions.activity", "/programma/bezoek-stadswandeling"),
    Page("stream", "sessions.activity", "/programma/stream-eerste-lijn"),
    Page("plenary", "sessions.activity", "/programma/plenaire-opening"),
    Page("online workshop", "sessions.activity", "/programma/ow-impact"),
    Page("workshop (en)", "sessions.activity", "/programma/ws-diversiteit-1?lang=en"),
    Page("practical info", "conference.practical", "/praktisch"),
    Page("practical info (en)", "conference.practical", "/praktisch?lang=en"),
    Page("the venue draw", "draw.public", "/loting"),
    Page("the venue draw (en)", "draw.public", "/loting?lang=en"),
    Page("registration form", "registration.register", "/inschrijven"),
    Page("registration form (en)", "registration.register", "/inschrijven?lang=en"),
    Page("thank-you", "registration.done", "/inschrijven/klaar", "attendee"),
    Page("login link request", "registration.login", "/aanmelden"),
    Page("login link", "registration.login_link", "/aanmelden/{login_token}"),
    Page("manage link", "registration.manage_link", "/mijn-inschrijving/link/{manage_token}"),
    Page("ticket", "registration.ticket", "/t/{ticket}"),
    Page("ticket print A4", "registration.ticket_print", "/t/{ticket}/afdrukken"),
    Page("ticket print A6", "registration.ticket_print", "/t/{ticket}/afdrukken?formaat=a6"),
    Page("seat offer", "seats.offer", "/plaatsen/aanbod/{offer_token}"),
    Page("certificate check", "streaming.verify", "/attest"),
    Page("certificate check, a code", "streaming.verify", "/attest/{certificate}"),
    Page("online (anonymous)", "streaming.now", "/online"),
    Page("news mail unsubscribe", "registration.unsubscribe", "/afmelden/{unsubscribe}"),
    Page("staff login", "conference.staff_login", "/beheer/login"),
    Page("staff password", "backoffice.set_password", "/beheer/wachtwoord/{invite}"),
    Page("personal page", "registration.manage", "/mijn-inschrijving", "attendee"),
    Page("personal page (en)", "registration.manage", "/mijn-inschrijving?lang=en", "attendee"),
    Page("edit my data", "registration.edit", "/mijn-inschrijving/gegevens", "attendee"),
    Page(
        "confirm going online",
        "registration.confirm_mode",
        "/mijn-inschrijving/deelname/online",
        "attendee",
    ),
    Page("cancel", "registration.cancel", "/mijn-inschrijving/annuleren", "attendee"),
    Page("erase my data", "registration.erase", "/mijn-inschrijving/wissen", "attendee"),
    Page("choices", "seats.choices", "/mijn/keuzes", "attendee"),
    Page("choice page", "seats.choose", "/mijn/keuzes/{block}", "attendee"),
    Page("my seats", "seats.my_seats", "/mijn/plaatsen", "attendee"),
    Page("swap", "seats.swap", "/mijn/plaatsen/wissel/{block}", "attendee"),
    Page("leave", "seats.leave", "/plaatsen/{workshop}/verlaten", "attendee"),
    Page("agenda", "sessions.agenda", "/agenda", "attendee"),
    Page("agenda (en)", "sessions.agenda", "/agenda?lang=en", "attendee"),
    Page("online (attendee)", "streaming.now", "/online", "attendee"),
    Page("watch (HLS)", "streaming.watch", "/online/kijk/{hls_stream}", "attendee"),
    Page(
        "watch (hls.js)",
        "streaming.watch",
        "/online/kijk/{hls_stream}",
        "attendee",
        native_hls=False,
    ),
    Page(
        "watch (YouTube)",
        "streaming.watch",
        "/online/kijk/{youtube_stream}",
        "attendee",
        player=True,
    ),
    Page("watch (video room)", "streaming.watch", "/online/kijk/{online_workshop}", "attendee"),
    Page("questions", "streaming.questions", "/online/vragen/{hls_stream}", "attendee"),
    Page("certificate", "streaming.certificate", "/online/attest", "attendee"),
]


# Pages that another browser test already checks with axe-core: endpoint to that test's file
# and a piece of it that shows where (the URL visited, or the label of its axe-core check).
CHECKED_ELSEWHERE = {
    "sessions.home": ("test_public_browser.py", '["/", "/programma"'),
    "sessions.programme": ("test_public_browser.py", '"/programma?per=thema"'),
    "sessions.activity": ("test_public_browser.py", '"/programma/bezoek-stadswandeling"'),
    "conference.practical": ("test_public_browser.py", '"/praktisch"'),
    "registration.register": ("test_registration_browser.py", '"registration form"'),
    "registration.done": ("test_registration_browser.py", '"thank-you page"'),
    "registration.manage": ("test_registration_browser.py", '"personal page"'),
    "registration.login": ("test_registration_browser.py", '"login-link page"'),
    "registration.confirm_mode": ("test_next_steps.py", '"confirm going online"'),
    "seats.choices": ("test_seats_browser.py", '"choices overview"'),
    "seats.choose": ("test_seats_browser.py", '"choice page"'),
    "seats.my_seats": ("test_seats_browser.py", '"/mijn/plaatsen"'),
    "seats.swap": ("test_seats_browser.py", '"/mijn/plaatsen/wissel/'),
    "seats.leave": ("test_seats_browser.py", '/verlaten"'),
    "sessions.agenda": ("test_agenda_browser.py", 'assert_accessible(page, "/agenda")'),
    "streaming.now": ("test_streaming_browser.py", '"/online anonymous"'),
    "streaming.watch": ("test_streaming_browser.py", '"watch page with HLS player and Q&A"'),
    "streaming.verify": ("test_streaming_browser.py", 'assert_accessible(page, "/attest")'),
    "polls.page": ("test_polls_browser.py", 'assert_accessible(page, f"vote page'),
    "reconfirm.link": ("test_fair_access_browser.py", '"reconfirm link page"'),
    "reconfirm.mine": ("test_fair_access_browser.py", '"reconfirm choice page"'),
    "networking.profile": ("test_networking_browser.py", '_check(tab, "profile")'),
    "networking.people": ("test_networking_browser.py", '_check(tab, "people")'),
    "networking.request_meeting": ("test_networking_browser.py", '_check(tab, "request")'),
    "networking.meetings_page": ("test_networking_browser.py", '"meetings (sent)"'),
    "networking.confirm": ("test_networking_browser.py", '"cancel confirm"'),
    "networking.block": ("test_networking_browser.py", '"block confirm"'),
    "networking.tables_page": ("test_networking_browser.py", '_check(tab, "tables")'),
    "networking.leave_table": ("test_networking_browser.py", '"leave table confirm"'),
    "registration.answers": ("test_questions_browser.py", '"answers page"'),
    "registration.colleagues": ("test_colleagues_browser.py", '"colleagues page"'),
    "registration.colleague_confirm": ("test_colleagues_browser.py", '"confirmation page"'),
    "registration.colleague_decline": ("test_colleagues_browser.py", '"decline page"'),
    "evaluation.index": ("test_evaluation_browser.py", '"evaluation list"'),
    "evaluation.answer": ("test_evaluation_browser.py", '"evaluation form"'),
}
# Public or attendee GET routes that are not HTML pages, with why.
NOT_PAGES = {
    "static": "files",
    "conference.healthz": "a health check for the load balancer",
    "conference.set_language": "sets the language and redirects back",
    "registration.download": "the person's data as JSON",
    "draw.data": "the published draw as JSON (404 before the draw)",
    "registration.ticket_qr_png": "an image",
    "registration.ticket_qr_svg": "an image",
    "registration.unsubscribe_one_click": "the mail client's POST; a GET redirects to the page",
    "sessions.agenda_ics": "an iCalendar file",
    "sessions.calendar_feed": "an iCalendar feed",
    "streaming.certificate_pdf": "a PDF",
    "streaming.join": "redirects to the video room",
    "streaming.radio": "redirects to the radio's watch page",
    "streaming.questions_fragment": "a fragment of the watch and questions pages",
    "polls.fragment": "a fragment of the watch, polls and moderator pages and the room screen",
    "checkin.manifest": "the scanner's web app manifest (JSON)",
    "checkin.service_worker": "the scanner's service worker (JavaScript)",
    "live.events": "the live updates' event stream (text/event-stream)",
}
AXE_HERE = [p for p in PAGES if p.endpoint not in CHECKED_ELSEWHERE or "lang=en" in p.path]


@pytest.fixture(scope="module")
def site(sqlite_template, tmp_path_factory):
    """A served app with one registered, logged-in person: a ticket, a seat, a followed stream;
    a stream played from an HLS URL and one from YouTube; an open seat offer, a certificate."""
    app = sqlite_app(sqlite_template, tmp_path_factory.mktemp("every-page"))
    with LiveServer(app) as server:
        app.config["BASE_URL"] = server.url
        with app.app_context():
            ids = _build_state(app, server.url)
            db.session.remove()
        yield {"url": server.url, "app": app, **ids}
    with app.app_context():
        db.engine.dispose()


def _build_state(app, url: str) -> dict:
    conf = db.session.scalar(select(Conference))
    done = register(person(1, first_name="Lotte", last_name="Janssens", organisation="CAW"))
    reg = db.session.get(Registration, done.id)
    give_seat(reg, "ws-diversiteit-1")
    follow(reg, "stream-diversiteit")
    hls, youtube = activity("stream-eerste-lijn"), activity("stream-diversiteit")
    # The HLS playlist lives on the app's own origin (a CDN would be a stream host of its own).
    services.update_settings(conf, hls.id, {"provider": "hls", "source": f"{url}/live.m3u8"})
    services.update_settings(conf, youtube.id, {"provider": "youtube", "source": "M7lc1UVf-VE"})

    # Someone else waits for a full workshop and has an offer open.
    other = db.session.get(Registration, register(person(2, first_name="Noor")).id)
    workshop = activity("ws-diversiteit-2")
    entry = WaitlistEntry(
        activity_id=workshop.id, registration_id=other.id, status="offered",
        offered_at=utcnow(), offer_expires_at=utcnow() + timedelta(hours=24),
    )  # fmt: skip
    workshop.taken += 1
    db.session.add(entry)
    certificate = Certificate(
        registration_id=other.id, conference_id=conf.id, code=new_code(),
        full_name=other.full_name, event_date=conf.starts_at, minutes=120, parts=[],
    )  # fmt: skip
    db.session.add(certificate)
    db.session.commit()

    request_login_link(reg.email)
    mail = db.session.scalar(select(MailMessage).filter_by(kind="login_link"))
    login_token = re.search(r"/aanmelden/([\w.\-]+)", mail.body_text).group(1)
    staff, _ = create_staff("nieuw@example.org", "checkin", "Nieuw", "wachtwoord-nieuw")

    seat_block = activity("ws-diversiteit-1").blocks[0].id
    assert seat_block in [b.id for b in choice_blocks(conf)]
    serializer = app.session_interface.get_signing_serializer(app)
    session = {
        "_user_id": reg.user.get_id(),
        "_fresh": True,
        "registered": {"status": done.status, "mode": done.mode, "waiting": False,
                       "email": reg.email},
    }  # fmt: skip
    return {
        "cookie": serializer.dumps(session),
        "cookie_name": app.config["SESSION_COOKIE_NAME"],
        "theme": db.session.scalar(select(Theme.slug).order_by(Theme.id)),
        "login_token": login_token,
        "manage_token": manage_path(done.id).rsplit("/", 1)[1],
        "ticket": reg.ticket.secret,
        "offer_token": offer_token(entry),
        "certificate": certificate.code,
        "invite": invite_token(staff),
        "unsubscribe": registration_token(reg),
        "block": seat_block,
        "workshop": activity("ws-diversiteit-1").id,
        "hls_stream": hls.id,
        "youtube_stream": youtube.id,
        "online_workshop": activity("ow-impact").id,
    }


def _context(browser, site, page: Page, **options):
    context = browser.new_context(locale="nl-BE", timezone_id="Europe/Brussels", **options)
    if page.who == "attendee":
        context.add_cookies(
            [{"name": site["cookie_name"], "value": site["cookie"], "url": site["url"]}]
        )
    if not page.native_hls:
        context.add_init_script(NO_NATIVE_HLS)
    return context


def _url(site, page: Page) -> str:
    return site["url"] + page.path.format(**site)


def _blocker(seen: list[str]):
    def block(route) -> None:
        seen.append(route.request.url)
        route.abort()

    return block


def _collector(seen: list):
    return lambda request: seen.append(request)


def public_and_attendee_pages(app) -> dict[str, str]:
    """GET routes that anyone or an attendee can open, endpoint to rule (the API aside)."""
    found = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/api/"):
            continue
        roles = view_roles(app, rule.endpoint)
        if not roles or "attendee" in roles:
            found[rule.endpoint] = rule.rule
    return found


def test_every_public_and_attendee_page_is_listed(app):
    routes = public_and_attendee_pages(app)
    listed = {p.endpoint for p in PAGES} | set(CHECKED_ELSEWHERE) | set(NOT_PAGES)
    missing = sorted(f"{rule} ({endpoint})" for endpoint, rule in routes.items()
                     if endpoint not in listed)  # fmt: skip
    assert not missing, (
        "public or attendee routes that no browser test checks with axe-core; add them to "
        "PAGES (or to NOT_PAGES if they are not HTML pages):\n" + "\n".join(missing)
    )
    stale = sorted((listed - set(NOT_PAGES)) - set(routes))
    assert not stale, f"listed but not public or attendee routes (any more): {stale}"
    # What CHECKED_ELSEWHERE claims holds, as far as a reading of the file can tell.
    for endpoint, (name, evidence) in CHECKED_ELSEWHERE.items():
        text = (BROWSER_TESTS / name).read_text(encoding="utf-8")
        assert "assert_accessible(" in text and evidence in text, (endpoint, name, evidence)
    # Each page listed here for axe-core is visited by the axe test below.
    assert {p.endpoint for p in PAGES} - set(CHECKED_ELSEWHERE) <= {p.endpoint for p in AXE_HERE}


@pytest.mark.parametrize("target", AXE_HERE, ids=[p.label for p in AXE_HERE])
def test_pages_not_checked_elsewhere_have_no_axe_violations(browser, site, target):
    context = _context(browser, site, target)
    tab = context.new_page()
    response = tab.goto(_url(site, target))
    assert response.status == 200, target.label
    expect(tab.locator("h1").first).to_be_visible()
    assert_accessible(tab, target.label)
    context.close()


def test_page_weight_and_no_third_party_requests(browser, site):
    origin = urlsplit(site["url"]).netloc
    weights, failures = [], []
    for page in PAGES:
        context = _context(browser, site, page)
        outside: list[str] = []

        # Nothing may leave the app's origin: such requests are recorded and never sent.
        context.route(lambda url: urlsplit(url).netloc != origin, _blocker(outside))
        tab = context.new_page()
        finished: list = []
        tab.on("requestfinished", _collector(finished))
        response = tab.goto(_url(site, page))
        tab.wait_for_load_state("networkidle")
        total = 0
        for request in finished:
            sizes = request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        weights.append((page.label, total, len(finished)))
        if response.status != 200:
            failures.append(f"{page.label}: HTTP {response.status}")
        if total >= BUDGET:
            failures.append(f"{page.label}: {total / 1024:.1f} KB")
        hosts = {urlsplit(u).netloc for u in outside}
        if hosts:
            failures.append(f"{page.label}: requests to {sorted(hosts)} before any tap")
        if page.player:
            tab.get_by_role("link", name="Start de stream").click()
            tab.wait_for_load_state("networkidle")
            hosts = {urlsplit(u).netloc for u in outside}
            if hosts - PLAYER_HOSTS:
                failures.append(f"{page.label}: requests to {sorted(hosts - PLAYER_HOSTS)}")
            if not hosts & PLAYER_HOSTS:
                failures.append(f"{page.label}: the player was not embedded after the tap")
        if not page.native_hls and not any("/hls" in r.url for r in finished):
            failures.append(f"{page.label}: hls.js was not loaded")
        context.close()
    table = "\n".join(
        f"{label:32} {size / 1024:7.1f} KB  {n:3} requests" for label, size, n in weights
    )
    print(table)
    assert not failures, "\n".join(failures) + "\n\n" + table
