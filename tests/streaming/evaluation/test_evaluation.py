"""Evaluation tied to attendance (issue 17): who gets it, once, anonymous, results from five.

Attendance goes through the real services: door scans through the check-in service, online
viewing through heartbeats. The clock travels to after the activity (time_machine).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import time_machine
from sqlalchemy import func, inspect, select, text

from conference.extensions import db
from conference.jobs import flush_outbox
from conference.models import MailMessage
from registration.models import Registration
from streaming.evaluation import services
from streaming.evaluation.errors import AlreadyAnswered
from streaming.evaluation.jobs import evaluation_invites
from streaming.evaluation.models import EvaluationAnswer, EvaluationResponder
from tests.factories import activity_of_kind, attendee, conference, token_for
from tests.helpers import bearer, login
from tests.streaming.evaluation.support import ANSWER, after, form_of, scan_in, watch


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_programme_gives_the_day_and_each_part_an_evaluation(app):
    day = form_of()
    workshop, radio = activity_of_kind("workshop"), activity_of_kind("radio")
    assert day is not None and form_of(workshop) is not None
    assert form_of(radio) is None  # an open room: nothing to evaluate
    keys = [q["key"] for q in form_of(workshop).questions]
    assert keys == ["score", "meenemen", "opmerkingen"]


def test_only_attendees_get_it(any_db_app):
    workshop, stream = activity_of_kind("workshop"), activity_of_kind("stream")
    at_door, long_viewer, short_viewer, absent = (attendee() for _ in range(4))
    scan_in(at_door, workshop)
    watch(long_viewer, stream, 20)  # the default is 15 minutes
    watch(short_viewer, stream, 5)
    conf = conference()
    with time_machine.travel(after(stream), tick=False):
        assert form_of(workshop) in services.open_for(conf, at_door)
        assert form_of(stream) not in services.open_for(conf, at_door)
        assert form_of(stream) in services.open_for(conf, long_viewer)
        assert services.open_for(conf, short_viewer) == []
        assert services.open_for(conf, absent) == []
    conf.settings = {**conf.settings, "evaluation_stream_minutes": 5}
    db.session.commit()
    with time_machine.travel(after(stream), tick=False):
        assert form_of(stream) in services.open_for(conference(), short_viewer)


def test_the_api_lists_open_forms_and_refuses_the_absent(app, client):
    workshop = activity_of_kind("workshop")
    present, absent = attendee(language="en"), attendee()
    scan_in(present, workshop)
    ev = form_of(workshop)
    with time_machine.travel(after(workshop), tick=False):
        mine = client.get(
            "/api/v1/me/evaluations",
            headers={**bearer(token_for(present.user)), "Accept-Language": "en"},
        )
        assert mine.status_code == 200
        forms = mine.get_json()["evaluations"]
        assert [f["id"] for f in forms] == [ev.id]
        assert forms[0]["questions"][1]["label"] == "What do you take back to your practice?"
        assert forms[0]["questions"][0]["choices"][4] == {"key": "s5", "label": "5 (excellent)"}
        headers = bearer(token_for(absent.user))
        assert client.get("/api/v1/me/evaluations", headers=headers).get_json() == {
            "evaluations": []
        }
        refused = client.post(
            f"/api/v1/evaluations/{ev.id}/answers", json={"answers": ANSWER}, headers=headers
        )
        assert refused.status_code == 403 and refused.get_json()["error"] == "not_attended"
    assert count(EvaluationAnswer) == 0 and count(EvaluationResponder) == 0


def test_a_second_answer_is_refused_and_bad_answers_are_422(app, client):
    workshop = activity_of_kind("workshop")
    reg = attendee()
    scan_in(reg, workshop)
    ev, headers = form_of(workshop), bearer(token_for(reg.user))
    url = f"/api/v1/evaluations/{ev.id}/answers"
    with time_machine.travel(after(workshop), tick=False):
        bad = client.post(url, json={"answers": {"score": "s9", "extra": 1}}, headers=headers)
        assert bad.status_code == 422
        assert set(bad.get_json()["fields"]) == {"answers.score", "answers.extra"}
        assert client.post(url, json={"answers": {}}, headers=headers).status_code == 422
        assert count(EvaluationAnswer) == 0
        first = client.post(url, json={"answers": ANSWER}, headers=headers)
        assert first.status_code == 201, first.get_json()
        again = client.post(url, json={"answers": ANSWER}, headers=headers)
        assert again.status_code == 409 and again.get_json()["error"] == "already_answered"
        assert client.get("/api/v1/me/evaluations", headers=headers).get_json() == {
            "evaluations": []
        }
    assert count(EvaluationAnswer) == 1 and count(EvaluationResponder) == 1
    stored = db.session.scalar(select(EvaluationAnswer))
    assert stored.answers == {"score": "s4", "meenemen": ANSWER["meenemen"], "opmerkingen": None}


def test_a_race_of_one_person_stores_one_answer(any_db_app):
    app, workshop = any_db_app, activity_of_kind("workshop")
    reg = attendee()
    scan_in(reg, workshop)
    ev_id, reg_id, moment = form_of(workshop).id, reg.id, after(workshop)

    def send(_):
        with app.app_context(), time_machine.travel(moment, tick=False):
            person = db.session.get(Registration, reg_id)
            try:
                services.answer(conference(), ev_id, person, ANSWER)
            except AlreadyAnswered:
                return "already_answered"
            return "stored"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(send, range(12)))
    assert sorted(set(outcomes)) == ["already_answered", "stored"]
    assert outcomes.count("stored") == 1
    assert count(EvaluationAnswer) == 1 and count(EvaluationResponder) == 1


def test_the_answer_table_holds_nothing_that_links_to_a_person(any_db_app):
    workshop = activity_of_kind("workshop")
    people = [attendee(first_name=f"Uniek{i}", last_name=f"Persoon{i}") for i in range(3)]
    for reg in people:
        scan_in(reg, workshop)
    ev = form_of(workshop)
    with time_machine.travel(after(workshop), tick=False):
        for reg in people:
            services.answer(conference(), ev.id, reg, ANSWER)
    columns = {c["name"] for c in inspect(db.engine).get_columns("evaluation_answers")}
    assert columns == {"id", "evaluation_id", "answered_on", "answers"}
    responder_columns = {c["name"] for c in inspect(db.engine).get_columns("evaluation_responders")}
    assert responder_columns == {"evaluation_id", "registration_id"}  # no answer id, no time
    rows = db.session.execute(text("SELECT id, answered_on, answers FROM evaluation_answers"))
    dump = [tuple(str(v) for v in row) for row in rows]
    assert len(dump) == 3
    secrets = {str(r.id) for r in people} | {str(r.user_id) for r in people}
    words = [w for r in people for w in (r.email, r.first_name, r.last_name, r.email.split("@")[0])]
    for key, day, answers in dump:
        assert len(key) == 32 and not key.isdigit()  # random, not a counter
        assert day == str(after(workshop).date()) or len(day) == 10  # the day, no time
        assert key not in secrets and not any(w in key + answers for w in words)
        assert not any(f'"{s}"' in answers or f": {s}" in answers for s in secrets)
    # The keys do not follow the order of answering (nor the responders' order).
    keys = [k for k, _, _ in dump]
    assert sorted(keys) != keys or len(set(keys)) == 3


def test_results_hidden_below_five_and_shown_at_five(app, client, tokens):
    workshop = activity_of_kind("workshop")
    people = [attendee() for _ in range(5)]
    for reg in people:
        scan_in(reg, workshop)
    ev = form_of(workshop)
    with time_machine.travel(after(workshop), tick=False):
        for i, reg in enumerate(people[:4]):
            remark = '=HYPERLINK("http://x")' if i == 0 else f"opmerking {i}"
            services.answer(conference(), ev.id, reg, {**ANSWER, "opmerkingen": remark})
    login(client, "organiser")
    page = client.get(f"/beheer/evaluatie/{ev.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "vanaf 5 antwoorden" in html and "opmerking 1" not in html and "<svg" not in html
    assert client.get(f"/beheer/evaluatie/{ev.id}.csv").status_code == 404
    with time_machine.travel(after(workshop), tick=False):
        services.answer(conference(), ev.id, people[4], {**ANSWER, "score": "s2"})
    html = client.get(f"/beheer/evaluatie/{ev.id}").get_data(as_text=True)
    assert "opmerking 1" in html and "<svg" in html
    assert "<td>4 (goed)</td>" in html or "<td>4</td><td>4</td><td>80%</td>" in html
    csv = client.get(f"/beheer/evaluatie/{ev.id}.csv")
    assert csv.status_code == 200
    body = csv.get_data().decode("utf-8-sig")
    assert len(body.strip().splitlines()) == 6  # the header and five answers
    assert "'=HYPERLINK" in body  # neutralised: it cannot run as a formula
    xlsx = client.get(f"/beheer/evaluatie/{ev.id}.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_speakers_see_their_activity_but_not_the_day(app, client, tokens):
    workshop = activity_of_kind("workshop")
    login(client, "moderator")
    assert client.get(f"/beheer/evaluatie/{form_of(workshop).id}").status_code == 200
    assert client.get(f"/beheer/evaluatie/{form_of().id}").status_code == 403
    assert client.get("/beheer/evaluatie").status_code == 403


def test_mails_go_once_in_the_persons_language(app, smtp):
    workshop = activity_of_kind("workshop")
    dutch, english, absent = attendee(), attendee(language="en"), attendee()
    for reg in (dutch, english):
        scan_in(reg, workshop)
    with time_machine.travel(workshop.starts_at, tick=False):
        assert evaluation_invites()["evaluation_mails"] == 0  # not over yet
    moment = after(workshop)
    with time_machine.travel(moment, tick=False):
        first = evaluation_invites()
        second = evaluation_invites()
        assert first["evaluation_mails"] == 2 and second["evaluation_mails"] == 0
        flush_outbox(moment)
    assert smtp.recipients() == sorted([dutch.email, english.email])
    subjects = {m.envelope_to[0]: str(m["Subject"]) for m in smtp.messages}
    assert subjects[dutch.email].startswith("Wat vond je van")
    assert subjects[english.email].startswith("What did you think of")
    assert absent.email not in smtp.recipients()
    kinds = db.session.scalars(select(MailMessage.kind)).all()
    assert kinds.count("evaluation") == 2
