"""The data file's `registration_questions:` section: loaded, exported and round-tripped; a
question with answers that leaves the file is archived, never deleted."""

from __future__ import annotations

import pytest
import yaml

from conference.extensions import db
from conference.services import current_conference
from registration.questions.services import answers_by_key, questions_of
from sessions.programme.errors import ProgrammeError
from sessions.programme.export import export_programme
from sessions.programme.loader import load_programme, parse_programme
from tests.factories import register
from tests.support.apps import PROGRAMME


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def _keys(archived: bool = False) -> list[str]:
    db.session.rollback()
    return [q.key for q in questions_of(db.session, current_conference().id, archived=archived)]


def _with_questions(items: list[dict] | None) -> str:
    data = yaml.safe_load(PROGRAMME.read_text("utf-8"))
    if items is None:
        data.pop("registration_questions")
    else:
        data["registration_questions"] = items
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_the_2022_file_asks_its_questions_and_the_export_round_trips_them(client):
    assert _keys() == ["tolk_vgt", "gehoord", "eerste_keer"]
    form = client.get("/api/v1/registration-form", headers={"Accept-Language": "en"}).get_json()
    assert form["questions"][0]["label"] == "Do you need a Flemish Sign Language (VGT) interpreter?"
    assert form["questions"][0]["modes"] == ["onsite"]
    assert len(form["questions"][1]["choices"]) == 6

    text = export_programme(current_conference())
    exported = parse_programme(text)
    original = parse_programme(PROGRAMME.read_text("utf-8"))
    assert exported.registration_questions == original.registration_questions
    assert "registration_questions:" in text and "sensitive: true" in text
    load_programme(exported)
    assert export_programme(current_conference()).split("\n", 2)[2] == text.split("\n", 2)[2]


def test_a_question_left_out_is_archived_when_answered_and_deleted_otherwise(app):
    reg = register(1, answers={"gehoord": "collega"})
    keep = parse_programme(PROGRAMME.read_text("utf-8")).registration_questions
    items = [q.model_dump(exclude_defaults=True) for q in keep if q.key == "tolk_vgt"]
    items.append({"key": "werkveld_jaren", "type": "number", "label": "Jaren ervaring",
                  "min": 0, "max": 60, "editable_until": "2022-05-01 12:00"})  # fmt: skip
    load_programme(parse_programme(_with_questions(items)))
    assert _keys() == ["tolk_vgt", "werkveld_jaren"]
    assert _keys(archived=True) == ["tolk_vgt", "gehoord", "werkveld_jaren"]
    assert answers_by_key(reg.id, archived=True) == {"gehoord": "collega"}
    text = export_programme(current_conference())
    assert "archived: true" in text and "editable_until: 2022-05-01 12:00" in text

    # No section at all: the questions stay as they are.
    load_programme(parse_programme(_with_questions(None)))
    assert _keys() == ["tolk_vgt", "werkveld_jaren"]


def test_a_bad_question_in_the_file_names_its_place_and_changes_nothing(app):
    bad = [{"key": "a", "type": "choice", "label": "A", "choices": []},
           {"key": "Fout", "type": "text", "label": "B"}]  # fmt: skip
    with pytest.raises(ProgrammeError) as error:
        load_programme(parse_programme(_with_questions(bad)))
    fields = {p.field for p in error.value.problems}
    assert {"registration_questions.0.choices", "registration_questions.1.key"} <= fields
    assert _keys() == ["tolk_vgt", "gehoord", "eerste_keer"]
    with pytest.raises(ProgrammeError):
        parse_programme(_with_questions([{"key": "a", "type": "slider", "label": "A"}]))
