"""The scanner page in a real Chromium with a real (fake-device) camera feed, and offline mode.

Chromium reads a y4m video as its camera: made by ffmpeg from the QR code of a ticket with a
fresh random secret, so a pass proves the code travelled camera → jsQR → API → database.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import qrcode
from sqlalchemy import select

from conference.cli import create_staff
from conference.extensions import db
from registration.checkin.models import Scan
from tests.factories import open_day, ticket_holder
from tests.support.browser import CHROMIUM_FLAGS, assert_accessible, chromium_path, missing_tool

FAKE_CAMERA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
PASSWORD = "wachtwoord-checkin"


@pytest.fixture(autouse=True)
def _needs_ffmpeg():
    """ffmpeg makes the camera videos: a failure in CI, a skip on a laptop without it."""
    if shutil.which("ffmpeg") is None:
        missing_tool("ffmpeg is not installed (it makes the camera video)")


def qr_video(text: str, folder: Path) -> Path:
    """A one-frame y4m video of the QR code of `text`, with a white quiet zone."""
    png, y4m = folder / "qr.png", folder / "qr.y4m"
    qrcode.make(text, box_size=8, border=4).save(png)
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-loop", "1", "-i", str(png), "-frames:v", "1",
         "-vf", "pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p", str(y4m)],
        check=True,
    )  # fmt: skip
    return y4m


def blank_video(folder: Path) -> Path:
    """A one-frame white video: the negative control."""
    y4m = folder / "blank.y4m"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=white:s=640x480",
         "-frames:v", "1", "-pix_fmt", "yuv420p", str(y4m)],
        check=True,
    )  # fmt: skip
    return y4m


@pytest.fixture
def launch(playwright):
    """Launch Debian's Chromium with a video file as its camera; closed after the test."""
    path = chromium_path()
    if path is None:
        missing_tool("chromium is not installed")
    browsers = []

    def _launch(video: Path):
        browser = playwright.chromium.launch(
            executable_path=path,
            args=[*CHROMIUM_FLAGS, *FAKE_CAMERA, f"--use-file-for-fake-video-capture={video}"],
        )
        browsers.append(browser)
        context = browser.new_context(
            locale="nl-BE", timezone_id="Europe/Brussels", viewport={"width": 412, "height": 860}
        )
        return context, context.new_page()

    yield _launch
    for browser in browsers:
        browser.close()


@pytest.fixture
def server(live_server):
    """The live app with the day open and a check-in volunteer."""
    with live_server.app.app_context():
        open_day()
        create_staff("checkin@example.org", "checkin", "Vrijwilliger", PASSWORD)
        db.session.remove()
    return live_server


def login_and_open_scanner(
    page, server, checkpoint: str = "entrance", email: str = "checkin@example.org"
) -> None:
    page.goto(f"{server.url}/beheer/login?next=/scanner/{checkpoint}")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"**/scanner/{checkpoint}")
    page.wait_for_function("() => document.getElementById('scanner').dataset.list === 'ready'")


def scans_of(server, registration_id: int | None = None) -> list[Scan]:
    with server.app.app_context():
        query = select(Scan).order_by(Scan.id)
        if registration_id is not None:
            query = query.filter_by(registration_id=registration_id)
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        db.session.remove()
        return rows


def test_the_camera_checks_in_a_freshly_made_ticket_once(launch, server, tmp_path):
    with server.app.app_context():
        reg, ticket = ticket_holder(
            first_name="Lotte", last_name="Verstraeten", profile="volunteer"
        )
        reg_id, secret = reg.id, ticket.secret
        db.session.remove()
    _, page = launch(qr_video(f"{server.url}/t/{secret}", tmp_path))
    login_and_open_scanner(page, server)

    verdict = page.locator("#verdict")
    verdict.wait_for(state="visible", timeout=15000)
    assert verdict.get_attribute("data-kind") == "ok"
    assert page.locator("#verdict-name").inner_text() == "Lotte Verstraeten"
    assert "Vrijwilliger" in page.locator("#verdict-detail").inner_text()
    # The code stays in view: it must not be scanned again.
    page.wait_for_timeout(3000)
    [scan] = scans_of(server, reg_id)
    assert (scan.status, scan.type, scan.method, scan.forced) == ("ok", "entry", "qr", False)
    timing = page.evaluate("window.scanner.metrics.samples[0]")
    assert timing["kind"] == "ok" and timing["paint_ms"] >= 0


