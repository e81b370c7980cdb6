"""Every back-office page in a real Chromium, as an organiser (issue 19, item 5).

- axe-core (WCAG 2.1 AA) on every staff HTML page; the list is checked against the URL map, so
  a new staff page that no test visits fails `test_every_staff_page_is_listed`.
- Targets of at least 24 x 24 px: every visible button, field and select (WCAG 2.5.8).
- Plain Dutch: labels instead of codes (profiles, methods, mail kinds, languages), Belgian
  numbers ("2,00"), names instead of ids; the allocation review ends with what to do next and
  lists who got nothing; the move list groups activities by block with their free seats.
- The people table fits a 1280 px screen, long addresses and all.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from conference.backoffice import broadcasts
from conference.cli import create_staff
from conference.clock import utcnow
from conference.extensions import db
from conference.models import Conference
from sessions.programme.models import Activity
from sessions.seats.allocation import service as allocation_service
from sessions.seats.preferences import save_preferences
from sessions.seats.services import move_person
from streaming import services as streaming_services
from streaming.evaluation.models import Evaluation
from tests.browser.test_every_page import NOT_PAGES
from tests.factories import person, seated
from tests.helpers import view_roles
from tests.support.apps import LiveServer, sqlite_app
from tests.support.browser import assert_accessible

PASSWORD = "wachtwoord-organisator"
# Staff GET routes that are files, not pages (or a page checked by another browser test).
NOT_STAFF_PAGES = {
    "sessions.staff_agenda_ics": "an iCalendar file",
    "sessions.activity_ics": "an iCalendar file",
    "backoffice.audit_csv": "a CSV file",
    "backoffice.audit_xlsx": "a spreadsheet",
    "evaluation.export": "a CSV file or a spreadsheet",
    "backoffice.badges": "a PDF",
    "backoffice.attendance_lists": "a PDF",
    "programme_admin.export_file": "a YAML file",
    "backoffice.mail_preview_html": "the mail's HTML in the preview's sandboxed frame",
    "checkin.scanner": "test_scanner.py checks it with axe-core (it needs a camera)",
    "contingents_admin.csv": "a CSV file",
    "contingents_admin.index": "test_fair_access_browser.py checks it with axe-core",
    "contingents_admin.codes": "test_fair_access_browser.py checks it with axe-core",
    "contingents_admin.revoke": "test_fair_access_browser.py checks it (the confirm step)",
}
STAFF_PAGES = {
    "conference.dashboard": "/beheer",
    "networking_admin.overview": "/beheer/netwerken",
    "seats.activity_list": "/beheer/activiteit/{workshop}/deelnemers",
    "sessions.staff_agenda_search": "/beheer/agenda?q=janssens",
    "sessions.staff_agenda": "/beheer/agenda/{lotte}",
    "backoffice.audit": "/beheer/audit",
    "backoffice.broadcasts": "/beheer/berichten",
    "backoffice.broadcast": "/beheer/berichten/{sent}",
    "backoffice.broadcast_edit": "/beheer/berichten/{draft}/bewerken",
    "backoffice.broadcast_new": "/beheer/berichten/nieuw",
    "seats.capacity_board": "/beheer/capaciteit",
    "checkin.figures": "/beheer/checkin",
    "people_admin.people": "/beheer/deelnemers",
    "people_admin.person": "/beheer/deelnemers/{lotte}",
    "people_admin.person_new": "/beheer/deelnemers/nieuw",
    "people_admin.person_colleagues": "/beheer/deelnemers/{lotte}/collegas",
    "questions_admin.questions": "/beheer/vragen",
    "questions_admin.question_new": "/beheer/vragen/nieuw",
    "questions_admin.question_edit": "/beheer/vragen/gehoord",
    "questions_admin.question_delete": "/beheer/vragen/gehoord/verwijderen",
    "evaluation.overview": "/beheer/evaluatie",
    "evaluation.result_page": "/beheer/evaluatie/{evaluation}",
    "evaluation.questions": "/beheer/evaluatie/{evaluation}/vragen",
    "evaluation.question_form": "/beheer/evaluatie/{evaluation}/vragen/nieuw",
    "evaluation.question_delete": "/beheer/evaluatie/{evaluation}/vragen/meenemen/verwijderen",
    "evaluation.copy_to_kind": "/beheer/evaluatie/{evaluation}/voor-alle",
    "backoffice.mail_templates": "/beheer/e-mails",
    "backoffice.mail_preview": "/beheer/e-mails/registration_confirmation/nl",
    "backoffice.settings": "/beheer/instellingen",
    "backoffice.exports": "/beheer/lijsten",
    "backoffice.staff": "/beheer/medewerkers",
    "programme_admin.overview": "/beheer/programma",
    "programme_admin.entity": "/beheer/programma/themas/{theme}",
    "programme_admin.entity_new": "/beheer/programma/zalen/nieuw",
    "programme_admin.activity": "/beheer/programma/activiteiten/{workshop}",
    "programme_admin.activity_new": "/beheer/programma/activiteiten/nieuw",
    "programme_admin.import_file": "/beheer/programma/importeren",
    "conference.jobs": "/beheer/taken",
    "seats.allocation": "/beheer/verdeling",
    "seats.allocation_run": "/beheer/verdeling/{run}",
    "seats.move": "/beheer/verplaatsen",
    "draw_admin.review": "/beheer/loting",
    "draw_admin.publish": "/beheer/loting/publiceren",
    "streaming.admin": "/online/beheer",
    "streaming.admin_edit": "/online/beheer/{stream}",
    "streaming.moderate_index": "/online/moderatie",
    "streaming.moderate": "/online/moderatie/{stream}",
    "streaming.room_screen": "/online/scherm/{stream}",
    "polls.moderate": "/online/moderatie/{stream}/peilingen",
    "checkin.choose": "/scanner",
    "checkin.search": "/scanner/entrance/zoeken?q=janssens",
}
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'button, input:not([type=hidden]), select, textarea, summary')]
  .filter((el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') return false;
    if (el.closest('.visually-hidden')) return false;
    return box.width < 24 || box.height < 24;
  })
  .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + el.className + ' "'
    + (el.innerText || '').trim().slice(0, 30) + '" ' + el.getBoundingClientRect().width.toFixed(1)
    + 'x' + el.getBoundingClientRect().height.toFixed(1))"""


