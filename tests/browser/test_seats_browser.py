"""The choice page without JavaScript, and the seat pages, in a real Chromium with axe-core."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from conference.cli import create_staff
from conference.clock import utcnow
from conference.extensions import db
from sessions.seats import services as seats
from sessions.seats.models import Seat
from sessions.seats.preferences import preferences_of
from tests.factories import attendee, conference, seated
from tests.support.browser import assert_accessible

RANKS = {1: "1ste keuze", 2: "2de keuze", 3: "3de keuze"}


def _login_cookie(app, user, url: str) -> list[dict]:
    """A signed Flask session cookie that logs `user` in (the login-link flow is not under test)."""
    value = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": user.get_id(), "_fresh": True}
    )
    return [{"name": app.config["SESSION_COOKIE_NAME"], "value": value, "url": url}]


def test_choose_without_javascript_and_accessible(browser, live_server):
    app = live_server.app
    with app.app_context():
        reg = attendee(email="kiezer@example.org")
        ws = seated("workshop")
        first_block = ws[0].blocks[0].id
        cookie = _login_cookie(app, reg.user, live_server.url)
        reg_id, titles, ids = reg.id, [a.title for a in ws[:3]], [a.id for a in ws[:3]]
        db.session.remove()

    context = browser.new_context(java_script_enabled=False, locale="nl-BE")
    context.add_cookies(cookie)
    page = context.new_page()
    page.goto(f"{live_server.url}/mijn/keuzes/{first_block}")
    expect(page.get_by_text("Snelheid speelt geen rol")).to_be_visible()
    # One card per activity, a radio button per rank (issue 19: no repeated drop-downs).
    for rank, title in ((1, titles[2]), (2, titles[0]), (3, titles[1])):
        page.get_by_role("group", name=title, exact=True).get_by_label(RANKS[rank]).check()
    page.get_by_role("button", name="Keuzes bewaren").click()
    expect(page.get_by_text("zijn bewaard")).to_be_visible()
    with app.app_context():
        assert preferences_of(reg_id)[first_block] == [ids[2], ids[0], ids[1]]
        db.session.remove()
    # Back to the first block: the choices are pre-filled.
    page.goto(f"{live_server.url}/mijn/keuzes/{first_block}")
    expect(
        page.get_by_role("group", name=titles[2], exact=True).get_by_label(RANKS[1])
    ).to_be_checked()
    assert page.locator('input[name="rank_1"]:checked').get_attribute("value") == str(ids[2])
    context.close()

    # The same page with JavaScript on, checked by axe-core.
    context = browser.new_context(locale="nl-BE")
    context.add_cookies(cookie)
    page = context.new_page()
    page.goto(f"{live_server.url}/mijn/keuzes/{first_block}")
    assert_accessible(page, "choice page")
    page.goto(f"{live_server.url}/mijn/keuzes")
    assert_accessible(page, "choices overview")
    context.close()


def test_seat_pages_accessible(browser, live_server):
    app = live_server.app
    with app.app_context():
        conf = conference()
        conf.allocation_mode = "fcfs"
        db.session.commit()
        reg = attendee(email="zitter@example.org")
        act = seated("workshop")[0]
        seats.enroll(reg.id, act.id)
        organiser, _ = create_staff("org@example.org", "organiser", "Org", "wachtwoord-org")
        cookies = _login_cookie(app, reg.user, live_server.url)
        staff_cookies = _login_cookie(app, organiser, live_server.url)
        block_id, slug, act_id = act.blocks[0].id, act.slug, act.id
        db.session.remove()

    context = browser.new_context(locale="nl-BE")
    context.add_cookies(cookies)
    page = context.new_page()
    for path in ("/mijn/plaatsen", f"/mijn/plaatsen/wissel/{block_id}", f"/programma/{slug}",
                 f"/plaatsen/{act_id}/verlaten"):  # fmt: skip
        page.goto(live_server.url + path)
        assert_accessible(page, path)
    context.close()

    context = browser.new_context(locale="nl-BE")
    context.add_cookies(staff_cookies)
    page = context.new_page()
    staff_pages = ("/beheer/capaciteit", "/beheer/verdeling", "/beheer/verplaatsen")
    for path in (*staff_pages, f"/beheer/activiteit/{act_id}/deelnemers"):
        page.goto(live_server.url + path)
        assert_accessible(page, path)
    page.goto(live_server.url + "/beheer/verdeling")
    page.get_by_label("Lotingsgetal (seed)").fill("7")
    page.get_by_role("button", name="Proefverdeling maken").click()
    expect(page.get_by_role("heading", name="Per profiel")).to_be_visible()
    assert_accessible(page, "allocation run")
    context.close()


def test_swap_without_javascript(browser, live_server):
    app = live_server.app
    with app.app_context():
        conf = conference()
        conf.allocation_mode = "fcfs"
        conf.choice_closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        reg = attendee(email="wissel@example.org")
        a, b = seated("workshop")[:2]
        seats.enroll(reg.id, a.id)
        cookie = _login_cookie(app, reg.user, live_server.url)
        block_id, b_title, b_id, reg_id = a.blocks[0].id, b.title, b.id, reg.id
        db.session.remove()
    context = browser.new_context(java_script_enabled=False, locale="nl-BE")
    context.add_cookies(cookie)
    page = context.new_page()
    page.goto(f"{live_server.url}/mijn/plaatsen/wissel/{block_id}")
    page.get_by_role("button", name=b_title).click()
    expect(page.get_by_text(f"Je hebt een plaats in {b_title}")).to_be_visible()
    with app.app_context():
        held = db.session.scalars(select(Seat.activity_id).filter_by(registration_id=reg_id)).all()
        assert held == [b_id]
        db.session.remove()
    context.close()
