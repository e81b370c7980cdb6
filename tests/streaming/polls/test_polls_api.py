"""Polls through the API on SQLite and PostgreSQL: prepare, open, vote (once, changeable),
counts derived in SQL, validation of choices and scores, closed polls, roles, a vote rush."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from conference.cli import create_staff
from conference.extensions import db
from registration.models import Registration
from streaming.access import Viewer
from streaming.polls import results, services
from streaming.polls.errors import PollClosed
from streaming.polls.models import POLL_KINDS, Poll, PollVote
from tests.factories import activity_of_kind, attendee, conference, token_for
from tests.helpers import bearer


@pytest.fixture
def staff(any_db_app):
    """A moderator and a check-in volunteer token, on either database."""
    return {
        role: create_staff(f"{role}@example.org", role, role.title(), "wachtwoord-" + role)[1]
        for role in ("moderator", "checkin")
    }


def _voter():
    return bearer(token_for(attendee("online")))


def _create(client, act, staff, **body):
    body = {"question": "Hoe vaak werk je samen met de eerste lijn?", "kind": "single", **body}
    if body["kind"] != "scale":
        body.setdefault("options", ["Elke week", "Soms", "Nooit"])
    response = client.post(
        f"/api/v1/activities/{act.id}/polls", json=body, headers=bearer(staff["moderator"])
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _open(client, poll_id, staff, action="open"):
    response = client.post(f"/api/v1/polls/{poll_id}/{action}", headers=bearer(staff["moderator"]))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _vote(client, poll_id, headers, **body):
    return client.post(f"/api/v1/polls/{poll_id}/vote", json=body, headers=headers)


def test_prepare_open_vote_change_and_count(any_db_app, staff):
    client = any_db_app.test_client()
    act = activity_of_kind("plenary")
    poll = _create(client, act, staff, kind="multiple", options_en=["Every week", "", "Never"])
    assert (poll["status"], poll["votes"], poll["version"]) == ("draft", 0, 0)
    first, second = _voter(), _voter()
    assert client.get(f"/api/v1/polls/{poll['id']}", headers=first).status_code == 404  # draft
    assert _vote(client, poll["id"], first, options=[0]).status_code == 404
    assert _open(client, poll["id"], staff)["status"] == "open"
    assert _vote(client, poll["id"], first, options=[0, 2]).status_code == 200
    answer = _vote(client, poll["id"], second, options=[2]).get_json()
    assert [r["votes"] for r in answer["results"]] == [1, 0, 2]
    assert (answer["votes"], answer["my_vote"]) == (2, {"options": [2]})
    changed = _vote(client, poll["id"], first, options=[1]).get_json()  # a change, not a 2nd vote
    assert [r["votes"] for r in changed["results"]] == [0, 1, 1] and changed["votes"] == 2
    assert [r["percent"] for r in changed["results"]] == [0, 50, 50]
    english = client.get(
        f"/api/v1/polls/{poll['id']}", headers={**first, "Accept-Language": "en"}
    ).get_json()
    assert [r["label"] for r in english["results"]] == ["Every week", "Soms", "Never"]
    assert english["my_vote"] == {"options": [1]}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PollVote)) == 2


def test_a_scale_counts_scores_and_averages(any_db_app, staff):
    client = any_db_app.test_client()
    poll = _create(client, activity_of_kind("stream"), staff, kind="scale")
    _open(client, poll["id"], staff)
    for score in (5, 4, 4):
        assert _vote(client, poll["id"], _voter(), score=score).status_code == 200
    answer = client.get(f"/api/v1/polls/{poll['id']}", headers=_voter()).get_json()
    assert [r["votes"] for r in answer["results"]] == [0, 0, 0, 2, 1]
    assert [r["label"] for r in answer["results"]] == ["1", "2", "3", "4", "5"]
    assert (answer["votes"], answer["average"]) == (3, 4.3)


BAD_VOTES = [
    ("single", {"options": [0, 1]}, "options"),
    ("single", {"options": [3]}, "options"),
    ("single", {"options": [-1]}, "options"),
    ("single", {"options": []}, "options"),
    ("single", {"options": ["0"]}, "options"),
    ("single", {"options": [True]}, "options"),
    ("single", {"options": 0}, "options"),
    ("multiple", {"options": [1, 1]}, "options"),
    ("multiple", {"score": 3}, "options"),
    ("multiple", {}, "options"),
    ("scale", {"score": 0}, "score"),
    ("scale", {"score": 6}, "score"),
    ("scale", {"score": 2.5}, "score"),
    ("scale", {"score": "4"}, "score"),
    ("scale", {"options": [1]}, "score"),
]


def test_bad_choices_and_scores_are_refused_with_422(any_db_app, staff):
    client = any_db_app.test_client()
    act = activity_of_kind("plenary")
    polls = {kind: _create(client, act, staff, kind=kind)["id"] for kind in POLL_KINDS}
    for poll_id in polls.values():
        _open(client, poll_id, staff)
    voter = _voter()
    for kind, body, field in BAD_VOTES:
        response = _vote(client, polls[kind], voter, **body)
        assert response.status_code == 422, (kind, body)
        answer = response.get_json()
        assert answer["error"] == "invalid_vote" and field in answer["fields"], (kind, body)
    unknown = _vote(client, polls["single"], voter, options=[0], colour="red")
    assert unknown.status_code == 422 and unknown.get_json()["error"] == "invalid"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PollVote)) == 0


def test_a_closed_poll_refuses_votes_and_keeps_its_results(any_db_app, staff):
    client = any_db_app.test_client()
    poll = _create(client, activity_of_kind("workshop"), staff)
    voter = _voter()
    _open(client, poll["id"], staff)
    _vote(client, poll["id"], voter, options=[1])
    closed = _open(client, poll["id"], staff, "close")
    assert (closed["status"], closed["votes"]) == ("closed", 1)
    refused = _vote(client, poll["id"], voter, options=[0])
    assert refused.status_code == 409 and refused.get_json()["error"] == "poll_closed"
    assert "gesloten" in refused.get_json()["message"]
    english = _vote(client, poll["id"], {**voter, "Accept-Language": "en"}, options=[0])
    assert "closed" in english.get_json()["message"]
    assert _open(client, poll["id"], staff, "close")["status"] == "closed"  # twice: no change
    again = client.get(f"/api/v1/polls/{poll['id']}", headers=voter).get_json()
    assert again["my_vote"] == {"options": [1]} and again["results"][1]["votes"] == 1
    # Reopened, it takes votes again.
    _open(client, poll["id"], staff)
    assert _vote(client, poll["id"], voter, options=[0]).status_code == 200


def test_a_draft_cannot_be_closed(any_db_app, staff):
    client = any_db_app.test_client()
    poll = _create(client, activity_of_kind("plenary"), staff)
    response = client.post(f"/api/v1/polls/{poll['id']}/close", headers=bearer(staff["moderator"]))
    assert response.status_code == 409 and response.get_json()["error"] == "poll_not_open"


BAD_POLLS = [
    ({"question": "", "kind": "single", "options": ["a", "b"]}, {"question"}),
    ({"question": "Vraag?", "kind": "poll", "options": ["a", "b"]}, {"kind"}),
    ({"question": "Vraag?", "kind": "single", "options": ["a"]}, {"options"}),
    ({"question": "Vraag?", "kind": "single", "options": ["a", "A"]}, {"options"}),
    ({"question": "Vraag?", "kind": "single", "options": ["a", " "]}, {"options"}),
    ({"question": "Vraag?", "kind": "single", "options": [str(n) for n in range(11)]},
     {"options"}),
    ({"question": "Vraag?", "kind": "single", "options": ["a", "b"], "options_en": ["a"]},
     {"options_en"}),
    ({"question": "Vraag?", "kind": "scale", "options": ["a", "b"]}, {"options"}),
    ({"question": "x" * 301, "kind": "scale"}, {"question"}),
    ({"question": "Vraag?", "kind": "scale", "colour": "red"}, {"colour"}),
]  # fmt: skip


def test_a_bad_poll_is_refused_field_by_field(any_db_app, staff):
    client = any_db_app.test_client()
    url = f"/api/v1/activities/{activity_of_kind('plenary').id}/polls"
    for body, fields in BAD_POLLS:
        response = client.post(url, json=body, headers=bearer(staff["moderator"]))
        assert response.status_code == 422, body
        assert set(response.get_json()["fields"]) == fields, body
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 0


def test_roles(any_db_app, staff):
    client = any_db_app.test_client()
    act = activity_of_kind("plenary")
    url = f"/api/v1/activities/{act.id}/polls"
    body = {"question": "Vraag?", "kind": "scale"}
    assert client.post(url, json=body).status_code == 401
    assert client.post(url, json=body, headers=_voter()).status_code == 403
    assert client.post(url, json=body, headers=bearer(staff["checkin"])).status_code == 403
    poll = _create(client, act, staff, kind="scale")
    for action in ("open", "close"):
        path = f"/api/v1/polls/{poll['id']}/{action}"
        assert client.post(path, headers=_voter()).status_code == 403
        assert client.post(path, headers=bearer(staff["checkin"])).status_code == 403
    _open(client, poll["id"], staff)
    vote = f"/api/v1/polls/{poll['id']}/vote"
    assert client.post(vote, json={"score": 3}).status_code == 401
    assert client.post(vote, json={"score": 3}, headers=bearer(staff["checkin"])).status_code == 403
    # Polls exist where the Q&A does: not on the radio or a visit.
    radio = activity_of_kind("radio")
    refused = client.post(
        f"/api/v1/activities/{radio.id}/polls", json=body, headers=bearer(staff["moderator"])
    )
    assert refused.status_code == 404


def test_the_activity_list_hides_drafts_from_attendees_and_answers_304(any_db_app, staff):
    client = any_db_app.test_client()
    act = activity_of_kind("stream")
    draft = _create(client, act, staff, question="Nog niet open")
    shown = _create(client, act, staff, question="Nu open", kind="scale")
    _open(client, shown["id"], staff)
    voter = _voter()
    url = f"/api/v1/activities/{act.id}/polls"
    first = client.get(url, headers=voter)
    assert [p["id"] for p in first.get_json()["polls"]] == [shown["id"]]
    moderator = client.get(
        url, headers=bearer(staff["moderator"]), query_string={"view": "moderator"}
    )
    assert [p["id"] for p in moderator.get_json()["polls"]] == [shown["id"], draft["id"]]
    etag = first.headers["ETag"]
    assert client.get(url, headers={**voter, "If-None-Match": etag}).status_code == 304
    _vote(client, shown["id"], _voter(), score=2)  # someone else's vote changes the counts
    again = client.get(url, headers={**voter, "If-None-Match": etag})
    assert again.status_code == 200 and again.get_json()["polls"][0]["votes"] == 1
    single = client.get(f"/api/v1/polls/{shown['id']}", headers=voter)
    assert (
        client.get(
            f"/api/v1/polls/{shown['id']}",
            headers={**voter, "If-None-Match": single.headers["ETag"]},
        ).status_code
        == 304
    )


def test_fifty_simultaneous_votes_of_one_person_leave_one_row(any_db_app):
    """50 threads vote for one person at once (different options): one row, counts consistent."""
    app = any_db_app
    act = activity_of_kind("plenary")
    moderator = create_staff("moderator@example.org", "moderator", "Mo", "wachtwoord-m")[0]
    conf = conference()
    poll = services.create(
        conf,
        act.id,
        moderator,
        {"question": "Welke?", "kind": "single", "options": ["a", "b", "c"]},
    )
    services.move(conf, poll.id, moderator, "open")
    reg_id, poll_id = attendee("online").id, poll.id
    version_before = db.session.get(Poll, poll_id).version

    def vote(n: int):
        with app.app_context():
            reg = db.session.get(Registration, reg_id)
            viewer = Viewer(user=reg.user, registration=reg)
            services.vote(conference(), poll_id, viewer, {"options": [n % 3]})
            return n

    with ThreadPoolExecutor(max_workers=25) as pool:
        done = list(pool.map(vote, range(50)))
    assert len(done) == 50  # none failed
    db.session.rollback()
    rows = db.session.scalars(select(PollVote).filter_by(poll_id=poll_id)).all()
    assert len(rows) == 1
    fresh = db.session.get(Poll, poll_id)
    counted = results.results(fresh, "nl")
    assert counted.votes == 1 and sum(r.votes for r in counted.options) == 1
    assert counted.options[rows[0].choices.bit_length() - 1].votes == 1
    assert fresh.version == version_before + 50  # one bump per vote, in its own transaction


def test_votes_racing_a_close_never_land_after_it(any_db_app):
    """Votes of 20 people while the poll closes: each either counted or refused as closed."""
    app = any_db_app
    act = activity_of_kind("stream")
    moderator = create_staff("moderator@example.org", "moderator", "Mo", "wachtwoord-m")[0]
    conf = conference()
    poll = services.create(conf, act.id, moderator, {"question": "Score?", "kind": "scale"})
    services.move(conf, poll.id, moderator, "open")
    poll_id, mod_id = poll.id, moderator.id
    reg_ids = [attendee("online").id for _ in range(20)]

    def vote(reg_id: int) -> bool:
        with app.app_context():
            reg = db.session.get(Registration, reg_id)
            try:
                services.vote(conference(), poll_id, Viewer(reg.user, reg), {"score": 3})
            except PollClosed:
                return False
            return True

    def close() -> None:
        with app.app_context():
            user = db.session.get(type(moderator), mod_id)
            services.move(conference(), poll_id, user, "close")

    with ThreadPoolExecutor(max_workers=21) as pool:
        futures = [pool.submit(vote, r) for r in reg_ids[:10]]
        futures.append(pool.submit(close))
        futures += [pool.submit(vote, r) for r in reg_ids[10:]]
        outcomes = [f.result() for f in futures]
    db.session.rollback()
    counted = sum(1 for o in outcomes if o is True)
    assert db.session.scalar(select(func.count()).select_from(PollVote)) == counted
    assert db.session.get(Poll, poll_id).status == "closed"