@pytest.fixture(scope="module")
def office(sqlite_template, tmp_path_factory):
    """An organiser; people with seats and choices; a dry run that leaves someone out;
    a sent and a draft broadcast; a configured stream."""
    app = sqlite_app(sqlite_template, tmp_path_factory.mktemp("office"))
    with LiveServer(app) as server:
        app.config["BASE_URL"] = server.url
        with app.app_context():
            ids = _build(app)
            db.session.remove()
        yield {"url": server.url, **ids}
    with app.app_context():
        db.engine.dispose()


def _build(app) -> dict:
    organiser, _ = create_staff("organisator@example.org", "organiser", "Org", PASSWORD)
    from registration.signup import register

    long = "lotte.van.den.broeck-janssens.verantwoordelijke@caw-antwerpen-noord-en-kempen.be"
    lotte = register(person(1, email=long, first_name="Lotte", last_name="Janssens",
                            organisation="Centrum Algemeen Welzijnswerk Antwerpen"))  # fmt: skip
    noor = register(person(2, first_name="Noor", last_name="Peeters", profile="student"))
    conf = db.session.scalar(select(Conference))
    small, other = seated("workshop")[:2]
    small.capacity = small.taken + 1  # one seat left: of the two who rank only it, one gets none
    db.session.commit()
    block = small.blocks[0].id
    for reg in (lotte, noor):
        save_preferences(reg.id, {block: [small.id]})
    conf = db.session.scalar(select(Conference))
    conf.choice_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    run = allocation_service.run_allocation(conf, seed=3, options={"fill_unranked": False})
    move_person(noor.id, other.id, actor_id=organiser.id)
    sent = broadcasts.save_draft(
        conf, {"audience": "everyone", "subject": "Welkom", "body": "Tot dan."}, actor=organiser
    )
    broadcasts.send(conf, sent.id, actor=organiser)
    draft = broadcasts.save_draft(
        conf, {"audience": "everyone", "subject": "Concept", "body": "Nog niet."}, actor=organiser
    )
    stream = db.session.scalar(select(Activity).filter_by(kind="stream"))
    hls = {"provider": "hls", "source": "https://x.example/a.m3u8"}
    streaming_services.update_settings(conf, stream.id, hls)
    theme = db.session.scalar(select(Activity.theme_id).where(Activity.theme_id.is_not(None)))
    evaluation = db.session.scalar(select(Evaluation.id).filter_by(target=str(small.id)))
    return {"lotte": lotte.id, "noor": noor.id, "workshop": small.id, "run": run.id,
            "sent": sent.id, "draft": draft.id, "stream": stream.id, "theme": theme,
            "evaluation": evaluation}  # fmt: skip


