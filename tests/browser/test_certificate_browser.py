"""The public certificate check shows the parts and their minutes (issue 19, item 8).

A person who came in after the opening had ended: the check shows the closing plenary with its
minutes and not the opening, in Dutch and in English, and passes axe-core.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from registration.checkin.models import Scan
from streaming import certificates
from tests.factories import activity_of_kind as activity
from tests.factories import attendee, conference
from tests.support.browser import assert_accessible


@pytest.fixture
def code(live_server):
    with live_server.app.app_context():
        opening, closing = activity("plenary"), activity("plenary", 1)
        reg = attendee("onsite", first_name="Laura", last_name="Laat")
        db.session.add(
            Scan(
                conference_id=reg.conference_id, registration_id=reg.id, checkpoint="entrance",
                type="entry", method="qr", status="ok",
                scanned_at=opening.ends_at + timedelta(minutes=5),
            )
        )  # fmt: skip
        db.session.commit()
        conf = conference()
        cert = certificates.issue(conf, reg, now=conf.ends_at + timedelta(hours=1))
        result = certificates.format_code(cert.code), opening.title, closing.title
        db.session.remove()
    return result


def test_the_check_shows_the_parts_and_minutes(browser, live_server, code):
    formatted, opening, closing = code
    context = browser.new_context(locale="nl-BE", viewport={"width": 360, "height": 640})
    page = context.new_page()
    page.goto(f"{live_server.url}/attest")
    page.get_by_label("Code op het attest").fill(formatted.lower())
    page.get_by_role("button", name="Nagaan").click()
    expect(page.get_by_text("Dit attest is echt.")).to_be_visible()
    expect(page.locator("dd", has_text="1 uur 0 minuten")).to_be_visible()
    rows = page.locator("table tbody tr").all_inner_texts()
    assert len(rows) == 1 and closing in rows[0] and "60" in rows[0], rows
    assert opening not in page.content()
    assert_accessible(page, "certificate check with its parts")

    page.goto(f"{live_server.url}/attest/{formatted}?lang=en")
    expect(page.locator("dd", has_text="1 h 0 min")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Minutes")).to_be_visible()
    context.close()
