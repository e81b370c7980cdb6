"""Networking through the API on SQLite and PostgreSQL: privacy first, meetings, blocks, feeds."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from conference.clock import utcnow
from conference.extensions import db, limiter
from registration.models import Registration
from registration.services import cancel_registration
from sessions.programme.models import Theme
from streaming.networking import profiles
from streaming.networking.models import Meeting, NetworkSlot
from tests.factories import fresh, register, set_venue
from tests.helpers import mails
from tests.streaming.networking.support import auth, default_slots, person
from tests.support.apps import sqlite_app


def _ids(client, who, **query) -> list[int]:
    response = client.get("/api/v1/networking/people", headers=who, query_string=query)
    assert response.status_code == 200, response.json
    return [p["id"] for p in response.json["items"]]


def test_invisible_people_appear_nowhere(any_db_app):
    client = any_db_app.test_client()
    viewer, shown = person(), person()
    hidden = person(visible=False)
    gone = person()
    theme = db.session.scalar(select(Theme).order_by(Theme.position))
    for reg in (shown, hidden, gone):
        body = {"visible": reg.id != hidden.id, "themes": [theme.slug], "sector": "jeugdhulp"}
        assert client.put("/api/v1/me/networking", json=body, headers=auth(reg)).status_code == 200
    # Going invisible removes one at once.
    body = {"visible": False}
    assert client.put("/api/v1/me/networking", json=body, headers=auth(gone)).status_code == 200
    me = auth(viewer)

    assert _ids(client, me) == [shown.id]
    assert _ids(client, me, theme=theme.id) == [shown.id]
    assert _ids(client, me, sector="JEUGD") == [shown.id]
    assert _ids(client, me, q=hidden.last_name) == []
    assert _ids(client, me, q=gone.organisation) == []
    slot = default_slots()[0]
    for target in (hidden, gone, viewer):
        answer = client.post(
            "/api/v1/networking/meetings", headers=me, json={"with": target.id, "slot": slot.id}
        )
        assert answer.status_code in (404, 422), answer.json
    assert db.session.scalar(select(Meeting.id)) is None
    page = client.get("/api/v1/networking/people", headers=me).get_data(as_text=True)
    assert "@" not in page  # never an e-mail address


def test_a_viewer_who_is_not_visible_gets_403(any_db_app):
    client = any_db_app.test_client()
    person()
    viewer = person(visible=False)
    answer = client.get("/api/v1/networking/people", headers=auth(viewer))
    assert answer.status_code == 403
    assert answer.json["error"] == "not_visible"
    waiting = person(visible=False, status="waitlisted")
    answer = client.put("/api/v1/me/networking", json={"visible": True}, headers=auth(waiting))
    assert answer.status_code == 403 and answer.json["error"] == "not_registered"
    for body, bad in (({"visible": True, "x": 1}, {"x"}), ({"visible": "ja"}, {"visible"})):
        answer = client.put("/api/v1/me/networking", json=body, headers=auth(viewer))
        assert answer.status_code == 422 and set(answer.json["fields"]) == bad


def test_a_blocked_sender_cannot_request_and_is_not_told(any_db_app):
    client = any_db_app.test_client()
    sender, invitee = person(), person()
    slot = default_slots()[0]
    assert (
        client.post(
            "/api/v1/networking/blocks", json={"person": sender.id}, headers=auth(invitee)
        ).status_code
        == 204
    )

    answer = client.post(
        "/api/v1/networking/meetings",
        headers=auth(sender),
        json={"with": invitee.id, "slot": slot.id},
    )

    assert answer.status_code == 201 and answer.json["status"] == "requested"  # looks normal
    assert client.get("/api/v1/networking/meetings", headers=auth(invitee)).json == []
    accept = client.post(
        f"/api/v1/networking/meetings/{answer.json['id']}/accept", headers=auth(invitee)
    )
    assert accept.status_code == 404
    assert mails("meeting_request") == []


def test_accepted_meetings_show_in_both_feeds_and_mails_hold_no_address(any_db_app):
    client = any_db_app.test_client()
    asker, other = person(language="en"), person()
    slot = default_slots()[0]
    made = client.post(
        "/api/v1/networking/meetings",
        headers=auth(asker),
        json={"with": other.id, "slot": slot.id, "note": "Buurtwerk?"},
    )
    assert made.status_code == 201 and made.json["mode"] == "onsite"
    accepted = client.post(
        f"/api/v1/networking/meetings/{made.json['id']}/accept", headers=auth(other)
    )
    assert accepted.status_code == 200 and accepted.json["table"] == 1

    for reg, name in ((asker, other.full_name), (other, asker.full_name)):
        me = client.get("/api/v1/me", headers=auth(reg)).json
        feed = client.get(me["calendar_feed_url"].replace("http://127.0.0.1:5000", ""))
        events = [e for e in Calendar.from_ical(feed.data).walk("VEVENT") if name in e["SUMMARY"]]
        assert len(events) == 1 and "1" in str(events[0]["LOCATION"])
        items = client.get("/api/v1/me/agenda", headers=auth(reg)).json["items"]
        assert [i["kind"] for i in items if i["kind"] == "meeting"] == ["meeting"]
    request_mail, accept_mail = mails("meeting_request"), mails("meeting_accepted")
    assert [m.to_address for m in request_mail] == [other.email]
    assert [m.to_address for m in accept_mail] == [asker.email]
    assert "accepts" in accept_mail[0].subject  # the asker's language
    for message in request_mail + accept_mail:
        for part in (message.subject, message.body_text, message.body_html):
            assert asker.email not in part and other.email not in part
            assert "@example.org" not in part


def test_online_meetings_get_an_unguessable_video_room(any_db_app):
    client = any_db_app.test_client()
    asker, other = person(mode="online"), person()
    slot = default_slots()[0]
    made = client.post(
        "/api/v1/networking/meetings",
        headers=auth(asker),
        json={"with": other.id, "slot": slot.id, "mode": "onsite"},
    )
    assert made.status_code == 409 and made.json["error"] == "wrong_mode"
    made = client.post(
        "/api/v1/networking/meetings", headers=auth(asker), json={"with": other.id, "slot": slot.id}
    )
    assert made.json["mode"] == "online"
    url = client.post(
        f"/api/v1/networking/meetings/{made.json['id']}/accept", headers=auth(other)
    ).json["join_url"]
    assert url.startswith("https://meet.jit.si/swc-")
    assert len(url.removeprefix("https://meet.jit.si/swc-")) >= 22  # 128 random bits


def test_one_person_is_in_one_meeting_or_table_per_slot(any_db_app):
    client = any_db_app.test_client()
    a, b, c = person(), person(), person()
    slot = default_slots()[0]
    first = client.post(
        "/api/v1/networking/meetings", headers=auth(a), json={"with": b.id, "slot": slot.id}
    ).json
    second = client.post(
        "/api/v1/networking/meetings", headers=auth(c), json={"with": b.id, "slot": slot.id}
    ).json
    assert (
        client.post(
            f"/api/v1/networking/meetings/{first['id']}/accept", headers=auth(b)
        ).status_code
        == 200
    )
    busy = client.post(f"/api/v1/networking/meetings/{second['id']}/accept", headers=auth(b))
    assert busy.status_code == 409 and busy.json["error"] == "busy"


def test_cancelling_a_registration_ends_meetings_and_frees_the_table(any_db_app):
    client = any_db_app.test_client()
    set_venue(
        registration_opens_at=utcnow() - timedelta(days=30),
        registration_closes_at=utcnow() + timedelta(days=1),
    )
    a, b = register(900), person()  # `a` through the service, so the venue counts them
    profiles.save_profile(a, {"visible": True})
    slot = default_slots()[0]
    made = client.post(
        "/api/v1/networking/meetings", headers=auth(a), json={"with": b.id, "slot": slot.id}
    ).json
    client.post(f"/api/v1/networking/meetings/{made['id']}/accept", headers=auth(b))
    cancel_registration(a.id)
    fresh()
    assert db.session.get(NetworkSlot, slot.id).tables_taken == 0
    assert db.session.get(Meeting, made["id"]).status == "canceled"
    assert _ids(client, auth(b)) == []
    assert db.session.get(Registration, a.id).status == "canceled"


def test_meeting_requests_are_rate_limited(sqlite_template, tmp_path):
    app = sqlite_app(sqlite_template, tmp_path, RATELIMIT_ENABLED=True)
    with app.app_context():
        limiter.reset()
        client = app.test_client()
        asker = person()
        others = [person() for _ in range(6)]
        slot = default_slots()[0]
        codes = [
            client.post(
                "/api/v1/networking/meetings",
                headers=auth(asker),
                json={"with": o.id, "slot": slot.id},
            ).status_code
            for o in others
        ]
        assert codes == [201] * 5 + [429]
        assert len(mails("meeting_request")) == 5
        db.session.remove()
        db.engine.dispose()
