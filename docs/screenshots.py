"""Make the README's screenshots: `.venv/bin/python docs/screenshots.py` (needs Chromium)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conference.cli import create_staff  # noqa: E402
from conference.extensions import db  # noqa: E402
from registration.signup import register  # noqa: E402
from sessions.programme.loader import load_programme_file  # noqa: E402
from tests.support.apps import PROGRAMME, LiveServer, make_app  # noqa: E402
from tests.support.browser import CHROMIUM_FLAGS, chromium_path  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    """Serve a demo database and photograph the main pages on a phone and a desktop."""
    folder = Path(tempfile.mkdtemp())
    app = make_app(f"sqlite:///{folder / 'shots.sqlite3'}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        load_programme_file(PROGRAMME, demo=True)
        create_staff("organisator@example.org", "organiser", "Organisator", "demo-wachtwoord")
        register({"email": "an@example.be", "first_name": "An", "last_name": "Peeters",
                  "profile": "practitioner", "mode": "onsite", "consent": True})  # fmt: skip
    with LiveServer(app) as server, sync_playwright() as pw:
        app.config["BASE_URL"] = server.url
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-BE")
        page = phone.new_page()
        pages = (("home", "/"), ("programme", "/programma"), ("register", "/inschrijven"))
        for name, path in pages:
            page.goto(server.url + path)
            page.screenshot(path=str(OUT / f"{name}-phone.png"), full_page=False)
        desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-BE")
        page = desk.new_page()
        page.goto(server.url + "/programma")
        page.screenshot(path=str(OUT / "programme-desktop.png"))
        page.goto(server.url + "/beheer/login")
        page.fill("input[name=email]", "organisator@example.org")
        page.fill("input[name=password]", "demo-wachtwoord")
        page.click("button[type=submit]")
        page.goto(server.url + "/beheer")
        page.screenshot(path=str(OUT / "dashboard-desktop.png"))
        page.goto(server.url + "/beheer/instellingen")
        page.screenshot(path=str(OUT / "settings-desktop.png"))
        page.goto(server.url + "/beheer/e-mails/registration_confirmation/nl?variant=onsite")
        page.wait_for_load_state("networkidle")
        page.locator("iframe").first.scroll_into_view_if_needed()
        page.frame_locator("iframe").locator("body").wait_for()  # the frame loads lazily
        page.wait_for_timeout(500)
        page.screenshot(path=str(OUT / "mail-preview-desktop.png"))
        page.goto(server.url + "/scanner")
        page.screenshot(path=str(OUT / "scanner-desktop.png"))
        browser.close()


if __name__ == "__main__":
    main()
