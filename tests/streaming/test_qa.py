"""Q&A: asking, moderation, what each person sees, one vote per person (also under a rush),
the plain forms without JavaScript, the moderator screen and the room screen."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from conference.extensions import db
from conference.models import User
from registration.models import Registration
from streaming import qa
from streaming.access import Viewer
from streaming.models import Question, QuestionVote
from tests.factories import activity_of_kind, attendee, conference, token_for
from tests.helpers import bearer, login


@pytest.fixture
def plenary(app):
    return activity_of_kind("plenary")


def _auth(reg):
    return bearer(token_for(reg.user))


def _ask(client, act, headers, text="Hoe betrekken we praktijkwerkers bij het beleid?"):
    response = client.post(
        f"/api/v1/activities/{act.id}/questions", json={"text": text}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _list(client, act, headers, **params):
    response = client.get(
        f"/api/v1/activities/{act.id}/questions", headers=headers, query_string=params
    )
    assert response.status_code == 200
    return response.get_json()["questions"]


def _moderate(client, question_id, tokens, **changes):
    response = client.patch(
        f"/api/v1/questions/{question_id}", json=changes, headers=bearer(tokens["moderator"])
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_question_waits_for_the_moderator_then_everyone_sees_it(app, plenary, tokens):
    client = app.test_client()
    asker, other = _auth(attendee("online")), _auth(attendee("onsite"))
    question = _ask(client, plenary, asker)
    assert (question["status"], question["mine"], question["votes"]) == ("pending", True, 0)
    assert "author" not in question
    assert [q["id"] for q in _list(client, plenary, asker)] == [question["id"]]  # mine, waiting
    assert _list(client, plenary, other) == []
    _moderate(client, question["id"], tokens, status="approved")
    seen = _list(client, plenary, other)
    assert [(q["id"], q["status"], q["mine"]) for q in seen] == [
        (question["id"], "approved", False)
    ]
    _moderate(client, question["id"], tokens, status="hidden")
    assert _list(client, plenary, other) == [] and _list(client, plenary, asker) == []


def test_order_pinned_first_then_votes_and_answered_last(app, plenary, tokens):
    client = app.test_client()
    people = [_auth(attendee("online")) for _ in range(3)]
    ids = [_ask(client, plenary, people[0], text=f"Vraag nummer {n}")["id"] for n in range(4)]
    for qid in ids:
        _moderate(client, qid, tokens, status="approved")
    for headers in people:  # three votes for question 2
        client.post(f"/api/v1/questions/{ids[2]}/vote", headers=headers)
    client.post(f"/api/v1/questions/{ids[1]}/vote", headers=people[0])
    _moderate(client, ids[3], tokens, pinned=True)
    _moderate(client, ids[2], tokens, answered=True)
    order = [q["id"] for q in _list(client, plenary, people[1])]
    assert order == [ids[3], ids[1], ids[0], ids[2]]
    answered = next(q for q in _list(client, plenary, people[1]) if q["id"] == ids[2])
    assert answered["answered"] is True and answered["votes"] == 3


def test_moderators_see_everything_with_the_asker_and_attendees_do_not(app, plenary, tokens):
    client = app.test_client()
    reg = attendee("online", first_name="Fatma", last_name="Yilmaz")
    question = _ask(client, plenary, _auth(reg))
    rows = _list(client, plenary, bearer(tokens["moderator"]), view="moderator")
    assert rows[0]["author"] == "Fatma Yilmaz" and rows[0]["status"] == "pending"
    as_attendee = _list(client, plenary, _auth(reg), view="moderator")  # asking is not enough
    assert "author" not in as_attendee[0] and as_attendee[0]["id"] == question["id"]


def test_one_vote_per_person(app, plenary, tokens):
    client = app.test_client()
    voter = _auth(attendee("online"))
    question = _ask(client, plenary, _auth(attendee("online")))
    assert client.post(f"/api/v1/questions/{question['id']}/vote", headers=voter).status_code == 404
    _moderate(client, question["id"], tokens, status="approved")
    first = client.post(f"/api/v1/questions/{question['id']}/vote", headers=voter).get_json()
    again = client.post(f"/api/v1/questions/{question['id']}/vote", headers=voter).get_json()
    assert (first["votes"], first["counted"]) == (1, True)
    assert (again["votes"], again["counted"]) == (1, False)
    assert _list(client, plenary, voter)[0]["voted"] is True


def test_votes_under_a_rush_count_each_person_once(any_db_app):
    """200 simultaneous votes by 40 people (5 each, in any order) make exactly 40 votes."""
    app = any_db_app
    act = activity_of_kind("plenary")
    people = [attendee("online") for _ in range(40)]
    staff = db.session.scalar(select(User).filter_by(role="attendee"))
    viewer = Viewer(user=staff, registration=people[0], staff=True)
    question = qa.ask(
        conference(), act.id, viewer, "Wat is de rol van sociaal werk in de eerste lijn?"
    )
    qid, reg_ids = question.id, [p.id for p in people]

    def vote(reg_id):
        with app.app_context():
            reg = db.session.get(Registration, reg_id)
            return qa.vote(qid, Viewer(user=reg.user, registration=reg))

    calls = reg_ids * 5
    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(vote, calls))
    db.session.rollback()
    assert sum(added for _votes, added in results) == 40
    assert db.session.scalar(select(Question.votes).filter_by(id=qid)) == 40
    assert (
        db.session.scalar(select(func.count()).select_from(QuestionVote).filter_by(question_id=qid))
        == 40
    )


def test_etag_answers_304_until_something_changes(app, plenary, tokens):
    client = app.test_client()
    headers = _auth(attendee("online"))
    question = _ask(client, plenary, _auth(attendee("online")))
    _moderate(client, question["id"], tokens, status="approved")
    url = f"/api/v1/activities/{plenary.id}/questions"
    first = client.get(url, headers=headers)
    etag = first.headers["ETag"]
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    client.post(f"/api/v1/questions/{question['id']}/vote", headers=_auth(attendee("online")))
    changed = client.get(url, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["questions"][0]["votes"] == 1


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("", False),
        ("  ", False),
        ("ok", False),
        ("Waarom?", True),
        ("x" * 500, True),
        ("x" * 501, False),
    ],
)
def test_question_length_is_checked(app, plenary, text, ok):
    client = app.test_client()
    response = client.post(
        f"/api/v1/activities/{plenary.id}/questions",
        json={"text": text},
        headers=_auth(attendee("online")),
    )
    assert response.status_code == (201 if ok else 422)
    if not ok:
        assert "text" in response.get_json()["fields"]


def test_roles(app, plenary, tokens):
    client = app.test_client()
    url = f"/api/v1/activities/{plenary.id}/questions"
    assert client.get(url).status_code == 401
    assert client.post(url, json={"text": "Een vraag"}).status_code == 401
    assert client.get(url, headers=bearer(tokens["checkin"])).status_code == 403
    question = _ask(client, plenary, _auth(attendee("online")))
    patch = f"/api/v1/questions/{question['id']}"
    assert (
        client.patch(
            patch, json={"status": "approved"}, headers=_auth(attendee("online"))
        ).status_code
        == 403
    )
    assert (
        client.patch(
            patch, json={"status": "approved"}, headers=bearer(tokens["checkin"])
        ).status_code
        == 403
    )
    organiser = client.patch(
        patch, json={"status": "approved", "pinned": True}, headers=bearer(tokens["organiser"])
    )
    assert organiser.status_code == 200 and organiser.get_json()["pinned"] is True
    bad = client.patch(patch, json={"status": "gone"}, headers=bearer(tokens["moderator"]))
    assert bad.status_code == 422
    assert (
        client.patch(
            "/api/v1/questions/999999", json={"pinned": True}, headers=bearer(tokens["moderator"])
        ).status_code
        == 404
    )


def test_staff_questions_and_open_q_and_a_skip_the_queue(app, plenary, tokens):
    client = app.test_client()
    assert _ask(client, plenary, bearer(tokens["moderator"]))["status"] == "approved"
    db.session.rollback()  # a fresh snapshot before writing (SQLite refuses a stale one)
    conf = conference()
    conf.settings = {**(conf.settings or {}), "qa_premoderation": False}
    db.session.commit()
    assert _ask(client, plenary, _auth(attendee("online")))["status"] == "approved"


def test_q_and_a_exists_for_plenaries_streams_and_workshops_only(app):
    client = app.test_client()
    headers = _auth(attendee("onsite"))
    for kind in ("plenary", "stream", "workshop", "online_workshop"):
        assert _ask(client, activity_of_kind(kind), headers)["status"] == "pending"
    for kind in ("radio", "film", "visit"):
        url = f"/api/v1/activities/{activity_of_kind(kind).id}/questions"
        assert client.post(url, json={"text": "Een vraag"}, headers=headers).status_code == 404


def test_cookie_callers_need_the_csrf_token(app, plenary):
    """The page's script sends X-CSRFToken; without it a cookie-authenticated call is refused."""
    client = app.test_client()
    login(client, attendee("online").user)
    url = f"/api/v1/activities/{plenary.id}/questions"
    assert client.post(url, json={"text": "Zonder token"}).status_code == 400
    page = client.get(f"/online/vragen/{plenary.id}").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    assert (
        client.post(url, json={"text": "Met token"}, headers={"X-CSRFToken": token}).status_code
        == 201
    )


