"""The evaluation in a real Chromium: answer by keyboard and screen reader labels, the results
with their chart and table; axe-core on both, in Dutch and English (issue 17)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from conference.cli import create_staff
from conference.clock import utcnow
from conference.extensions import db
from registration.checkin.models import Presence
from streaming.evaluation import services
from streaming.evaluation.models import Evaluation
from tests.factories import activity_of_kind, attendee, conference
from tests.support.browser import assert_accessible

PASSWORD = "wachtwoord-organisator-1"
ANSWER = {"score": "s4", "meenemen": "Meer luisteren.", "opmerkingen": "Goed tempo."}


def _attend(reg, act) -> None:
    db.session.add(
        Presence(conference_id=reg.conference_id, registration_id=reg.id, checkpoint=str(act.id),
                 activity_id=act.id, inside=False, entries=1, first_entry_at=act.starts_at)
    )  # fmt: skip
    db.session.commit()


@pytest.fixture
def ended(live_server):
    """A workshop that ended half an hour ago, five who answered and one who did not yet."""
    app = live_server.app
    with app.app_context():
        create_staff("organiser@example.org", "organiser", "Organisator", PASSWORD)
        act = activity_of_kind("workshop")
        act.starts_at, act.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(minutes=30)
        db.session.commit()
        ev = db.session.query(Evaluation).filter_by(target=str(act.id)).one()
        for _ in range(5):
            reg = attendee()
            _attend(reg, act)
            services.answer(conference(), ev.id, reg, ANSWER)
        person = attendee(first_name="Lotte")
        _attend(person, act)
        serializer = app.session_interface.get_signing_serializer(app)
        cookie = serializer.dumps({"_user_id": person.user.get_id(), "_fresh": True})
        result = {"evaluation": ev.id, "title": act.title, "cookie": cookie}
        db.session.remove()
    result["cookie_name"] = app.config["SESSION_COOKIE_NAME"]
    return result


def test_answering_and_the_results_are_accessible(browser, live_server, ended):
    context = browser.new_context(locale="nl-BE", viewport={"width": 320, "height": 640})
    context.add_cookies(
        [{"name": ended["cookie_name"], "value": ended["cookie"], "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/evaluatie")
    assert_accessible(page, "evaluation list")
    page.get_by_role("link", name=f"Evalueer: {ended['title']}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluatie")
    assert_accessible(page, "evaluation form")
    page.get_by_role("button", name="Evaluatie versturen").click()
    expect(page.locator(".error-summary, [role=alert]").first).to_be_visible()
    assert_accessible(page, "evaluation form with an error")
    page.get_by_label("5 (uitstekend)").check()
    page.get_by_label("Wat neem je mee naar je praktijk?", exact=False).fill("Luisteren.")
    page.get_by_role("button", name="Evaluatie versturen").click()
    expect(page.get_by_text("Je evaluatie is anoniem bewaard.")).to_be_visible()
    page.goto(f"{live_server.url}/evaluatie/{ended['evaluation']}?lang=en")
    expect(page.get_by_text("You already filled in this evaluation.")).to_be_visible()
    context.close()

    office = browser.new_context(locale="nl-BE")
    page = office.new_page()
    page.goto(live_server.url + "/beheer/login")
    page.get_by_label("E-mailadres").fill("organiser@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(live_server.url + "/beheer")
    page.goto(f"{live_server.url}/beheer/evaluatie/{ended['evaluation']}")
    expect(page.get_by_text("6 antwoorden.")).to_be_visible()
    expect(page.locator("svg.evaluation-chart").first).to_be_visible()
    expect(page.get_by_role("cell", name="83%")).to_be_visible()  # five of six gave a 4
    assert_accessible(page, "evaluation results")
    page.goto(f"{live_server.url}/beheer/evaluatie?lang=en")
    expect(page.get_by_role("heading", name="Response per part")).to_be_visible()
    assert_accessible(page, "evaluation overview")
    office.close()


def _office(browser, live_server, lang: str = "nl-BE"):
    office = browser.new_context(locale=lang, viewport={"width": 320, "height": 640})
    page = office.new_page()
    page.goto(live_server.url + "/beheer/login")
    page.get_by_label("E-mailadres").fill("organiser@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(live_server.url + "/beheer")
    return office, page


def test_the_question_screens_and_the_personal_page_are_accessible(browser, live_server, ended):
    with live_server.app.app_context():
        fresh = activity_of_kind("workshop", 1)
        other = db.session.query(Evaluation).filter_by(target=str(fresh.id)).one().id
        db.session.remove()
    office, page = _office(browser, live_server)
    page.goto(f"{live_server.url}/beheer/evaluatie/{other}/vragen")
    assert_accessible(page, "evaluation questions")
    page.get_by_role("link", name="Vraag toevoegen").click()
    page.get_by_role("button", name="Vraag bewaren").click()
    expect(page.locator(".error-summary, [role=alert]").first).to_be_visible()
    assert_accessible(page, "evaluation question form with errors")
    page.get_by_label("Sleutel").fill("tempo")
    page.get_by_label("Vraag (Nederlands)").fill("Hoe was het tempo?")
    page.get_by_role("button", name="Vraag bewaren").click()
    expect(page.get_by_role("cell", name="Hoe was het tempo?", exact=True)).to_be_visible()
    page.get_by_role("link", name="Deze vragen gebruiken voor elke activiteit").click()
    assert_accessible(page, "copy to a kind: confirm")
    page.get_by_role("button", name="Vragen overnemen").click()
    expect(page.get_by_text("hadden al antwoorden")).to_be_visible()
    page.goto(f"{live_server.url}/beheer/evaluatie/{ended['evaluation']}/vragen/nieuw?lang=en")
    expect(page.get_by_role("heading", name="The questions can no longer change")).to_be_visible()
    assert_accessible(page, "questions locked")
    office.close()

    person = browser.new_context(locale="nl-BE", viewport={"width": 320, "height": 640})
    person.add_cookies(
        [{"name": ended["cookie_name"], "value": ended["cookie"], "url": live_server.url}]
    )
    page = person.new_page()
    page.goto(f"{live_server.url}/mijn-inschrijving")
    page.get_by_role("link", name=ended["title"]).click()  # "Invullen: <title>"
    expect(page.get_by_role("button", name="Evaluatie versturen")).to_be_visible()
    page.goto(f"{live_server.url}/mijn-inschrijving")
    assert_accessible(page, "personal page with an open evaluation")
    person.close()
