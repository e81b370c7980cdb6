"""The data file's `evaluation:` section (issue 17): loaded, exported and round-tripped; an
evaluation with answers keeps its questions; a bad section changes nothing."""

from __future__ import annotations

import pytest
import time_machine
import yaml

from conference.extensions import db
from conference.services import current_conference
from sessions.programme.errors import ProgrammeError
from sessions.programme.export import export_programme
from sessions.programme.loader import load_programme, parse_programme
from streaming.evaluation import editing, services
from tests.factories import activity_of_kind, attendee, conference
from tests.streaming.evaluation.support import ANSWER, after, form_of, scan_in
from tests.support.apps import PROGRAMME


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def keys(act=None) -> list[str]:
    db.session.rollback()
    return [q["key"] for q in form_of(act).questions]


def with_section(section: dict | None) -> str:
    data = yaml.safe_load(PROGRAMME.read_text("utf-8"))
    if section is None:
        data.pop("evaluation")
    else:
        data["evaluation"] = section
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_the_2022_file_sets_the_questions_and_the_export_round_trips_them(app):
    assert keys() == ["score", "meenemen", "volgend_jaar", "opmerkingen"]
    assert keys(activity_of_kind("workshop")) == ["score", "meenemen", "opmerkingen"]
    text = export_programme(current_conference())
    original = parse_programme(PROGRAMME.read_text("utf-8")).evaluation
    assert parse_programme(text).evaluation == original
    assert "per_activity" not in text


def test_one_activity_of_its_own_round_trips_and_the_file_wins_on_reload(app):
    workshop, other = activity_of_kind("workshop"), activity_of_kind("workshop", 1)
    editing.add_question(
        conference(), form_of(workshop).id, {"key": "tempo", "type": "yes_no", "label": "Tempo?"},
        actor=None,
    )  # fmt: skip
    text = export_programme(current_conference())
    exported = parse_programme(text)
    assert list(exported.evaluation.per_activity) == [workshop.slug]
    assert exported.evaluation.per_activity[workshop.slug][-1].label == "Tempo?"
    editing.remove_question(conference(), form_of(workshop).id, "tempo", actor=None)
    load_programme(exported)
    assert keys(workshop)[-1] == "tempo" and "tempo" not in keys(other)
    assert export_programme(current_conference()).split("\n", 2)[2] == text.split("\n", 2)[2]
    # No section: the questions stay. The original section: the file's set everywhere again.
    load_programme(parse_programme(with_section(None)))
    assert keys(workshop)[-1] == "tempo"
    load_programme(parse_programme(PROGRAMME.read_text("utf-8")))
    assert keys(workshop) == ["score", "meenemen", "opmerkingen"]


def test_an_evaluation_with_answers_keeps_its_questions_on_reload(app):
    workshop = activity_of_kind("workshop")
    reg = attendee()
    scan_in(reg, workshop)
    with time_machine.travel(after(workshop), tick=False):
        services.answer(conference(), form_of(workshop).id, reg, ANSWER)
    section = yaml.safe_load(PROGRAMME.read_text("utf-8"))["evaluation"]
    section["activity"] = [{"key": "nieuw", "type": "text", "label": "Nieuw?"}]
    load_programme(parse_programme(with_section(section)))
    assert keys(workshop) == ["score", "meenemen", "opmerkingen"]
    assert keys(activity_of_kind("workshop", 1)) == ["nieuw"]
    exported = parse_programme(export_programme(current_conference())).evaluation
    assert [q.key for q in exported.activity] == ["nieuw"]
    assert [q.key for q in exported.per_activity[workshop.slug]] == [
        "score", "meenemen", "opmerkingen"
    ]  # fmt: skip


def test_a_bad_section_names_its_place_and_changes_nothing(app):
    section = yaml.safe_load(PROGRAMME.read_text("utf-8"))["evaluation"]
    section["day"][0]["key"] = "Fout!"
    section["per_activity"] = {"bestaat-niet": section["activity"]}
    with pytest.raises(ProgrammeError) as error:
        load_programme(parse_programme(with_section(section)))
    fields = {p.field for p in error.value.problems}
    assert fields == {"evaluation.day.0.key", "evaluation.per_activity.bestaat-niet"}
    assert keys() == ["score", "meenemen", "volgend_jaar", "opmerkingen"]
    section["day"] = []
    with pytest.raises(ProgrammeError):
        parse_programme(with_section(section))  # the schema: at least one question


def test_an_activity_added_later_asks_what_its_kind_asks(app):
    section = yaml.safe_load(PROGRAMME.read_text("utf-8"))["evaluation"]
    section["activity"] = [{"key": "nieuw", "type": "text", "label": "Nieuw?"}]
    load_programme(parse_programme(with_section(section)))
    data = yaml.safe_load(with_section(None))
    workshop = next(a for a in data["activities"] if a["kind"] == "workshop")
    data["activities"].append({**workshop, "slug": "ws-later", "title": "Later"})
    load_programme(parse_programme(yaml.safe_dump(data, allow_unicode=True)))
    db.session.rollback()
    later = next(ev for ev in services.evaluations_of(conference()) if ev.activity and
                 ev.activity.slug == "ws-later")  # fmt: skip
    assert [q["key"] for q in later.questions] == ["nieuw"]