# -- pages without JavaScript ----------------------------------------------------------------


def test_ask_and_vote_with_plain_forms(app, plenary, tokens):
    client = app.test_client()
    reg = attendee("online")
    login(client, reg.user)
    page = f"/online/vragen/{plenary.id}"
    assert "Nog geen vragen" in client.get(page).get_data(as_text=True)
    response = client.post(page, data={"text": "Komt er een vervolg?", "next": page})
    assert response.status_code == 302 and response.headers["Location"] == page
    html = client.get(page).get_data(as_text=True)
    assert "Komt er een vervolg?" in html and "Wacht op een moderator" in html
    assert "Een moderator bekijkt ze eerst" in html  # the flash message
    db.session.rollback()
    question = db.session.scalar(select(Question))
    _moderate(app.test_client(), question.id, tokens, status="approved")
    other = app.test_client()
    login(other, attendee("online").user)
    voted = other.post(f"/online/vragen/stem/{question.id}", data={"next": page})
    assert voted.headers["Location"] == f"{page}#vraag-{question.id}"
    html = other.get(page).get_data(as_text=True)
    assert "1 stem" in html and "Gestemd" in html
    invalid = client.post(page, data={"text": "", "next": page})
    assert invalid.status_code == 422 and "Typ je vraag." in invalid.get_data(as_text=True)