def test_a_blank_camera_checks_in_nobody(launch, server, tmp_path):
    with server.app.app_context():
        ticket_holder()
        db.session.remove()
    _, page = launch(blank_video(tmp_path))
    login_and_open_scanner(page, server)
    page.wait_for_function("() => document.getElementById('scanner').dataset.camera === 'on'")
    page.wait_for_function("() => window.scanner.state.frames > 20", timeout=15000)
    assert page.locator("#verdict").is_hidden()
    assert scans_of(server) == []


def test_offline_scans_are_decided_locally_and_uploaded_once(launch, server, tmp_path):
    with server.app.app_context():
        made = [ticket_holder(first_name=f"Persoon{i}") for i in range(3)]
        people = [(reg.id, reg.full_name, f"{server.url}/t/{t.secret}") for reg, t in made]
        _, revoked = ticket_holder(first_name="Oud")
        revoked.status = "revoked"
        db.session.commit()
        revoked_url = f"{server.url}/t/{revoked.secret}"
        db.session.remove()
    context, page = launch(blank_video(tmp_path))
    login_and_open_scanner(page, server)
    assert page.evaluate("Object.keys(window.scanner.state.list.entries).length") == 4

    context.set_offline(True)
    page.wait_for_function(
        "() => document.getElementById('net-status').classList.contains('is-offline')"
    )
    for _, name, url in people:
        page.evaluate("url => window.scanner.handleDecoded(url)", url)
        assert page.locator("#verdict").get_attribute("data-kind") == "ok"
        assert page.locator("#verdict-name").inner_text() == name
        assert "Offline beslist" in page.locator("#verdict-note").inner_text()
        page.keyboard.press("Escape")
    # Decided locally too: the same ticket again is "already scanned", a revoked one is refused.
    page.evaluate("url => window.scanner.handleDecoded(url)", people[0][2])
    assert page.locator("#verdict").get_attribute("data-kind") == "warn"
    page.keyboard.press("Escape")
    page.evaluate("url => window.scanner.handleDecoded(url)", revoked_url)
    assert page.locator("#verdict").get_attribute("data-kind") == "error"
    assert "vervangen" in page.locator("#verdict-detail").inner_text()
    page.keyboard.press("Escape")
    assert page.locator("#queue-count").get_attribute("data-count") == "3"
    assert scans_of(server) == []

    context.set_offline(False)
    page.wait_for_function(
        "() => document.getElementById('queue-count').dataset.count === '0'", timeout=15000
    )
    page.evaluate("window.scanner.flush()")  # a second upload attempt must change nothing
    for reg_id, _, _ in people:
        [scan] = scans_of(server, reg_id)
        assert (scan.status, scan.forced, scan.flagged) == ("ok", True, False)
    assert len(scans_of(server)) == 3


def test_the_scanner_pages_have_no_axe_violations(launch, server, tmp_path):
    with server.app.app_context():
        create_staff("organiser@example.org", "organiser", "Organisator", PASSWORD)
        ticket_holder(first_name="Axel", last_name="Toegankelijk")
        db.session.remove()
    _, page = launch(blank_video(tmp_path))
    login_and_open_scanner(page, server, email="organiser@example.org")
    page.wait_for_function("() => document.getElementById('scanner').dataset.camera === 'on'")
    assert_accessible(page, "scanner page")
    page.evaluate("window.scanner.handleDecoded('onzin')")
    assert page.locator("#verdict").get_attribute("data-kind") == "error"
    assert_accessible(page, "scanner page with a verdict")
    page.keyboard.press("Escape")
    # Manual search with JavaScript: results on the scanner page, checked in from there.
    page.get_by_label("Zoek op naam of e-mailadres").fill("toegankelijk")
    page.get_by_role("button", name="Zoeken", exact=True).click()
    page.get_by_role("button", name="Inchecken: Axel Toegankelijk").click()
    page.locator("#verdict[data-kind='ok']").wait_for(state="visible")
    assert page.locator("#verdict-name").inner_text() == "Axel Toegankelijk"
    page.keyboard.press("Escape")
    for path in ("/scanner", "/scanner/entrance/zoeken?q=toegankelijk", "/beheer/checkin"):
        page.goto(server.url + path)
        assert_accessible(page, path)
