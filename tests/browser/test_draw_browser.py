"""The venue draw in a real Chromium: the published public page at 320 px and the review page
after a dry run and a merge, both axe-clean (WCAG 2.1 AA) and without horizontal scrolling."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conference.cli import create_staff
from conference.clock import utcnow
from conference.extensions import db
from conference.services import current_conference
from registration.draw import merges, services
from registration.draw.applying import commit_seed
from registration.signup import register
from tests.browser.test_phone_layout import OVERFLOW
from tests.factories import person, set_venue
from tests.support.apps import LiveServer, sqlite_app
from tests.support.browser import assert_accessible

PASSWORD = "wachtwoord-loting"


@pytest.fixture(scope="module")
def drawn(sqlite_template, tmp_path_factory):
    """A published draw of 12 applications for 5 places, and a later conference's dry run."""
    app = sqlite_app(sqlite_template, tmp_path_factory.mktemp("draw"))
    with LiveServer(app) as server:
        app.config["BASE_URL"] = server.url
        with app.app_context():
            create_staff("loting@example.org", "organiser", "Org", PASSWORD)
            set_venue(onsite_capacity=5, venue_mode="draw", organisation_cap=2)
            conf_id = set_venue(draw_at=utcnow() + timedelta(days=1)).id
            commit_seed(db.session, conf_id)
            db.session.commit()
            for i in range(12):
                register(person(i, organisation=f"Centrum Algemeen Welzijnswerk {i % 3} vzw"))
            services.dry_run(conf_id, utcnow())
            merges.add_merge(conf_id, "Centrum Algemeen Welzijnswerk 2", "CAW 1")
            services.dry_run(conf_id, utcnow())
            db.session.remove()
        yield {"url": server.url, "app": app, "conf_id": conf_id}
    with app.app_context():
        db.engine.dispose()


def test_the_review_page_after_two_dry_runs_is_accessible(browser, drawn):
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(drawn["url"] + "/beheer/login")
    page.get_by_label("E-mailadres").fill("loting@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(drawn["url"] + "/beheer/loting")
    assert page.get_by_text("Tegenover de vorige proef").is_visible()
    assert_accessible(page, "draw review")
    page.get_by_role("link", name="Verder naar publiceren").click()
    assert page.get_by_role("button", name="Ja, publiceer de loting nu").is_visible()
    assert_accessible(page, "draw publish")
    context.close()


@pytest.mark.parametrize("width", (320, 1024))
def test_the_published_page_is_accessible_and_fits_a_phone(browser, drawn, width):
    with drawn["app"].app_context():
        if current_conference().draw_published_at is None:
            set_venue(draw_at=utcnow() - timedelta(minutes=1))
            services.publish(drawn["conf_id"], utcnow())
        db.session.remove()
    context = browser.new_context(locale="nl-BE", viewport={"width": width, "height": 700})
    page = context.new_page()
    page.goto(drawn["url"] + "/loting")
    assert page.get_by_role("heading", name="Zelf nakijken").is_visible()
    assert page.evaluate(OVERFLOW) == []
    assert_accessible(page, f"published draw at {width} px")
    context.close()
