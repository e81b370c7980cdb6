"""Where answers go: exports (one column per question, archived too, formulas neutralised),
speakers' lists (shown questions only, never sensitive ones), the personal data export and
erasure, and the organisers' filters (people, broadcasts, exports) and dashboard counts."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from conference.backoffice import broadcasts
from conference.extensions import db
from conference.models import MailMessage
from registration.account.personal_data import erase_registration, export_data
from registration.models import Registration
from registration.questions.editing import delete_question, update_question
from registration.questions.models import RegistrationAnswer
from registration.questions.services import answers_by_key
from tests.factories import ANSWERS, activity, conference, give_seat, questions, register, staff
from tests.helpers import bearer, login


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


@pytest.fixture
def crowd(app):
    """Three people with answers: two asked for an interpreter, one online."""
    questions()
    return {
        "ann": register(1, answers={**ANSWERS, "functie": '=HYPERLINK("x")'}),
        "bert": register(2, answers={**ANSWERS, "bron": "nieuwsbrief", "themas": ["jeugd"]}),
        "els": register(3, mode="online", answers={"bron": "collega"}),
    }


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_registration_exports_have_a_column_per_question_archived_too(client, tokens, crowd):
    delete_question(conference().id, "verwachting", actor=None)  # answered: archived
    headers = bearer(tokens["organiser"])
    rows = _csv(client.get("/api/v1/exports/registrations.csv", headers=headers).data)
    header = rows[0]
    assert header[-7:] == [
        "Wat is je functie?", "Wat verwacht je? (gearchiveerd)", "Hoe heb je van ons gehoord?",
        "Welke thema's?", "Heb je een tolk VGT nodig?", "Hoeveel jaar werk je al?",
        "Sinds wanneer?",
    ]  # fmt: skip
    by_email = {row[3]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    ann = by_email[crowd["ann"].email]
    assert ann["Wat is je functie?"] == '\'=HYPERLINK("x")'  # never a formula
    assert ann["Welke thema's?"] == "Armoede, Zorg" and ann["Heb je een tolk VGT nodig?"] == "Ja"
    assert ann["Wat verwacht je? (gearchiveerd)"] == "Inspiratie\nen collega's"
    assert by_email[crowd["els"].email]["Heb je een tolk VGT nodig?"] == ""

    book = load_workbook(
        io.BytesIO(client.get("/api/v1/exports/registrations.xlsx", headers=headers).data)
    )
    sheet = book.active
    header = [c.value for c in sheet[1]]
    column = header.index("Wat is je functie?")
    values = {row[column].value for row in sheet.iter_rows(min_row=2)}
    assert '\'=HYPERLINK("x")' in values and all(
        row[column].data_type == "s" for row in sheet.iter_rows(min_row=2) if row[column].value
    )

    only = _csv(
        client.get(
            "/api/v1/exports/registrations.csv?question=tolk&answer=yes", headers=headers
        ).data
    )
    assert sorted(row[3] for row in only[1:]) == sorted([crowd["ann"].email, crowd["bert"].email])


def test_speakers_lists_show_only_shown_questions_never_sensitive(client, tokens, crowd):
    act = activity("ws-diversiteit-1")
    give_seat(crowd["ann"], act)
    update_question(conference().id, "bron", {"visible_to_speakers": True}, actor=None)
    # Marked for speakers but sensitive: still never in their list.
    update_question(conference().id, "tolk", {"visible_to_speakers": True}, actor=None)
    rows = _csv(
        client.get(
            f"/api/v1/exports/activities/{act.id}.csv", headers=bearer(tokens["organiser"])
        ).data
    )
    assert rows[0][-1] == "Hoe heb je van ons gehoord?"
    assert "Heb je een tolk VGT nodig?" not in rows[0] and "Wat is je functie?" not in rows[0]
    assert rows[1][-1] == "Via een collega"


def test_personal_data_export_carries_answers_and_erasure_removes_them(client, crowd):
    ann = crowd["ann"]
    delete_question(conference().id, "jaren", actor=None)  # archived: still exported
    exported = export_data(db.session.get(Registration, ann.id))
    by_key = {a["key"]: a for a in exported["answers"]}
    assert set(by_key) == set(ANSWERS)
    assert by_key["jaren"]["answer"] == 12
    assert by_key["tolk"] == {
        "key": "tolk", "question": "Heb je een tolk VGT nodig?", "answer": True, "text": "Ja"
    }  # fmt: skip
    login(client, ann)
    download = client.get("/mijn-inschrijving/gegevens.json").get_json()
    assert {a["key"] for a in download["answers"]} == set(ANSWERS)

    erase_registration(ann.id)
    db.session.rollback()
    assert answers_by_key(ann.id, archived=True) == {}
    left = db.session.query(RegistrationAnswer).filter_by(registration_id=ann.id).count()
    assert left == 0
    assert answers_by_key(crowd["bert"].id)["bron"] == "nieuwsbrief"  # others keep theirs


def test_organisers_filter_people_and_broadcasts_and_see_counts(client, tokens, crowd):
    login(client, "organiser")
    page = client.get("/beheer/deelnemers?answer=tolk:yes").get_data(as_text=True)
    assert crowd["ann"].last_name in page and crowd["bert"].last_name in page
    assert crowd["els"].last_name not in page
    page = client.get("/beheer/deelnemers?answer=themas:jeugd").get_data(as_text=True)
    assert crowd["bert"].last_name in page and crowd["ann"].last_name not in page
    assert "Heb je een tolk VGT nodig?: Ja (2)" in page  # the filter menu with counts

    dashboard = client.get("/beheer").get_data(as_text=True)
    section = dashboard[dashboard.index('id="answers"') :]
    assert "Hoe heb je van ons gehoord?" in section
    assert "/beheer/deelnemers?answer=bron:collega" in section.replace("%3A", ":")

    conf = conference()
    draft = broadcasts.save_draft(
        conf,
        {"audience": "everyone", "answer": "tolk:yes", "subject": "Tolk", "body": "Hallo"},
        actor=staff(),
    )
    assert broadcasts.send(conf, draft.id, actor=staff()) == 2
    db.session.rollback()
    sent = db.session.query(MailMessage).filter_by(kind="broadcast").all()
    assert sorted(m.to_address for m in sent) == sorted([crowd["ann"].email, crowd["bert"].email])
    preview = client.get(f"/beheer/berichten/{draft.id}").get_data(as_text=True)
    assert "met antwoord" in preview
    exports = client.get("/beheer/lijsten").get_data(as_text=True)
    assert '<option value="tolk:yes">Heb je een tolk VGT nodig?: Ja (2)</option>' in exports
    person = client.get(f"/beheer/deelnemers/{crowd['ann'].id}").get_data(as_text=True)
    answers = person[person.index('id="antwoorden"') :]
    assert "Heb je een tolk VGT nodig?" in answers and "Armoede, Zorg" in answers


def test_changing_and_archiving_questions_loses_no_answers(crowd):
    conf_id = conference().id
    update_question(
        conf_id, "bron",
        {"label": "Hoe hoorde je ervan?", "choices": [
            {"key": "collega", "label": "Collega"}, {"key": "nieuwsbrief", "label": "Mail"},
            {"key": "sociale_media", "label": "Sociale media"}]},
        actor=None,
    )  # fmt: skip
    update_question(conf_id, "functie", {"max": 10, "required": True}, actor=None)
    for key in ("bron", "themas"):
        delete_question(conf_id, key, actor=None)
    db.session.rollback()
    bert = answers_by_key(crowd["bert"].id, archived=True)
    assert bert == {**ANSWERS, "bron": "nieuwsbrief", "themas": ["jeugd"]}
