"""Choosing workshops on a phone, without JavaScript (issue 19, item 4), in a real Chromium.

One block at a time; a card per activity with its full title, theme and place; radio buttons
"1ste keuze" … "5de keuze" instead of five identical drop-downs; an online attendee sees only
online options, and no more ranks than options. A duplicate pick gets the error summary.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from sessions.seats.preferences import preferences_of
from tests.factories import attendee, seated
from tests.support.browser import assert_accessible

PHONE = {"width": 360, "height": 640}


def logged_in(browser, server, user, javascript=False, **options):
    app = server.app
    value = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": user.get_id(), "_fresh": True}
    )
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript, **options)
    context.add_cookies(
        [{"name": app.config["SESSION_COOKIE_NAME"], "value": value, "url": server.url}]
    )
    return context


@pytest.fixture
def people(live_server):
    with live_server.app.app_context():
        onsite = attendee("onsite", email="kaart@example.org", first_name="Kaat")
        online = attendee("online", email="online-kaart@example.org", first_name="Olaf")
        ws = seated("workshop")
        result = {
            "onsite": onsite.user, "online": online.user, "onsite_id": onsite.id,
            "block": ws[0].blocks[0].id, "workshops": [(a.id, a.title) for a in ws[:3]],
        }  # fmt: skip
        db.session.expunge_all()
        db.session.remove()
    return result


def test_cards_and_ranks_on_a_phone_without_javascript(browser, live_server, people):
    context = logged_in(browser, live_server, people["onsite"], locale="nl-BE")
    page = context.new_page()
    page.goto(f"{live_server.url}/mijn/keuzes/{people['block']}")
    assert page.locator("select").count() == 0
    cards = page.locator("fieldset.choice-card:not(.choice-none)")
    assert cards.count() >= 3
    first = cards.first
    # The full title, the theme and the place; nothing cut off.
    assert first.locator(".card-meta").inner_text().count("·") >= 2
    clipped = page.evaluate(
        "[...document.querySelectorAll('.choice-title')]"
        ".filter(t => t.scrollWidth > t.clientWidth + 1).length"
    )
    assert clipped == 0
    labels = first.locator(".rank-option").all_inner_texts()
    assert labels == ["1ste keuze", "2de keuze", "3de keuze", "4de keuze", "5de keuze"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    (a_id, a), (b_id, b), (c_id, c) = people["workshops"]
    # The same activity for two ranks: the error summary, and nothing saved.
    card_a = page.get_by_role("group", name=a, exact=True)
    card_a.get_by_label("1ste keuze").check()
    card_a.get_by_label("2de keuze").check()
    page.get_by_role("button", name="Keuzes bewaren").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Deze activiteit koos je al hoger")
    summary.get_by_role("link").first.click()
    assert page.evaluate("location.hash") == "#rank_2"
    assert page.locator("#rank_2").is_checked()
    with live_server.app.app_context():
        assert preferences_of(people["onsite_id"]) == {}
        db.session.remove()

    # Three choices, the third left empty on purpose and the fourth given instead.
    page.get_by_role("group", name=b, exact=True).get_by_label("2de keuze").check()
    page.get_by_role("group", name=c, exact=True).get_by_label("4de keuze").check()
    page.get_by_role("button", name="Keuzes bewaren").click()
    expect(page.get_by_text("zijn bewaard")).to_be_visible()
    with live_server.app.app_context():
        assert preferences_of(people["onsite_id"])[people["block"]] == [a_id, b_id, c_id]
        db.session.remove()
    # Back on the page: the choices are checked; "geen 3de keuze" clears a rank.
    page.goto(f"{live_server.url}/mijn/keuzes/{people['block']}")
    expect(page.get_by_role("group", name=c, exact=True).get_by_label("3de keuze")).to_be_checked()
    page.get_by_label("geen 2de keuze").check()
    page.get_by_role("button", name="Keuzes bewaren").click()
    expect(page.get_by_text("zijn bewaard")).to_be_visible()
    with live_server.app.app_context():
        assert preferences_of(people["onsite_id"])[people["block"]] == [a_id, c_id]
        db.session.remove()
    context.close()

    # JavaScript on: axe-core finds nothing on the cards.
    context = logged_in(browser, live_server, people["onsite"], javascript=True, locale="nl-BE")
    page = context.new_page()
    page.goto(f"{live_server.url}/mijn/keuzes/{people['block']}")
    assert_accessible(page, "choice cards on a phone")
    context.close()


def test_online_attendees_see_only_online_options(browser, live_server, people):
    context = logged_in(browser, live_server, people["online"], locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/mijn/keuzes/{people['block']}?lang=en")
    cards = page.locator("fieldset.choice-card:not(.choice-none)")
    metas = cards.locator(".card-meta").all_inner_texts()
    assert metas and all(m.startswith("Online workshop") for m in metas), metas
    ranks = cards.first.locator(".rank-option").all_inner_texts()
    # No more ranks than there are options (an online attendee had five drop-downs for one).
    assert len(ranks) == min(5, len(metas)) and ranks[0] == "1st choice", ranks
    context.close()
