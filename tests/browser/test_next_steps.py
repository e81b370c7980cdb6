"""Every person knows their next step (issue 19, items 1 and 2), in a real Chromium.

- A task list on the thank-you page, in the confirmation mail and at the top of the personal
  page follows the person (choose before the deadline, wait for the allocation, see the seats);
  the agenda says what happens next while the choices wait.

- No irreversible single tap: switching from on site to online, or leaving the waiting list,
  goes through a page that says what is lost and whether it comes back.
- No dead end: the "already registered" answer offers "Stuur mij mijn link" right there.
- Error summaries: short lines (the message, not the label again), on every form.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from conference.clock import utcnow
from conference.extensions import db
from conference.models import MailMessage
from registration.models import Registration
from registration.signup import register
from sessions.seats.preferences import save_preferences
from tests.factories import conference, person, seated, set_venue
from tests.support.apps import LiveServer, sqlite_app
from tests.support.browser import assert_accessible


@pytest.fixture(scope="module")
def server(sqlite_template, tmp_path_factory):
    """One served demo conference for the whole module (CSRF on, as in production)."""
    app = sqlite_app(sqlite_template, tmp_path_factory.mktemp("next-steps"), WTF_CSRF_ENABLED=True)
    with LiveServer(app) as live:
        app.config["BASE_URL"] = live.url
        yield live
    with app.app_context():
        db.engine.dispose()


def logged_in(browser, server, reg_id: int, **options):
    """A browser context logged in as the person of registration `reg_id`."""
    app = server.app
    with app.app_context():
        user = db.session.get(Registration, reg_id).user
        value = app.session_interface.get_signing_serializer(app).dumps(
            {"_user_id": user.get_id(), "_fresh": True}
        )
        db.session.remove()
    options.setdefault("locale", "nl-BE")
    context = browser.new_context(timezone_id="Europe/Brussels", **options)
    context.add_cookies(
        [{"name": app.config["SESSION_COOKIE_NAME"], "value": value, "url": server.url}]
    )
    return context


def new_person(server, n: int, **overrides) -> int:
    with server.app.app_context():
        reg_id = register(person(n, **overrides)).id
        db.session.remove()
    return reg_id


def state(server, reg_id: int) -> tuple[str, str, bool]:
    with server.app.app_context():
        reg = db.session.get(Registration, reg_id)
        result = (reg.status, reg.mode, reg.ticket is not None and reg.ticket.status == "active")
        db.session.remove()
    return result


def test_going_online_asks_first_and_says_what_is_lost(browser, server):
    reg_id = new_person(server, 201, first_name="Mira")
    assert state(server, reg_id) == ("registered", "onsite", True)
    context = logged_in(browser, server, reg_id)
    page = context.new_page()
    page.goto(server.url + "/mijn-inschrijving")
    page.get_by_role("link", name="Ik volg online in plaats van ter plaatse").click()
    expect(page.locator("h1")).to_have_text("Online volgen in plaats van ter plaatse?")
    lost = page.locator("ul.lost").inner_text()
    assert "wachtlijst" in lost and "ticket" in lost
    expect(page.get_by_role("heading", name="Kan je dit terugdraaien?")).to_be_visible()
    assert_accessible(page, "confirm going online")
    # The link to the page changed nothing; "no" changes nothing either.
    assert state(server, reg_id) == ("registered", "onsite", True)
    page.get_by_role("link", name="Nee, ik blijf ter plaatse").click()
    expect(page.locator("h1")).to_have_text("Mijn inschrijving")
    assert state(server, reg_id) == ("registered", "onsite", True)

    page.get_by_role("link", name="Ik volg online in plaats van ter plaatse").click()
    page.get_by_role("button", name="Ja, ik volg online").click()
    expect(page.get_by_text("Je volgt de conferentie online.").first).to_be_visible()
    assert state(server, reg_id) == ("registered", "online", False)
    # Online now: the page for going online sends the person back to their page.
    page.goto(server.url + "/mijn-inschrijving/deelname/online")
    expect(page.locator("h1")).to_have_text("Mijn inschrijving")
    assert page.goto(server.url + "/mijn-inschrijving/deelname/iets").status == 404
    context.close()


def test_going_online_in_english(browser, server):
    reg_id = new_person(server, 202, first_name="Tom", language="en")
    context = logged_in(browser, server, reg_id, locale="en-GB")
    page = context.new_page()
    page.goto(server.url + "/mijn-inschrijving/deelname/online?lang=en")
    expect(page.locator("h1")).to_have_text("Follow online instead of on site?")
    expect(page.get_by_text("Your ticket with the QR code stops working.")).to_be_visible()
    expect(page.get_by_role("button", name="Yes, I will follow online")).to_be_visible()
    context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_already_registered_offers_the_link_right_there(browser, server, language):
    email = f"al-{language}@example.be"
    new_person(server, 203, email=email)
    context = browser.new_context(
        java_script_enabled=language == "nl", locale="nl-BE" if language == "nl" else "en-GB"
    )
    page = context.new_page()
    page.goto(server.url + f"/inschrijven?lang={language}")
    english = language == "en"
    page.get_by_label("Email address" if english else "E-mailadres").fill(email)
    page.get_by_label("First name" if english else "Voornaam").fill("Sara")
    page.get_by_label("Surname" if english else "Familienaam").fill("Peeters")
    page.locator("#profile-0").check()
    page.locator("#mode-0").check()
    page.locator("#consent").check()
    page.get_by_role("button", name="Register" if english else "Inschrijven").click()
    button = page.get_by_role(
        "button", name="Send me my link" if english else "Stuur mij mijn link"
    )
    expect(button).to_be_visible()
    if not english:
        assert_accessible(page, "already registered")
    button.click()
    expect(page.locator("h1")).to_have_text("Check your inbox" if english else "Kijk in je mailbox")
    with server.app.app_context():
        sent = db.session.scalars(
            select(MailMessage).filter_by(kind="login_link", to_address=email)
        ).all()
        db.session.remove()
    assert len(sent) == 1
    context.close()


def test_error_summary_lines_are_short_and_lead_to_the_field(browser, server):
    context = browser.new_context(locale="nl-BE")
    page = context.new_page()
    page.goto(server.url + "/inschrijven")
    page.get_by_label("E-mailadres").fill("kort@example.be")
    page.get_by_role("button", name="Inschrijven").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    lines = summary.locator("li").all_inner_texts()
    assert "Geef je toestemming, anders kunnen we je inschrijving niet verwerken." in lines
    # The label is not repeated in front of the message.
    assert not any(line.startswith("Ik geef toestemming") for line in lines), lines
    summary.get_by_role("link", name="Vul je voornaam in.").click()
    assert page.evaluate("location.hash") == "#first_name"

    # Another form: the staff login says what is wrong the same way.
    page.goto(server.url + "/beheer/login")
    page.get_by_label("E-mailadres").fill("niemand@example.org")
    page.get_by_label("Wachtwoord").fill("fout-wachtwoord-123")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("horen niet bij een medewerker")
    context.close()


def test_leaving_the_waiting_list_asks_first(browser, server):
    with server.app.app_context():
        capacity = conference().onsite_capacity
        set_venue(onsite_capacity=conference().onsite_taken)  # full
        reg_id = register(person(204, first_name="Wout"), venue_choice="online_waitlist").id
        set_venue(onsite_capacity=capacity)
        db.session.remove()
    context = logged_in(browser, server, reg_id)
    page = context.new_page()
    page.goto(server.url + "/mijn-inschrijving")
    page.get_by_role("link", name="Niet meer wachten op een plaats").click()
    expect(page.locator("h1")).to_have_text("Niet meer wachten op een plaats?")
    expect(page.locator("ul.lost")).to_contain_text("nummer 1")
    with server.app.app_context():
        assert db.session.get(Registration, reg_id).venue_waitlisted_at is not None
        db.session.remove()
    page.get_by_role("button", name="Ja, ik wacht niet meer").click()
    expect(page.locator("h1")).to_have_text("Mijn inschrijving")
    with server.app.app_context():
        assert db.session.get(Registration, reg_id).venue_waitlisted_at is None
        db.session.remove()
    context.close()


def steps(page) -> list[str]:
    """The task list as read: '<state>: <step>' per line."""
    return [" ".join(t.split()) for t in page.locator(".task-list li").all_text_contents()]


def set_conference(app, **values) -> None:
    with app.app_context():
        conf = conference()
        for key, value in values.items():
            setattr(conf, key, value)
        db.session.commit()
        db.session.remove()


def test_the_task_list_follows_the_person(browser, live_server):
    """Thank-you page, mail, personal page and agenda: the next step, as the state moves on."""
    app, url = live_server.app, live_server.url
    context = browser.new_context(locale="nl-BE", timezone_id="Europe/Brussels")
    page = context.new_page()
    page.goto(url + "/inschrijven")
    page.get_by_label("E-mailadres").fill("stappen@example.be")
    page.get_by_label("Voornaam").fill("Ines")
    page.get_by_label("Familienaam").fill("Claes")
    page.locator("#profile-0").check()
    page.locator("#mode-0").check()
    page.locator("#consent").check()
    page.get_by_role("button", name="Inschrijven").click()
    expect(page.locator("h1")).to_have_text("Je bent ingeschreven")
    lines = steps(page)
    assert lines[0] == "Klaar: Ingeschreven om ter plaatse te komen", lines
    assert lines[1].startswith("Nu te doen: Kies je workshops vóór "), lines
    assert lines[2].startswith("Later: Toon je ticket aan de ingang op "), lines
    current = page.locator(".task-list li[aria-current=step] a")
    assert current.get_attribute("href") == "/mijn/keuzes"
    assert_accessible(page, "thank-you page with the next steps")

    with app.app_context():
        mail = db.session.scalar(
            select(MailMessage).filter_by(
                kind="registration_confirmation", to_address="stappen@example.be"
            )
        )
        reg_id = mail.registration_id
        db.session.remove()
    assert "Je volgende stappen" in mail.body_text
    assert "Nu te doen: Kies je workshops vóór" in mail.body_text
    assert "Kies je workshops vóór" in mail.body_html

    # The personal page: the same list at the top, before the ticket.
    page.goto(url + "/mijn-inschrijving")
    assert steps(page)[1].startswith("Nu te doen: Kies je workshops vóór ")
    order = page.evaluate(
        "[...document.querySelectorAll('.task-panel, #ticket-titel')].map(e => e.className || e.id)"
    )
    assert order == ["task-panel", "ticket-titel"]

    # Choices made: the step is done; the agenda says what happens next.
    with app.app_context():
        block = seated("workshop")[0].blocks[0]
        save_preferences(reg_id, {block.id: [seated("workshop")[0].id]})
        block_name = block.name
        db.session.remove()
    page.goto(url + "/mijn-inschrijving")
    assert steps(page)[1].startswith("Klaar: Je workshopkeuzes zijn bewaard."), steps(page)
    page.goto(url + "/agenda")
    slot = page.locator(".agenda-empty", has_text=block_name)
    expect(slot).to_contain_text("Je koos 1 workshop of bezoek voor dit blok.")
    expect(slot).to_contain_text("Na de keuzeronde")

    # The window closes: waiting for the allocation; then it is published: see the seats.
    set_conference(app, choice_closes_at=utcnow() - timedelta(minutes=1))
    page.goto(url + "/mijn-inschrijving")
    assert steps(page)[1] == (
        "Even wachten: We verdelen nu de plaatsen in de workshops. "
        "Je krijgt een e-mail met je plaatsen."
    )
    set_conference(app, allocation_published_at=utcnow())
    page.goto(url + "/mijn-inschrijving")
    assert steps(page)[1] == "Nu te doen: Bekijk je workshops en bezoeken"
    assert page.locator(".task-list li[aria-current=step] a").get_attribute("href") == (
        "/mijn/plaatsen"
    )
    assert_accessible(page, "personal page with the next steps")

    # In English, for a person who chose English.
    page.goto(url + "/mijn-inschrijving?lang=en")
    expect(page.get_by_role("heading", name="Your next steps")).to_be_visible()
    assert steps(page)[0] == "Done: Registered to come on site"
    assert steps(page)[1] == "To do now: See your workshops and visits"
    context.close()
