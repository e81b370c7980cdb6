"""The questions in the HTML pages without JavaScript: the registration form (both languages),
the second step when the venue is full, the personal page, and the organisers' screens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from conference.clock import isoformat, utcnow
from conference.extensions import db
from registration.models import Registration
from registration.questions.editing import update_question
from registration.questions.services import answers_by_key
from tests.factories import ANSWERS, clear_questions, conference, person, questions, set_venue
from tests.helpers import login

# The answers of tests.factories.ANSWERS as the form posts them.
FORM_ANSWERS = {
    "vraag_functie": "Maatschappelijk werker",
    "vraag_verwachting": "Inspiratie\r\nen collega's",
    "vraag_bron": "collega",
    "vraag_themas": ["zorg", "armoede"],
    "vraag_tolk": "yes",
    "vraag_jaren": "12",
    "vraag_startdatum": "2010-09-01",
}


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def form(i=1, **overrides):
    data = {**person(i, language="nl", consent="y"), **FORM_ANSWERS, **overrides}
    return {k: v for k, v in data.items() if v is not None}


def errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="([a-z_]+)-error">([^<]*)</p>', html))


def stored(reg_id: int, archived: bool = False) -> dict:
    db.session.rollback()  # read what the requests committed
    return answers_by_key(reg_id, archived=archived)


def newest() -> Registration:
    db.session.rollback()
    return db.session.query(Registration).order_by(Registration.id.desc()).first()


def test_the_form_shows_every_question_in_order_with_its_pattern(client):
    questions()
    html = client.get("/inschrijven").get_data(as_text=True)
    positions = [html.index(f'id="vraag_{key}"') for key in ANSWERS]
    assert positions == sorted(positions)
    assert '<label for="vraag_functie">Wat is je functie? (niet verplicht)</label>' in html
    assert '<fieldset id="vraag_bron"' in html and '<fieldset id="vraag_themas"' in html
    assert 'type="checkbox" value="armoede"' in html.replace('name="vraag_themas" ', "")
    assert 'type="date"' in html and 'inputmode="numeric"' in html
    assert "Alleen voor wie ter plaatse komt." in html  # tolk is for on site only
    english = client.get("/inschrijven?lang=en").get_data(as_text=True)
    assert "How did you hear of us?" in english and "Only for those who come on site." in english


def test_a_posted_form_keeps_every_type(client):
    questions()
    response = client.post("/inschrijven", data=form(1))
    assert response.status_code == 303
    assert stored(newest().id) == {**ANSWERS, "themas": ["armoede", "zorg"]}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_bad_answers_are_shown_next_to_their_fields_and_in_the_summary(client, lang):
    questions()
    bad = form(2, vraag_bron=None, vraag_jaren="veel", vraag_startdatum="31-02-2022",
               vraag_functie="x" * 41, first_name="")  # fmt: skip
    response = client.post(f"/inschrijven?lang={lang}", data=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    found = errors(html)
    words = {
        "nl": ("Beantwoord deze vraag.", "geheel getal", "jjjj-mm-dd", "te lang"),
        "en": ("Answer this question.", "whole number", "yyyy-mm-dd", "too long"),
    }[lang]
    assert found["vraag_bron"] == words[0]
    assert words[1] in found["vraag_jaren"] and words[2] in found["vraag_startdatum"]
    assert words[3] in found["vraag_functie"] and "first_name" in found
    summary = html[html.index('class="error-summary"') :]
    assert 'href="#vraag_bron-0"' in summary and 'href="#vraag_jaren"' in summary
    assert 'aria-invalid="true"' in html
    # Nothing is lost: the answers given are shown again.
    assert 'value="12"' not in html and 'value="veel"' in html
    assert re.search(r'value="zorg"[^>]*checked|checked[^>]*value="zorg"', html)
    assert newest() is None


def test_an_online_registration_skips_the_on_site_question(client):
    questions()
    response = client.post("/inschrijven", data=form(3, mode="online", vraag_tolk=None))
    assert response.status_code == 303
    assert "tolk" not in stored(newest().id)


def test_the_second_step_carries_the_answers(client):
    questions()
    set_venue(onsite_capacity=0)
    first = client.post("/inschrijven", data=form(4))
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and 'name="venue_choice"' in html
    hidden = dict(re.findall(r'<input type="hidden" name="(vraag_[a-z_]+)" value="([^"]*)">', html))
    assert hidden["vraag_jaren"] == "12" and hidden["vraag_tolk"] == "yes"
    assert html.count('name="vraag_themas"') == 2
    data = {**form(4), "step": "2", "venue_choice": "online_waitlist"}
    assert client.post("/inschrijven", data=data).status_code == 303
    assert stored(newest().id)["jaren"] == 12


def test_the_personal_page_shows_and_changes_answers_until_the_deadline(client):
    questions()
    assert client.post("/inschrijven", data=form(5)).status_code == 303
    reg = newest()
    login(client, reg)
    page = client.get("/mijn-inschrijving").get_data(as_text=True)
    assert "Je antwoorden" in page and "Via een collega" in page and "Armoede, Zorg" in page

    edit = client.get("/mijn-inschrijving/vragen").get_data(as_text=True)
    assert 'value="Maatschappelijk werker"' in edit
    changed = client.post("/mijn-inschrijving/vragen", data={**FORM_ANSWERS, "vraag_jaren": "13"})
    assert changed.status_code == 303
    assert stored(reg.id)["jaren"] == 13
    bad = client.post("/mijn-inschrijving/vragen", data={**FORM_ANSWERS, "vraag_jaren": "-1"})
    assert (
        bad.status_code == 422
        and "van 0 tot en met 60" in errors(bad.get_data(as_text=True))["vraag_jaren"]
    )

    update_question(
        conference().id,
        "jaren",
        {"editable_until": isoformat(utcnow() - timedelta(hours=1))},
        actor=None,
    )
    closed = client.get("/mijn-inschrijving/vragen").get_data(as_text=True)
    assert "Deze antwoorden liggen vast" in closed and 'id="vraag_jaren"' not in closed
    # A post of the closed field anyway changes nothing.
    client.post("/mijn-inschrijving/vragen", data={**FORM_ANSWERS, "vraag_jaren": "20"})
    assert stored(reg.id)["jaren"] == 13


def test_organisers_add_edit_reorder_and_archive_in_the_back_office(client, tokens):
    clear_questions()
    login(client, "organiser")
    new = client.post(
        "/beheer/vragen/nieuw",
        data={"key": "bron", "type": "choice", "label": "Hoe heb je van ons gehoord?",
              "choices": "collega | Via een collega | A colleague\nNieuwsbrief",
              "modes": ["onsite", "online"], "required": "y"},
    )  # fmt: skip
    assert new.status_code == 303
    questions("functie")
    page = client.get("/beheer/vragen").get_data(as_text=True)
    assert page.index("Hoe heb je van ons gehoord?") < page.index("Wat is je functie?")
    client.post("/beheer/vragen/functie/omhoog")
    page = client.get("/beheer/vragen").get_data(as_text=True)
    assert page.index("Wat is je functie?") < page.index("Hoe heb je van ons gehoord?")

    edit = client.get("/beheer/vragen/bron").get_data(as_text=True)
    assert "collega | Via een collega | A colleague" in edit and "nieuwsbrief | Nieuwsbrief" in edit
    register_answer = form(6, vraag_functie=None, vraag_bron="nieuwsbrief")
    register_answer = {k: v for k, v in register_answer.items() if k in person(6) or k in
                       ("language", "consent", "vraag_bron")}  # fmt: skip
    attendee = client.application.test_client()  # registering logs its browser in
    assert attendee.post("/inschrijven", data=register_answer).status_code == 303
    renamed = client.post(
        "/beheer/vragen/bron",
        data={"type": "choice", "label": "Hoe hoorde je ervan?", "modes": ["onsite"],
              "choices": "collega | Via een collega\nnieuwsbrief | Onze nieuwsbrief"},
    )  # fmt: skip
    assert renamed.status_code == 303
    assert stored(newest().id) == {"bron": "nieuwsbrief"}
    bad = client.post("/beheer/vragen/bron", data={"type": "choice", "label": "",
                                                      "choices": "x | A\nx | B"})  # fmt: skip
    assert bad.status_code == 422 and "Keuze 2" in bad.get_data(as_text=True)

    confirm = client.get("/beheer/vragen/bron/verwijderen").get_data(as_text=True)
    assert "Archiveren" in confirm
    assert client.post("/beheer/vragen/bron/verwijderen").status_code == 303
    page = client.get("/beheer/vragen").get_data(as_text=True)
    assert "gearchiveerd" in page
    assert stored(newest().id, archived=True) == {"bron": "nieuwsbrief"}
    assert "Hoe hoorde je ervan?" not in client.get("/inschrijven").get_data(as_text=True)


def test_question_screens_are_for_organisers_only(client, tokens):
    questions("functie")
    login(client, "checkin")
    for path in ("/beheer/vragen", "/beheer/vragen/nieuw", "/beheer/vragen/functie"):
        assert client.get(path).status_code == 403
