"""The evaluation on the personal page and in the person's data (issue 17): open forms listed
inline, the data export names what was answered (never the answers), erasure drops the marks."""

from __future__ import annotations

import json

import pytest
import time_machine
from sqlalchemy import func, select

from conference.extensions import db
from registration.account.personal_data import erase_registration, export_data
from streaming.evaluation import services
from streaming.evaluation.models import EvaluationAnswer, EvaluationResponder
from tests.factories import activity_of_kind, attendee, conference, register
from tests.helpers import login
from tests.streaming.evaluation.support import ANSWER, after, form_of, scan_in


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def test_the_personal_page_lists_the_open_evaluations_inline(client):
    workshop, other = activity_of_kind("workshop"), activity_of_kind("workshop", 1)
    present, absent = attendee(), attendee()
    scan_in(present, workshop)
    ev = form_of(workshop)
    with time_machine.travel(after(workshop), tick=False):
        login(client, present)
        page = client.get("/mijn-inschrijving")
        assert page.status_code == 200
        assert f'href="/evaluatie/{ev.id}"' in page.text and "Invullen" in page.text
        assert workshop.title in page.text and other.title not in page.text
        english = client.get("/mijn-inschrijving?lang=en").text
        assert "Fill in" in english and "Your answers are anonymous" in english
        services.answer(conference(), ev.id, present, ANSWER)
        assert f'href="/evaluatie/{ev.id}"' not in client.get("/mijn-inschrijving").text
        login(client, absent)
        assert 'id="evaluaties-titel"' not in client.get("/mijn-inschrijving").text


def test_the_data_export_names_answered_forms_and_erasure_drops_the_marks(app):
    workshop = activity_of_kind("workshop")
    reg, other = register(1), attendee()  # through the service: its erasure frees a place
    for person in (reg, other):
        scan_in(person, workshop)
    ev = form_of(workshop)
    remark = "Een heel eigen opmerking"
    with time_machine.travel(after(workshop), tick=False):
        services.answer(conference(), ev.id, reg, {**ANSWER, "opmerkingen": remark})
        services.answer(conference(), ev.id, other, ANSWER)
    data = export_data(reg)
    assert data["evaluations_answered"] == [{"evaluation_id": ev.id, "title": workshop.title}]
    dumped = json.dumps(data, ensure_ascii=False)
    assert remark not in dumped and ANSWER["meenemen"] not in dumped  # never the answers
    assert export_data(attendee())["evaluations_answered"] == []
    erase_registration(reg.id)
    db.session.rollback()
    marks = db.session.scalars(select(EvaluationResponder.registration_id)).all()
    assert marks == [other.id]
    answers = db.session.scalar(select(func.count()).select_from(EvaluationAnswer))
    assert answers == 2  # the anonymous answers stay in the results