@pytest.fixture(scope="module")
def tab(browser, office):
    context = browser.new_context(
        locale="nl-BE", timezone_id="Europe/Brussels", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(office["url"] + "/beheer/login")
    page.get_by_label("E-mailadres").fill("organisator@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(office["url"] + "/beheer")
    yield page
    context.close()


def test_every_staff_page_is_listed(app):
    routes = {}
    for rule in app.url_map.iter_rules():
        roles = view_roles(app, rule.endpoint)
        staff_only = roles and "attendee" not in roles and rule.endpoint not in NOT_PAGES
        if "GET" in rule.methods and not rule.rule.startswith("/api/") and staff_only:
            routes[rule.endpoint] = rule.rule
    missing = sorted(set(routes) - set(STAFF_PAGES) - set(NOT_STAFF_PAGES))
    assert not missing, f"staff pages that no browser test checks: {missing}"
    assert not (set(STAFF_PAGES) - set(routes)), "listed but gone"


@pytest.mark.parametrize("endpoint", sorted(STAFF_PAGES))
def test_staff_pages_pass_axe_and_have_big_enough_targets(tab, office, endpoint):
    response = tab.goto(office["url"] + STAFF_PAGES[endpoint].format(**office))
    assert response.status == 200, endpoint
    expect(tab.locator("h1").first).to_be_visible()
    assert_accessible(tab, endpoint)
    small = tab.evaluate(SMALL_TARGETS)
    assert not small, f"targets under 24 px on {endpoint}: {small}"


def test_plain_words_for_organisers(tab, office):
    url = office["url"]
    tab.goto(f"{url}/beheer/verdeling/{office['run']}")
    page = tab.locator("main").inner_text()
    assert "min-cost" not in page and "milp" not in page
    assert "practitioner" not in page and " ms" not in page
    # HiGHS proves the optimum of this small day at once, so that result is the one kept.
    assert "Exacte beste verdeling over de hele dag, met loting" in page
    assert "Ja, bewezen" in tab.locator("#proven-optimal").inner_text()
    assert "Sociaal werker in de praktijk" in page  # a profile's label
    mean = tab.get_by_role("row", name="Gemiddelde keuze").locator("td").first.inner_text()
    assert mean == "1,00", mean  # a Belgian decimal comma
    # The review ends with the next steps, after the list of who got nothing.
    headings = tab.locator("main h2").all_inner_texts()
    assert headings[-1] == "Wat nu?" and "Wie kreeg niets" in headings[-2], headings
    left_out = tab.locator("#zonder-plaats + p + .table-scroll tbody tr")
    expect(left_out).to_have_count(1)
    expect(left_out.get_by_role("link", name="Plaats geven")).to_be_visible()

    tab.goto(f"{url}/beheer/verdeling/{office['run']}?lang=en")
    assert (
        "Exact best allocation over the whole day, by lottery" in tab.locator("main").inner_text()
    )
    tab.goto(f"{url}/beheer/verdeling/{office['run']}?lang=nl")

    tab.goto(f"{url}/beheer/deelnemers/{office['lotte']}")
    facts = tab.locator("dl.facts").inner_text()
    assert "Nederlands" in facts
    expect(tab.get_by_role("cell", name="Bevestiging van de inschrijving")).to_be_visible()
    assert "registration_confirmation" not in tab.locator("main").inner_text()
    groups = tab.locator("#move-activity optgroup").evaluate_all("els => els.map(e => e.label)")
    assert len(groups) >= 2 and any("Blok" in g for g in groups), groups
    option = tab.locator("#move-activity optgroup option").first.inner_text()
    assert "vrij" in option or "volzet" in option, option
    expect(tab.get_by_label("Reden (voor het auditlog)").first).to_be_visible()

    tab.goto(f"{url}/beheer/berichten/{office['sent']}")
    recipients = tab.locator("table tbody").inner_text()
    assert "Lotte Janssens" in recipients and "inschrijving " not in recipients


def test_the_people_table_fits_1280_px(tab, office):
    tab.goto(office["url"] + "/beheer/deelnemers")
    scroller = tab.locator(".table-scroll").first
    widths = scroller.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] <= widths[1], f"the table scrolls sideways: {widths}"
    expect(tab.get_by_role("columnheader", name="Status")).to_be_in_viewport()
