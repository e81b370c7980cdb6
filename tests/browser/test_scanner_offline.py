"""The installable scanner offline from a cold start, in a real Chromium with a persistent profile.

Online once; then with no network: a reload, and a browser restart on the same profile (what a
phone restart leaves), still open the scanner from its service worker, and scans queue. Back
online, the queue uploads once per nonce however often it is sent; a logout empties the device.
"""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from conference.extensions import db
from tests.browser.test_scanner import (
    FAKE_CAMERA,
    blank_video,
    login_and_open_scanner,
    scans_of,
    server,  # noqa: F401  (the fixture)
)
from tests.factories import ticket_holder
from tests.support.browser import CHROMIUM_FLAGS, assert_accessible, chromium_path, missing_tool

KEPT_PAGE = """async (path) => {
  for (const name of await caches.keys()) {
    if (await (await caches.open(name)).match(path)) return true;
  }
  return false;
}"""
DEVICE_STORAGE = """async () => ({
  caches: (await caches.keys()).length,
  local: localStorage.length,
  databases: (await indexedDB.databases()).length,
  workers: (await navigator.serviceWorker.getRegistrations()).length,
})"""


@pytest.fixture
def open_profile(playwright, tmp_path):
    """Start Chromium on one persistent profile folder; each call is a fresh browser start."""
    path = chromium_path()
    if path is None:
        missing_tool("chromium is not installed")
    video = blank_video(tmp_path)
    contexts = []

    def _open():
        for old in contexts:
            old.close()
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=path,
            args=[*CHROMIUM_FLAGS, *FAKE_CAMERA, f"--use-file-for-fake-video-capture={video}"],
            locale="nl-BE",
            timezone_id="Europe/Brussels",
            viewport={"width": 412, "height": 860},
        )
        contexts[:] = [context]
        return context

    yield _open
    for context in contexts:
        context.close()


def network_down(live) -> None:
    """The venue network fails: the server is unreachable (Playwright's offline mode does not
    cover a service worker's own requests, so it alone would prove nothing)."""
    live.server.shutdown()
    live.server.server_close()
    live.thread.join(timeout=5)


def network_up(live) -> None:
    """The network returns: the same server on the same port."""
    port = live.server.server_port
    live.server = make_server("127.0.0.1", port, live.app, threaded=True)
    live.thread = threading.Thread(target=live.server.serve_forever, daemon=True)
    live.thread.start()


def scan_offline(page, url: str, name: str) -> None:
    page.evaluate("url => window.scanner.handleDecoded(url)", url)
    assert page.locator("#verdict").get_attribute("data-kind") == "ok"
    assert page.locator("#verdict-name").inner_text() == name
    assert "Offline beslist" in page.locator("#verdict-note").inner_text()
    page.keyboard.press("Escape")


def test_the_scanner_opens_offline_after_a_reload_and_a_restart(open_profile, server):  # noqa: F811
    with server.app.app_context():
        made = [ticket_holder(first_name=f"Persoon{i}") for i in range(3)]
        people = [(reg.id, reg.full_name, f"{server.url}/t/{t.secret}") for reg, t in made]
        db.session.remove()
    context = open_profile()
    page = context.pages[0] if context.pages else context.new_page()
    login_and_open_scanner(page, server)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function(KEPT_PAGE, arg="/scanner/entrance")
    page.goto(f"{server.url}/scanner")  # the chooser, the app's start page, is kept too
    page.wait_for_function(KEPT_PAGE, arg="/scanner")
    page.goto(f"{server.url}/scanner/entrance")
    page.wait_for_function("() => document.getElementById('scanner').dataset.list === 'ready'")
    assert_accessible(page, "the scanner page with its app state")

    # No network, reload: the page comes from the service worker and still decides scans.
    network_down(server)
    context.set_offline(True)
    response = page.reload()
    assert response.from_service_worker
    page.wait_for_function("() => document.getElementById('scanner').dataset.list === 'ready'")
    assert "De lijst is" in page.locator("#list-info").inner_text()
    scan_offline(page, people[0][2], people[0][1])
    scan_offline(page, people[1][2], people[1][1])
    assert page.locator("#queue-info").inner_text() == "2 scans wachten om verstuurd te worden."
    assert scans_of(server) == []

    # The network returns: the service worker (as Background Sync would) and the page upload at
    # the same time; the server records each nonce once.
    network_up(server)
    page.evaluate("Promise.all([window.scannerOffline.upload(), window.scanner.flush()])")
    context.set_offline(False)
    page.wait_for_function(
        "() => document.getElementById('queue-info').dataset.count === '0'", timeout=15000
    )
    page.wait_for_timeout(500)  # let the worker's copies land too
    assert sorted(scan.registration_id for scan in scans_of(server)) == [people[0][0], people[1][0]]
    network_down(server)
    context.set_offline(True)

    # The browser closes (a phone restart) and starts again with no network: still the scanner.
    context = open_profile()
    page = context.pages[0] if context.pages else context.new_page()
    response = page.goto(f"{server.url}/scanner?checkpoint=entrance")
    assert response.from_service_worker
    page.wait_for_function("() => document.getElementById('scanner').dataset.list === 'ready'")
    assert page.locator("#queue-info").get_attribute("data-count") == "0"
    scan_offline(page, people[2][2], people[2][1])
    assert page.locator("#queue-info").inner_text() == "1 scan wacht om verstuurd te worden."
    assert len(scans_of(server)) == 2

    # The network returns. The session cookie did not survive the restart: log in again.
    network_up(server)
    login_and_open_scanner(page, server)
    page.wait_for_function(
        "() => document.getElementById('queue-info').dataset.count === '0'", timeout=15000
    )
    # Sent again by the page and by the service worker: recorded once per nonce all the same.
    page.evaluate("window.scannerOffline.upload()")
    page.evaluate("window.scanner.flush()")
    page.wait_for_timeout(500)
    for reg_id, _, _ in people:
        [scan] = scans_of(server, reg_id)
        assert (scan.status, scan.forced) == ("ok", True)
    assert len(scans_of(server)) == 3
    assert page.locator("#queue-info").inner_text() == "Alle scans zijn verstuurd."

    # Logging out leaves nothing of the scanner on the device.
    page.get_by_role("button", name="Uitloggen", exact=True).click()
    page.wait_for_url(f"{server.url}/")
    assert page.evaluate(DEVICE_STORAGE) == {"caches": 0, "local": 0, "databases": 0, "workers": 0}
