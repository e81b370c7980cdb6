"""The preference round: the API, the page without JavaScript, the window, mode rules."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from conference import hooks
from conference.clock import utcnow
from conference.db import write_transaction
from conference.extensions import db
from sessions.seats.models import Preference
from sessions.seats.preferences import preferences_of
from tests.factories import activity, attendee, conference, seated, token_for
from tests.helpers import bearer, login


def blocks():
    b1, b2 = (
        sorted({b.id for a in seated("workshop") for b in a.blocks})[:1]
        + sorted({b.id for a in seated("workshop", 1) for b in a.blocks})[:1]
    )
    return b1, b2


def test_put_and_get_preferences(app, client):
    b1, b2 = blocks()
    w1, w2 = seated("workshop")[:2], seated("workshop", 1)[:1]
    walk = activity("bezoek-stadswandeling")
    reg = attendee(email="pref@example.org")
    h = bearer(token_for(reg))
    body = {str(b1): [w1[0].id, walk.id, w1[1].id], str(b2): [walk.id, w2[0].id]}
    r = client.put("/api/v1/me/preferences", json=body, headers=h)
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == body
    # Another block-only PUT keeps the first block; an empty list clears.
    r = client.put("/api/v1/me/preferences", json={str(b2): []}, headers=h)
    assert r.get_json() == {str(b1): body[str(b1)]}
    assert client.get("/api/v1/me/preferences", headers=h).get_json() == {str(b1): body[str(b1)]}


@pytest.mark.parametrize(
    "make_body",
    [
        lambda b1, b2, w, o: {str(b1): [w[0], w[0]]},  # duplicate
        lambda b1, b2, w, o: {str(b1): [o]},  # activity of the other block
        lambda b1, b2, w, o: {str(b1): [999999]},  # unknown id
        lambda b1, b2, w, o: {"12345": [w[0]]},  # unknown block
        lambda b1, b2, w, o: {str(b1): w[:6]},  # more than five
        lambda b1, b2, w, o: {str(b1): "abc"},
        lambda b1, b2, w, o: [1, 2],
    ],
)
def test_bad_preferences_are_422(app, client, make_body):
    b1, b2 = blocks()
    w = [a.id for a in seated("workshop")]
    o = seated("workshop", 1)[0].id
    reg = attendee(email="bad@example.org")
    r = client.put(
        "/api/v1/me/preferences", json=make_body(b1, b2, w, o), headers=bearer(token_for(reg))
    )
    assert r.status_code == 422
    assert r.get_json()["error"] == "invalid"
    assert preferences_of(reg.id) == {}


def test_online_people_rank_online_workshops_only(app, client):
    b1, _ = blocks()
    reg = attendee(email="onl@example.org", mode="online")
    h = bearer(token_for(reg))
    r = client.put("/api/v1/me/preferences", json={str(b1): [seated("workshop")[0].id]}, headers=h)
    assert r.status_code == 422
    ow = seated("online_workshop")[0]
    r = client.put("/api/v1/me/preferences", json={str(b1): [ow.id]}, headers=h)
    assert r.status_code == 200


def test_closed_outside_the_window(app, client):
    b1, _ = blocks()
    reg = attendee(email="late@example.org")
    conf = conference()
    conf.choice_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    r = client.put(
        "/api/v1/me/preferences",
        json={str(b1): [seated("workshop")[0].id]},
        headers=bearer(token_for(reg)),
    )
    assert r.status_code == 409 and r.get_json()["error"] == "closed"


def test_mode_change_drops_choices_that_no_longer_fit(app, client):
    b1, _ = blocks()
    reg = attendee(email="switch@example.org")
    ow = seated("online_workshop")[0]
    ws = seated("workshop")[:2]
    client.put(
        "/api/v1/me/preferences",
        json={str(b1): [ws[0].id, ow.id, ws[1].id]},
        headers=bearer(token_for(reg)),
    )
    with write_transaction(db.session) as session:
        person = session.get(type(reg), reg.id)
        person.mode = "online"
        hooks.registration_mode_changed.send(
            person, old_mode="onsite", new_mode="online", session=session
        )
    db.session.rollback()
    rows = db.session.scalars(select(Preference).filter_by(registration_id=reg.id)).all()
    assert [(p.activity_id, p.rank) for p in rows] == [(ow.id, 1)]


def test_choice_page_without_javascript(app, client):
    b1, _ = blocks()
    reg = attendee(email="page@example.org")
    login(client, reg)
    r = client.get(f"/mijn/keuzes/{b1}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    # Issue 19: radio buttons per activity ("1ste keuze" … "5de keuze"), no drop-downs; the
    # five ranks are still the five fields the form posts.
    assert html.count("<select") == 0
    assert all(f'name="rank_{k}"' in html for k in range(1, 6)) and "5de keuze" in html
    assert "Snelheid speelt geen rol" in html
    assert "Je kunt je keuzes veranderen tot" in html
    ws = seated("workshop")
    # Gaps are closed: ranks 1 and 3 filled give a ranking of two.
    r = client.post(f"/mijn/keuzes/{b1}", data={"rank_1": str(ws[2].id), "rank_3": str(ws[0].id)})
    assert r.status_code == 302
    db.session.rollback()
    assert preferences_of(reg.id) == {b1: [ws[2].id, ws[0].id]}
    # Pre-filled on the way back.
    html = client.get(f"/mijn/keuzes/{b1}").get_data(as_text=True)
    assert re.search(rf'name="rank_1" value="{ws[2].id}" checked', html)
    # The same activity twice: an error next to the field, nothing saved.
    r = client.post(f"/mijn/keuzes/{b1}", data={"rank_1": str(ws[1].id), "rank_2": str(ws[1].id)})
    assert r.status_code == 422
    assert "Deze activiteit koos je al hoger" in r.get_data(as_text=True)
    db.session.rollback()
    assert preferences_of(reg.id) == {b1: [ws[2].id, ws[0].id]}
    overview = client.get("/mijn/keuzes").get_data(as_text=True)
    assert ws[2].title in overview


def test_choice_page_needs_login(app, client):
    b1, _ = blocks()
    r = client.get(f"/mijn/keuzes/{b1}")
    assert r.status_code in (302, 401)
