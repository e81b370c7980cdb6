"""The organisers' screens for an evaluation's questions (issue 17): add, change, remove, copy
to a kind after a confirm step; refused once answers exist (409 on the page and in the API)."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from conference.extensions import db
from sessions.programme.models import Activity
from streaming.evaluation import services
from tests.factories import activity_of_kind, attendee, conference
from tests.helpers import bearer, login
from tests.streaming.evaluation.support import ANSWER, after, form_of, scan_in

NEW = {"key": "tempo", "type": "choice", "label": "Hoe was het tempo?",
       "label_en": "How was the pace?", "choices": "traag | Te traag | Too slow\nok | Goed\n"
       "snel | Te snel | Too fast", "required": "y"}  # fmt: skip


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def fresh(act=None):
    db.session.rollback()  # read what the requests committed
    return form_of(act)


def test_an_organiser_adds_changes_and_removes_a_question(client, tokens):
    workshop = activity_of_kind("workshop")
    ev = form_of(workshop)
    base = f"/beheer/evaluatie/{ev.id}/vragen"
    login(client, "organiser")
    page = client.get(base)
    assert page.status_code == 200 and "Wat neem je mee naar je praktijk?" in page.text
    assert client.get(base + "/nieuw").status_code == 200
    bad = client.post(base + "/nieuw", data={**NEW, "key": "Fout!", "choices": "a | A\na | B"})
    assert bad.status_code == 422
    assert (
        'id="key-error"' in bad.text and "Keuze 2" in bad.text and "Hoe was het tempo?" in bad.text
    )
    done = client.post(base + "/nieuw", data=NEW)
    assert done.status_code == 303 and done.headers["Location"].endswith(base)
    added = fresh(workshop).questions[-1]
    assert added["key"] == "tempo" and added["required"] is True
    assert [c["key"] for c in added["choices"]] == ["traag", "ok", "snel"]
    assert added["choices"][0]["label_en"] == "Too slow"
    edit = client.get(base + "/tempo")
    assert "traag | Te traag | Too slow" in edit.text
    changed = client.post(base + "/tempo", data={**NEW, "label": "Het tempo?", "key": "x"})
    assert changed.status_code == 303
    assert fresh(workshop).questions[-1]["label"] == "Het tempo?"
    assert fresh(workshop).questions[-1]["key"] == "tempo"  # the key stays
    assert "Niet verwijderen" in client.get(base + "/tempo/verwijderen").text  # a confirm step
    assert [q["key"] for q in fresh(workshop).questions][-1] == "tempo"
    assert client.post(base + "/tempo/verwijderen").status_code == 303
    assert [q["key"] for q in fresh(workshop).questions] == ["score", "meenemen", "opmerkingen"]
    assert client.get(base + "/bestaat_niet").status_code == 404


def test_copy_to_every_activity_of_a_kind_after_confirming_skips_answered_ones(client, tokens):
    first, second, third = (activity_of_kind("workshop", i) for i in range(3))
    plenary = activity_of_kind("plenary")
    reg = attendee()
    scan_in(reg, third)
    with time_machine.travel(after(third), tick=False):
        services.answer(conference(), form_of(third).id, reg, ANSWER)
    login(client, "organiser")
    ev = form_of(first)
    base = f"/beheer/evaluatie/{ev.id}"
    assert client.post(base + "/vragen/nieuw", data=NEW).status_code == 303
    confirm = client.get(base + "/voor-alle")
    assert confirm.status_code == 200
    workshops = db.session.scalar(
        select(db.func.count()).select_from(Activity).where(Activity.kind == "workshop")
    )
    assert (
        f"{workshops - 1} evaluaties" in confirm.text
        and "1 ervan hebben al antwoorden" in confirm.text
    )
    assert "tempo" not in [q["key"] for q in fresh(second).questions]  # nothing before the POST
    done = client.post(base + "/voor-alle", follow_redirects=True)
    assert f"{workshops - 2} evaluaties kregen deze vragen. 1 hadden" in done.text
    assert fresh(second).questions == fresh(first).questions
    assert "tempo" not in [q["key"] for q in fresh(third).questions]  # it has answers
    assert "tempo" not in [q["key"] for q in fresh(plenary).questions]  # another kind


def test_with_answers_the_page_says_so_and_the_api_answers_409(client, tokens):
    workshop = activity_of_kind("workshop")
    reg = attendee()
    scan_in(reg, workshop)
    ev = form_of(workshop)
    with time_machine.travel(after(workshop), tick=False):
        services.answer(conference(), ev.id, reg, ANSWER)
    login(client, "organiser")
    base = f"/beheer/evaluatie/{ev.id}/vragen"
    page = client.get(base)
    assert "Er zijn al antwoorden" in page.text and base + "/nieuw" not in page.text
    for url in (base + "/nieuw", base + "/score", base + "/score/verwijderen"):
        refused = client.post(url, data=NEW)
        assert refused.status_code == 409 and "Er zijn al antwoorden" in refused.text
    assert len(fresh(workshop).questions) == 3
    api = client.patch(
        f"/api/v1/evaluations/{ev.id}",
        json={"questions": [{"key": "a", "type": "text", "label": "A"}]},
        headers=bearer(tokens["organiser"]),
    )
    assert api.status_code == 409 and api.get_json()["error"] == "has_answers"


def test_only_organisers_edit_questions(client, tokens):
    ev = form_of(activity_of_kind("workshop"))
    login(client, "moderator")
    assert client.get(f"/beheer/evaluatie/{ev.id}/vragen").status_code == 403
    assert client.post(f"/beheer/evaluatie/{ev.id}/voor-alle").status_code == 403
    login(client, attendee())
    assert client.get(f"/beheer/evaluatie/{ev.id}/vragen/nieuw").status_code == 403
