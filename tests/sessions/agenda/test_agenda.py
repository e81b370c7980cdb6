"""The agenda page and API: the person's day in order, follows, the help desk, concurrency."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import func, select

from conference.clock import local
from conference.extensions import db
from registration.account import personal_data
from registration.models import Registration
from sessions.agenda import follows
from sessions.agenda.models import AgendaMark, Follow
from sessions.seats.services import leave
from tests.factories import activity, attendee, follow, give_seat, token_for
from tests.helpers import bearer, login


def test_the_page_shows_the_day_in_time_order(app, client):
    reg = attendee(first_name="Lotte", last_name="Janssens")
    give_seat(reg, "ws-diversiteit-1")
    follow(reg, "stream-eerste-lijn")
    login(client, reg)
    page = client.get("/agenda")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    titles = [
        "Onthaal en check-in",
        "Plenaire opening: sociaal werk doet ertoe",
        "Samenleven in diversiteit",
        "Lunch en netwerken",
        "Blok 2 (namiddag)",  # no seat in the afternoon: the page says so
        "Stream: Sociaal werk op de eerste lijn",
        "Plenaire afsluiting",
        "Netwerkreceptie",
    ]
    positions = [html.index(t) for t in titles]
    assert positions == sorted(positions)
    assert "Nog geen workshop of bezoek in dit blok." in html
    assert "Vanuit de Looszaal rechtdoor, de grote zaal." in html  # how to get to the hall
    assert "Netwerkruimte" not in html  # the all-day space is no item of one's day
    # The QR ticket on top, for people on site, and the calendar links.
    assert html.index('class="agenda-qr"') < html.index('class="agenda"')
    assert reg.ticket.secret not in html.split('class="agenda-qr"')[1].split("</figure>")[0]
    assert "webcal://" in html and "/kalender/" in html and "/agenda.ics" in html


def test_visits_show_the_meeting_point_and_return_time(app, client):
    reg = attendee()
    give_seat(reg, "bezoek-stadswandeling")  # a walk over both blocks
    login(client, reg)
    html = client.get("/agenda").get_data(as_text=True)
    assert "Verzamelen: Looszaal, infobalie (vertrek te voet). Terug om 15:00." in html
    assert "Nog geen workshop of bezoek in dit blok." not in html  # both blocks are covered


def test_the_api_follows_the_contract(app, client, tokens):
    reg = attendee(mode="online")
    give_seat(reg, "ow-rechtenverkenning")
    follow(reg, "stream-diversiteit")
    auth = bearer(token_for(reg))
    body = client.get("/api/v1/me/agenda", headers=auth).get_json()
    items = body["items"]
    starts = [datetime.fromisoformat(i["starts_at"]) for i in items]
    assert starts == sorted(starts)
    for item in items:
        assert {"activity_id", "title", "kind", "starts_at", "ends_at", "location"} <= set(item)
        assert datetime.fromisoformat(item["starts_at"]).utcoffset() is not None
    kinds = [i["kind"] for i in items]
    # Online: plenaries (to watch), the online workshop, the followed stream; no lunch.
    assert kinds == ["plenary", "stream", "online_workshop", "plenary"]
    ow = next(i for i in items if i["kind"] == "online_workshop")
    assert "join_url" not in ow  # no link set, and not yet released anyway
    assert all("watch_url" in i for i in items if i["kind"] in ("plenary", "stream"))
    # Staff see it for the help desk; attendees may not see each other's.
    url = f"/api/v1/registrations/{reg.id}/agenda"
    assert client.get(url, headers=bearer(tokens["organiser"])).get_json() == body
    other = bearer(token_for(attendee()))
    assert client.get(f"/api/v1/registrations/{reg.id}/agenda", headers=other).status_code == 403
    assert client.get("/api/v1/me/agenda").status_code == 401
    assert client.get("/api/v1/me/agenda", headers=bearer(tokens["checkin"])).status_code == 403


def test_online_people_get_no_ticket_and_watch_links(app, client):
    reg = attendee(mode="online")
    login(client, reg)
    html = client.get("/agenda").get_data(as_text=True)
    assert 'class="agenda-qr"' not in html
    assert "Lunch en netwerken" not in html
    assert "Kijk online" in html


def test_anonymous_visitors_are_sent_to_log_in(app, client):
    response = client.get("/agenda")
    assert response.status_code == 302


def test_follow_a_stream_with_the_form_and_the_api(app, client):
    reg = attendee()
    stream = activity("stream-politiserend-werken")
    login(client, reg)
    page = client.get(f"/programma/{stream.slug}").get_data(as_text=True)
    assert "Volg deze stream" in page and 'name="action" value="follow"' in page
    done = client.post(f"/programma/{stream.slug}/volgen", data={"action": "follow"})
    assert done.status_code == 302 and done.headers["Location"].endswith(stream.slug)
    page = client.get(f"/programma/{stream.slug}").get_data(as_text=True)
    assert 'name="action" value="unfollow"' in page
    assert "Stream: Politiserend werken" in client.get("/agenda").get_data(as_text=True)
    client.post(f"/programma/{stream.slug}/volgen", data={"action": "unfollow"})
    db.session.rollback()
    assert not follows.is_following(reg, stream.id)
    # A workshop page has no follow button: seats are booked, not followed.
    workshop_page = client.get("/programma/ws-diversiteit-1").get_data(as_text=True)
    assert "Volg deze stream" not in workshop_page

    auth = bearer(token_for(reg))
    assert client.put(f"/api/v1/me/follows/{stream.id}", headers=auth).status_code == 201
    assert client.put(f"/api/v1/me/follows/{stream.id}", headers=auth).status_code == 200
    ws = activity("ws-diversiteit-1")
    refused = client.put(f"/api/v1/me/follows/{ws.id}", headers=auth)
    assert refused.status_code == 409 and refused.get_json()["error"] == "not_followable"
    assert client.put("/api/v1/me/follows/99999", headers=auth).status_code == 404
    assert client.delete(f"/api/v1/me/follows/{stream.id}", headers=auth).status_code == 204
    assert client.delete(f"/api/v1/me/follows/{stream.id}", headers=auth).status_code == 204


def test_the_help_desk_finds_anyones_agenda(app, client, tokens):
    reg = attendee(first_name="Yusuf", last_name="Demir", email="yusuf.demir@example.org")
    give_seat(reg, "ws-eerste-lijn-2")
    staff = bearer(tokens["organiser"])
    found = client.get("/beheer/agenda?q=demir", headers=staff).get_data(as_text=True)
    assert "Yusuf Demir" in found and f"/beheer/agenda/{reg.id}" in found
    assert "/beheer/agenda/activiteit/" in found  # one .ics per activity for the team
    page = client.get(f"/beheer/agenda/{reg.id}", headers=staff)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Agenda van Yusuf Demir" in html and "Rechtenverkenning met service design" in html
    assert "/kalender/" not in html  # the private link is the attendee's, not the help desk's
    assert client.get(f"/beheer/agenda/{reg.id}.ics", headers=staff).status_code == 200
    checkin = bearer(tokens["checkin"])
    assert client.get(f"/beheer/agenda/{reg.id}", headers=checkin).status_code == 403
    login(client, attendee())
    assert client.get(f"/beheer/agenda/{reg.id}").status_code == 403


def test_english_page_uses_english_titles(app, client):
    reg = attendee(language="en")
    give_seat(reg, "ws-diversiteit-1")
    login(client, reg)
    html = client.get("/agenda?lang=en").get_data(as_text=True)
    assert "Living together in diversity" in html


def test_times_are_shown_in_brussels(app, client):
    reg = attendee()
    login(client, reg)
    html = client.get("/agenda").get_data(as_text=True)
    opening = activity("plenaire-opening")
    assert local(opening.starts_at).strftime("%H:%M") == "09:30"
    assert ">09:30</time>" in html


def test_following_is_one_row_under_concurrency(any_db_app):
    reg = attendee(mode="online")
    stream = activity("stream-diversiteit")
    reg_id, stream_id = reg.id, stream.id
    barrier = threading.Barrier(12)  # under the pool size (5 + 10): all hold a connection

    def attempt(_: int) -> bool:
        with any_db_app.app_context():
            try:
                person = db.session.get(Registration, reg_id)
                barrier.wait(timeout=30)
                return follows.follow(person, stream_id)
            except Exception as exc:
                barrier.abort()
                raise exc
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(attempt, range(12)))
    assert results.count(True) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Follow)) == 1


def test_marks_are_exact_when_many_people_drop_seats_at_once(any_db_app):
    people = [attendee() for _ in range(24)]
    for person in people:
        give_seat(person, "ws-diversiteit-1")
    act_id = activity("ws-diversiteit-1").id
    ids = [p.id for p in people]

    def drop(reg_id: int) -> str:
        with any_db_app.app_context():
            try:
                return leave(reg_id, act_id)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(drop, ids)) == {"released"}
    db.session.rollback()
    marks = db.session.scalars(select(AgendaMark).where(AgendaMark.activity_id == act_id)).all()
    assert sorted(m.registration_id for m in marks) == sorted(ids)
    assert {(m.revision, m.dropped) for m in marks} == {(1, True)}


def test_me_export_and_erase_know_the_agenda(app, client):
    reg = attendee(mode="online")  # the factory does not count venue places: stay online here
    follow(reg, "stream-diversiteit")
    auth = bearer(token_for(reg))
    me = client.get("/api/v1/me", headers=auth).get_json()
    assert me["agenda_url"].endswith("/agenda")
    feed = me["calendar_feed_url"].split("5000", 1)[1]
    assert client.get(feed).status_code == 200
    db.session.rollback()
    exported = personal_data.export_data(db.session.get(Registration, reg.id))
    assert exported["agenda"]["followed_streams"][0]["title"] == "Stream: Diversiteit"
    assert "token" not in str(exported["agenda"]) and feed.split("/")[-1] not in str(exported)
    personal_data.erase_registration(reg.id)
    db.session.rollback()
    assert client.get(feed).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Follow)) == 0
