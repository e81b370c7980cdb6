"""The programme data file: the default programme, precise errors, all-or-nothing loads."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from conference.clock import utcnow
from conference.extensions import db
from conference.models import Conference
from sessions.programme.loader import (
    ProgrammeError,
    demo_shift_days,
    load_programme_file,
    parse_programme,
)
from sessions.programme.models import Activity, Block, Theme
from tests.support.apps import PROGRAMME


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_default_programme_has_the_2022_shape(app):
    kinds = Counter(db.session.scalars(select(Activity.kind)))
    assert kinds["plenary"] == 2
    assert kinds["workshop"] == 18
    assert kinds["stream"] == 6
    assert kinds["online_workshop"] == 3
    assert kinds["visit"] == 18
    assert kinds["radio"] == 1
    assert kinds["film"] == 1
    assert kinds["networking"] >= 1
    assert count(Theme) == 6
    assert count(Block) == 2
    # three workshops per theme, nine per block, with the capacities of the brief
    per_theme = Counter(db.session.scalars(select(Activity.theme_id).filter_by(kind="workshop")))
    assert set(per_theme.values()) == {3}
    for block in db.session.scalars(select(Block)):
        caps = sorted((a.capacity for a in block.activities if a.kind == "workshop"), reverse=True)
        assert caps == [250, 200, 150, 120, 100, 100, 80, 60, 60]
    spanning = [
        a
        for a in db.session.scalars(select(Activity).filter_by(kind="visit"))
        if len(a.blocks) == 2
    ]
    assert 1 <= len(spanning) <= 2
    assert all(a.is_example for a in db.session.scalars(select(Activity).filter_by(kind="visit")))


def test_demo_moves_dates_but_keeps_the_weekday_and_the_local_times(app):
    conf = db.session.scalar(select(Conference))
    assert conf.is_demo and conf.demo_shift_days % 7 == 0
    local_start = conf.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Brussels"))
    assert local_start.weekday() == date(2022, 5, 5).weekday()
    assert (local_start.hour, local_start.minute) == (8, 30)
    assert conf.registration_open(utcnow())
    assert conf.starts_at > utcnow() + timedelta(days=28)


def test_the_file_keeps_the_real_date():
    programme = parse_programme(PROGRAMME.read_text(encoding="utf-8"))
    assert programme.conference.date == date(2022, 5, 5)
    assert programme.conference.venue == "Elisabethcenter"


def test_demo_shift_is_whole_weeks_and_zero_for_a_future_event():
    assert demo_shift_days(date(2022, 5, 5), date(2026, 11, 22)) % 7 == 0
    assert demo_shift_days(date(2030, 5, 5), date(2026, 11, 22)) == 0


def test_loading_again_is_idempotent(app):
    before = {a.slug: (a.id, a.starts_at, a.sequence) for a in db.session.scalars(select(Activity))}
    load_programme_file(PROGRAMME, demo=True)
    after = {a.slug: (a.id, a.starts_at, a.sequence) for a in db.session.scalars(select(Activity))}
    assert before == after
    assert count(Conference) == 1


def _broken(tmp_path, old: str, new: str):
    text = PROGRAMME.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "field", "reason"),
    [
        ("capacity: 250", "capacity: -5", "capacity", "greater than or equal to 1"),
        ('starts: "10:45"', "starts: 10:45", "blocks[0].starts", 'as "HH:MM"'),
        ("kind: workshop", "kind: lecture", "kind", "Input should be"),
        ("theme: diversiteit", "theme: diversity", "theme", "no theme with slug 'diversity'"),
        ("room: zaal-1", "rom: zaal-1", "rom", "Extra inputs are not permitted"),
    ],
)
def test_a_broken_file_names_line_field_and_reason_and_changes_nothing(
    app, tmp_path, old, new, field, reason
):
    before = {a.slug: (a.title, a.capacity) for a in db.session.scalars(select(Activity))}
    path, text = _broken(tmp_path, old, new)
    with pytest.raises(ProgrammeError) as caught:
        load_programme_file(path)
    problem = caught.value.problems[0]
    assert field in problem.field
    assert reason in problem.reason
    # the reported line is the line where the edit was made
    expected_line = next(
        i
        for i, line in enumerate(text.splitlines(), 1)
        if new.split(":")[0] in line and new in line
    )
    assert problem.line == expected_line
    db.session.rollback()
    assert {a.slug: (a.title, a.capacity) for a in db.session.scalars(select(Activity))} == before


def test_a_failure_late_in_the_load_rolls_back_everything(app, tmp_path):
    """A capacity below the seats taken is found during the load: nothing is kept."""
    act = db.session.scalar(select(Activity).filter_by(slug="ws-diversiteit-1"))
    act.taken = 70
    db.session.commit()
    text = PROGRAMME.read_text(encoding="utf-8")
    text = text.replace("Een inclusief organisatiebeleid", "Nieuwe titel").replace(
        'title: "Samenleven in diversiteit"', 'title: "Samenleven"'
    )
    start = text.index("slug: ws-diversiteit-1")
    cap_at = text.index("capacity:", start)
    end = text.index("\n", cap_at)
    text = text[:cap_at] + "capacity: 60" + text[end:]
    path = tmp_path / "lower.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProgrammeError, match="lower than the 70 seats"):
        load_programme_file(path, demo=True)
    db.session.rollback()
    titles = set(db.session.scalars(select(Activity.title)))
    assert "Samenleven in diversiteit" in titles and "Samenleven" not in titles


def test_yaml_syntax_errors_and_empty_files(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("conference:\n  slug: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProgrammeError) as caught:
        load_programme_file(bad)
    assert (
        caught.value.problems[0].line == 3 and "not valid YAML" in caught.value.problems[0].reason
    )
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ProgrammeError, match="empty"):
        load_programme_file(empty)


def test_duplicate_slugs_and_keys_are_reported(tmp_path):
    text = PROGRAMME.read_text(encoding="utf-8").replace(
        "slug: bezoek-jeugdcentrum", "slug: bezoek-sociaal-huis"
    )
    with pytest.raises(ProgrammeError, match="slug used twice"):
        parse_programme(text)
    text = PROGRAMME.read_text(encoding="utf-8").replace(
        "  slug: swc2022\n", "  slug: swc2022\n  slug: x\n"
    )
    with pytest.raises(ProgrammeError, match="given twice"):
        parse_programme(text)


def test_cli_load_programme_reports_errors(app, tmp_path):
    path, _ = _broken(tmp_path, "capacity: 250", "capacity: zero")
    result = app.test_cli_runner().invoke(args=["load-programme", str(path)])
    assert result.exit_code == 1
    assert "nothing was changed" in result.output
    assert "capacity" in result.output
