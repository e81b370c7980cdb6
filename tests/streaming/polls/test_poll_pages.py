"""Poll pages without JavaScript: vote and change a vote with a plain form, errors next to the
poll, the moderator screen (prepare, open, close), the fragment with its ETag, the room screen
with its QR code, the watch page's panel, Dutch and English."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conference.extensions import db
from conference.models import User
from streaming.polls.models import Poll, PollVote
from tests.factories import activity_of_kind, attendee
from tests.helpers import login


@pytest.fixture
def plenary(app):
    return activity_of_kind("plenary")


def _moderator(app):
    client = app.test_client()
    login(client, db.session.scalar(select(User).filter_by(email="moderator@example.org")))
    return client


def _prepare(client, act, **fields):
    data = {
        "kind": "single",
        "question": "Werk je samen met de eerste lijn?",
        "options": "Elke week\nSoms\n\nNooit",
        "options_en": "Every week\nSometimes\nNever",
        **fields,
    }
    response = client.post(f"/online/moderatie/{act.id}/peilingen", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    return db.session.scalars(select(Poll).order_by(Poll.id.desc())).first()


def _move(client, act, poll, action):
    back = f"/online/moderatie/{act.id}/peilingen"
    response = client.post(
        f"/online/moderatie/peiling/{poll.id}", data={"action": action, "next": back}
    )
    assert response.status_code == 302 and response.headers["Location"].startswith(back)


def test_moderator_prepares_opens_and_closes_with_plain_forms(app, plenary, tokens):
    moderator = _moderator(app)
    page = moderator.get(f"/online/moderatie/{plenary.id}/peilingen").get_data(as_text=True)
    assert "Nog geen peilingen" in page and "Nieuwe peiling klaarzetten" in page
    poll = _prepare(moderator, plenary)
    assert (poll.status, poll.options, poll.options_en) == (
        "draft", ["Elke week", "Soms", "Nooit"], ["Every week", "Sometimes", "Never"]
    )  # fmt: skip
    html = moderator.get(f"/online/moderatie/{plenary.id}/peilingen").get_data(as_text=True)
    assert "Klaargezet, nog niet open" in html and "Peiling openen" in html
    _move(moderator, plenary, poll, "open")
    db.session.rollback()
    assert db.session.get(Poll, poll.id).status == "open"
    html = moderator.get(f"/online/moderatie/{plenary.id}/peilingen").get_data(as_text=True)
    assert "De peiling is open" in html and "Peiling sluiten" in html
    _move(moderator, plenary, poll, "close")
    db.session.rollback()
    assert db.session.get(Poll, poll.id).status == "closed"
    # The Q&A moderator screen and the index link to the polls.
    assert f"/online/moderatie/{plenary.id}/peilingen" in moderator.get(
        f"/online/moderatie/{plenary.id}"
    ).get_data(as_text=True)
    assert "Peilingen" in moderator.get("/online/moderatie").get_data(as_text=True)


def test_a_bad_poll_shows_its_errors_next_to_the_fields(app, plenary, tokens):
    moderator = _moderator(app)
    response = moderator.post(
        f"/online/moderatie/{plenary.id}/peilingen",
        data={"kind": "single", "question": "", "options": "Alleen deze"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kijk dit na" in html and "typ de vraag" in html and "geef 2 tot 10 keuzes" in html
    assert 'id="options-error"' in html and 'aria-invalid="true"' in html
    assert "Alleen deze" in html  # nothing typed is lost
    assert db.session.scalar(select(Poll)) is None


def test_attendees_cannot_reach_the_moderator_screens(app, plenary, tokens):
    client = app.test_client()
    login(client, attendee("online").user)
    assert client.get(f"/online/moderatie/{plenary.id}/peilingen").status_code == 403
    assert client.post("/online/moderatie/peiling/1", data={"action": "open"}).status_code == 403
    anonymous = app.test_client().get(f"/online/peilingen/{plenary.id}")
    assert anonymous.status_code == 302 and "next=" in anonymous.headers["Location"]


def test_vote_and_change_the_vote_without_javascript(app, plenary, tokens):
    moderator = _moderator(app)
    poll = _prepare(moderator, plenary, kind="multiple")
    voter = app.test_client()
    reg = attendee("onsite")
    login(voter, reg.user)
    page = f"/online/peilingen/{plenary.id}"
    assert "Er loopt nu geen peiling" in voter.get(page).get_data(as_text=True)  # a draft
    _move(moderator, plenary, poll, "open")
    html = voter.get(page).get_data(as_text=True)
    assert 'type="checkbox"' in html and "Kies een of meer antwoorden" in html
    response = voter.post(
        f"/online/peilingen/stem/{poll.id}", data={"option": ["0", "2"], "next": page}
    )
    assert (
        response.status_code == 302 and response.headers["Location"] == f"{page}#peiling-{poll.id}"
    )
    html = voter.get(page).get_data(as_text=True)
    assert "Je stem is geteld." in html and "Stem aanpassen" in html
    assert html.count("checked") == 2 and "1 persoon stemde" in html
    voter.post(f"/online/peilingen/stem/{poll.id}", data={"option": "1", "next": page})
    html = voter.get(page).get_data(as_text=True)
    assert "Je stem is aangepast." in html and html.count("checked") == 1
    db.session.rollback()
    rows = db.session.scalars(select(PollVote)).all()
    assert [(r.user_id, r.choices) for r in rows] == [(reg.user.id, 0b010)]


def test_a_bad_or_late_vote_without_javascript_says_why(app, plenary, tokens):
    moderator = _moderator(app)
    poll = _prepare(moderator, plenary)
    _move(moderator, plenary, poll, "open")
    voter = app.test_client()
    login(voter, attendee("online").user)
    empty = voter.post(f"/online/peilingen/stem/{poll.id}", data={})
    html = empty.get_data(as_text=True)
    assert empty.status_code == 422
    assert "Deze keuze kan niet" in html and "Kies minstens één keuze" in html
    assert f'aria-describedby="peiling-{poll.id}-fout"' in html
    _move(moderator, plenary, poll, "close")
    late = voter.post(f"/online/peilingen/stem/{poll.id}", data={"option": "0"})
    assert late.status_code == 409 and "Deze peiling is gesloten" in late.get_data(as_text=True)
    assert db.session.scalar(select(PollVote)) is None


def test_a_scale_from_a_plain_form_in_english(app, plenary, tokens):
    moderator = _moderator(app)
    poll = _prepare(moderator, plenary, kind="scale", question_en="How useful was this?")
    _move(moderator, plenary, poll, "open")
    voter = app.test_client()
    login(voter, attendee("online", language="en").user)
    english = {"Accept-Language": "en"}
    html = voter.get(f"/online/peilingen/{plenary.id}", headers=english).get_data(as_text=True)
    assert "How useful was this?" in html and "Give a score from 1 (low) to 5 (high)" in html
    voter.post(f"/online/peilingen/stem/{poll.id}", data={"score": "4"}, headers=english)
    html = voter.get(f"/online/peilingen/{plenary.id}", headers=english).get_data(as_text=True)
    assert "Your vote has been counted" in html or "1 person voted" in html
    assert "1 person voted" in html and "average score: 4.0" in html


def test_fragment_etag_and_the_room_screen(app, plenary, tokens):
    moderator = _moderator(app)
    poll = _prepare(moderator, plenary)
    screen = moderator.get(f"/online/scherm/{plenary.id}").get_data(as_text=True)
    assert "Er loopt nu geen peiling" in screen  # a draft is not shown on the screen
    _move(moderator, plenary, poll, "open")
    screen = moderator.get(f"/online/scherm/{plenary.id}").get_data(as_text=True)
    assert "Werk je samen met de eerste lijn?" in screen
    assert f"http://127.0.0.1:5000/online/peilingen/{plenary.id}" in screen
    assert screen.count("<svg") == 2  # the Q&A's QR code and the poll's
    url = f"/online/peilingen/{plenary.id}/lijst"
    first = moderator.get(url, query_string={"mode": "screen"})
    assert first.status_code == 200 and "screen-poll" in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    again = moderator.get(url, query_string={"mode": "screen"}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    voter = app.test_client()
    login(voter, attendee("online").user)
    voter.post(f"/online/peilingen/stem/{poll.id}", data={"option": "1"})
    changed = moderator.get(url, query_string={"mode": "screen"}, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "1 persoon stemde" in changed.get_data(as_text=True)
    # An attendee asking for the moderator's list gets their own view, without drafts' buttons.
    own = voter.get(url, query_string={"mode": "moderator"}).get_data(as_text=True)
    assert "Peiling sluiten" not in own and "data-poll-vote" in own
    assert voter.get(f"/online/scherm/{plenary.id}").status_code == 403


def test_the_watch_page_has_the_polls_beside_the_stream(app, tokens):
    stream = activity_of_kind("stream")
    moderator = _moderator(app)
    poll = _prepare(moderator, stream, question="Kijk je alleen of met je team?")
    _move(moderator, stream, poll, "open")
    client = app.test_client()
    login(client, attendee("online").user)
    html = client.get(f"/online/kijk/{stream.id}").get_data(as_text=True)
    assert "data-polls" in html and "Kijk je alleen of met je team?" in html
    assert f'action="/online/peilingen/stem/{poll.id}"' in html
    assert 'name="next" value="/online/kijk/' in html and "js/polls.js" in html
    radio = activity_of_kind("radio")
    assert "data-polls" not in client.get(f"/online/kijk/{radio.id}").get_data(as_text=True)