def test_the_stream_page_has_the_q_and_a_beside_it(app, plenary):
    client = app.test_client()
    login(client, attendee("online").user)
    html = client.get(f"/online/kijk/{plenary.id}").get_data(as_text=True)
    assert 'data-qa data-mode="attendee"' in html
    assert f'action="/online/vragen/{plenary.id}"' in html
    assert 'name="next" value="/online/kijk/' in html


def test_moderation_with_plain_forms(app, plenary, tokens):
    client = app.test_client()
    question = _ask(
        client, plenary, _auth(attendee("online", first_name="Jonas", last_name="Claes"))
    )
    moderator = app.test_client()
    login(moderator, db.session.scalar(select(User).filter_by(email="moderator@example.org")))
    screen = moderator.get(f"/online/moderatie/{plenary.id}").get_data(as_text=True)
    assert "Jonas Claes" in screen and "Wacht op een moderator" in screen
    back = f"/online/moderatie/{plenary.id}"
    for action in ("approve", "pin", "answer"):
        response = moderator.post(
            f"/online/moderatie/vraag/{question['id']}", data={"action": action, "next": back}
        )
        assert response.status_code == 302
    db.session.rollback()
    row = db.session.get(Question, question["id"])
    assert (row.status, row.pinned, row.answered) == ("approved", True, True)
    assert moderator.get("/online/moderatie").status_code == 200


def test_fragment_and_room_screen(app, plenary, tokens):
    client = app.test_client()
    waiting = _ask(client, plenary, _auth(attendee("online")), text="Deze vraag wacht nog")
    shown = _ask(client, plenary, _auth(attendee("online")), text="Deze vraag staat op het scherm")
    _moderate(client, shown["id"], tokens, status="approved")
    moderator = app.test_client()
    login(moderator, db.session.scalar(select(User).filter_by(email="moderator@example.org")))
    screen = moderator.get(f"/online/scherm/{plenary.id}")
    html = screen.get_data(as_text=True)
    assert screen.status_code == 200
    assert "Deze vraag staat op het scherm" in html and "Deze vraag wacht nog" not in html
    assert "<svg" in html and f"/online/vragen/{plenary.id}" in html
    fragment = moderator.get(f"/online/vragen/{plenary.id}/lijst", query_string={"mode": "screen"})
    assert fragment.status_code == 200 and "screen-list" in fragment.get_data(as_text=True)
    again = moderator.get(
        f"/online/vragen/{plenary.id}/lijst",
        query_string={"mode": "screen"},
        headers={"If-None-Match": fragment.headers["ETag"]},
    )
    assert again.status_code == 304
    viewer = app.test_client()
    login(viewer, attendee("online").user)
    assert viewer.get(f"/online/scherm/{plenary.id}").status_code == 403
    # An attendee asking for the moderator's list gets their own view.
    own = viewer.get(f"/online/vragen/{plenary.id}/lijst", query_string={"mode": "moderator"})
    assert "Verbergen" not in own.get_data(as_text=True)
    assert waiting["id"] != shown["id"]


def test_questions_without_a_login_go_to_the_login_page(app, plenary):
    response = app.test_client().get(f"/online/vragen/{plenary.id}")
    assert response.status_code == 302
    assert f"next=/online/vragen/{plenary.id}" in response.headers["Location"]
