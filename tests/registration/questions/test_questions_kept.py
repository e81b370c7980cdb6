"""The organisers' questions kept per process: no query per registration, a change seen at once.

Two apps on one database and one Redis (the fixture `two_processes`) stand for two web
processes: an organiser's change through one applies to the other's next registration.
"""

from __future__ import annotations

import sqlalchemy as sa

from conference.extensions import db
from registration.questions.editing import delete_question, update_question
from tests.factories import clear_questions, conference, person, questions


def _post(app, i: int, answers: dict) -> tuple[int, int]:
    """A registration through `app`: its status and how many times it read the questions."""
    reads = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "FROM registration_questions" in statement:
            reads.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            body = person(i, answers=answers)
            status = app.test_client().post("/api/v1/registrations", json=body).status_code
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
            db.session.remove()
    return status, len(reads)


def test_the_questions_are_read_once_and_a_change_applies_at_once(two_processes):
    first, second = two_processes
    with first.app_context():
        clear_questions()
        questions("functie")  # a text of at most 40 characters, not required
        db.session.remove()
    assert _post(first, 1, {"functie": "Coach"}) == (201, 1)
    assert _post(first, 2, {}) == (201, 0)

    with second.app_context():
        change = {"max": 4, "required": True}
        update_question(conference().id, "functie", change, actor=None)
        db.session.remove()
    assert _post(first, 3, {"functie": "Coach"}) == (422, 1)  # too long now
    assert _post(first, 4, {}) == (422, 0)  # required now
    assert _post(first, 5, {"functie": "Zorg"}) == (201, 0)

    with second.app_context():
        delete_question(conference().id, "functie", actor=None)  # archived: it has answers
        db.session.remove()
    assert _post(first, 6, {}) == (201, 1)


def test_without_shared_stamps_each_registration_reads_them(client):
    questions("functie")
    for i in range(2):
        assert _post(client.application, i, {"functie": "Coach"}) == (201, 1)
