"""Calendar feeds: RFC 5545 with two parsers, stable UIDs, SEQUENCE, cancellations, 304, DST."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

import icalendar
import pytest
import time_machine
from sqlalchemy import delete, func, select

from conference import hooks
from conference.cli import create_staff
from conference.clock import at_local, isoformat, local
from conference.db import write_transaction
from conference.extensions import db
from conference.mail.delivery import attachment_bytes
from conference.models import MailMessage
from sessions.agenda import calendar, feeds
from sessions.agenda.models import AgendaMark, CalendarFeed
from sessions.agenda.notifications import on_activity_changed
from sessions.agenda.services import agenda_cache
from sessions.programme.loader import load_programme_file
from sessions.seats.models import Seat
from sessions.seats.services import move_person
from tests.factories import activity, attendee, follow, give_seat, token_for
from tests.helpers import bearer, login
from tests.support.apps import PROGRAMME
from tests.support.calendar_rfc import check_rfc5545, event_for, events_by_uid


def feed_path(reg) -> str:
    """The path of the registration's private feed."""
    return urlsplit(feeds.feed_urls(reg)["feed_url"]).path


def fetch(client, path: str, **headers) -> tuple[object, icalendar.Calendar | None]:
    """GET the feed; the response and, for a 200, the parsed and checked calendar."""
    response = client.get(path, headers=headers)
    db.session.rollback()
    cal = check_rfc5545(response.data) if response.status_code == 200 else None
    return response, cal


@pytest.fixture
def db_client(any_db_app):
    """A test client of the app on SQLite and (with TEST_DATABASE_URL) on PostgreSQL."""
    return any_db_app.test_client()


@pytest.fixture
def organiser(any_db_app) -> dict[str, str]:
    """An organiser's bearer header on `any_db_app`."""

    _, raw = create_staff("organiser@example.org", "organiser", "Org", "wachtwoord-organiser")
    return bearer(raw)


def agenda_item(client, auth: dict, activity_id: int) -> dict:
    """One item of `GET /api/v1/me/agenda`."""
    items = client.get("/api/v1/me/agenda", headers=auth).json["items"]
    return next(i for i in items if i["activity_id"] == activity_id)


def test_feed_is_valid_rfc5545_and_reads_the_same_in_two_parsers(any_db_app, db_client):
    client = db_client
    reg = attendee()
    give_seat(reg, "ws-diversiteit-1")
    give_seat(reg, "bezoek-kinderarmoede")
    follow(reg, "stream-eerste-lijn")
    response, cal = fetch(client, feed_path(reg))

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Brussels"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Brussels"]
    slugs = {
        "plenaire-opening", "plenaire-afsluiting", "onthaal", "lunch", "netwerkreceptie",
        "ws-diversiteit-1", "bezoek-kinderarmoede", "stream-eerste-lijn",
    }  # fmt: skip
    ids = {activity(s).id: s for s in slugs}
    assert {int(re.match(r"swc-a(\d+)-", uid).group(1)) for uid in events_by_uid(cal)} == set(ids)

    opening = event_for(cal, activity("plenaire-opening").id)
    assert "Vlaams Platform Sterk Sociaal Werk" in str(opening["DESCRIPTION"])  # the speakers
    assert str(opening["LOCATION"]).startswith("Koningin Elisabethzaal")
    assert str(opening["URL"]).endswith("/programma/plenaire-opening")
    assert str(opening["STATUS"]) == "CONFIRMED"
    assert opening.walk("VALARM")  # a reminder before each event
    workshop = event_for(cal, activity("ws-diversiteit-1").id)
    assert "Thema: Diversiteit" in str(workshop["DESCRIPTION"])
    visit = event_for(cal, activity("bezoek-kinderarmoede").id)
    assert "Verzamelen: Looszaal, infobalie" in str(visit["DESCRIPTION"])
    assert "Terug om 15:00" in str(visit["DESCRIPTION"])
    stream = event_for(cal, activity("stream-eerste-lijn").id)
    assert str(stream["LOCATION"]) == "Online"
    # A seat and the plenaries block time; a followed stream does not.
    assert str(workshop["TRANSP"]) == "OPAQUE" and str(stream["TRANSP"]) == "TRANSPARENT"


def test_uids_are_stable_per_activity_and_person_and_carry_no_personal_data(app, client):
    reg, other = attendee(first_name="Fatima", email="fatima@example.org"), attendee()
    give_seat(reg, "ws-diversiteit-1")
    path = feed_path(reg)
    first, cal1 = fetch(client, path)
    second, cal2 = fetch(client, path)
    agenda_cache().clear()  # a cold build gives the very same bytes
    third, cal3 = fetch(client, path)
    assert first.data == second.data == third.data
    uids = set(events_by_uid(cal1))
    assert uids == set(events_by_uid(cal2)) == set(events_by_uid(cal3))
    # The download carries the same UIDs, so importing it and subscribing do not duplicate.
    login(client, reg)
    download = client.get("/agenda.ics")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert set(events_by_uid(check_rfc5545(download.data))) == uids

    host = urlsplit(app.config["BASE_URL"]).hostname
    for uid in uids:
        assert uid.endswith("@" + host)
        assert "fatima" not in uid.lower() and "example.org" not in uid
        assert f"-{reg.id}@" not in uid
    # Another person has other UIDs for the same activities.
    _, cal_other = fetch(client, feed_path(other))
    assert not uids & set(events_by_uid(cal_other))
    # The feed URL carries the token only: no id, no name, no e-mail.
    assert re.fullmatch(r"/kalender/[A-Za-z0-9_-]{43}\.ics", path)


def test_sequence_and_last_modified_advance_after_a_change(any_db_app, db_client, organiser):
    client = db_client
    ann, bob, cleo = attendee(), attendee(), attendee()
    give_seat(ann, "ws-diversiteit-1")
    give_seat(bob, "ws-diversiteit-1")
    follow(cleo, "stream-diversiteit")
    act = activity("ws-diversiteit-1")
    path = feed_path(ann)
    before, cal = fetch(client, path)
    old = event_for(cal, act.id)
    assert int(old["SEQUENCE"]) == 0

    new_start = act.starts_at + timedelta(minutes=15)
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=5), tick=True):
        response = client.patch(
            f"/api/v1/activities/{act.id}",
            json={"starts_at": new_start.isoformat(), "location": "Zaal 7"},
            headers=organiser,
        )
        assert response.status_code == 200, response.get_json()
        after, cal = fetch(client, path)

    new = event_for(cal, act.id)
    assert int(new["SEQUENCE"]) == 1
    assert str(new["UID"]) == str(old["UID"])
    assert new.decoded("DTSTART") == new_start
    assert str(new["LOCATION"]) == "Zaal 7"
    assert new.decoded("LAST-MODIFIED") > old.decoded("LAST-MODIFIED")
    assert new.decoded("DTSTAMP") > old.decoded("DTSTAMP")
    assert after.headers["ETag"] != before.headers["ETag"]
    # Unchanged events keep their SEQUENCE.
    assert int(event_for(cal, activity("lunch").id)["SEQUENCE"]) == 0

    # One mail per person with a seat, through the outbox, with the updated event attached.
    mails = db.session.scalars(select(MailMessage).filter_by(kind="activity_changed")).all()
    assert sorted(m.registration_id for m in mails) == sorted([ann.id, bob.id])
    mail = next(m for m in mails if m.registration_id == ann.id)
    assert "Zaal 7" in mail.body_text and "Samenleven in diversiteit" in mail.subject

    (ics,) = [a for a in mail.attachments if a["content_type"].startswith("text/calendar")]
    attached = event_for(check_rfc5545(attachment_bytes(ics)), act.id)
    assert str(attached["UID"]) == str(new["UID"]) and int(attached["SEQUENCE"]) == 1

    # The follower of a stream got nothing: the stream did not change. A second signal for the
    # same change (same sequence) queues nothing more.

    with write_transaction(db.session) as session:
        again = on_activity_changed(
            session.get(type(act), act.id), changes={"location": ("Zaal 3", "Zaal 7")},
            session=session,
        )  # fmt: skip
    assert again == 0
    assert db.session.scalar(select(func.count()).select_from(MailMessage)) == len(mails)


def test_a_dropped_or_lost_seat_yields_a_cancelled_event(any_db_app, db_client):
    client = db_client
    reg = attendee()
    give_seat(reg, "ws-diversiteit-1")
    follow(reg, "stream-diversiteit")
    ws, stream = activity("ws-diversiteit-1"), activity("stream-diversiteit")
    path = feed_path(reg)
    auth = bearer(token_for(reg))

    def state(act_id: int) -> tuple[str, int]:
        _, cal = fetch(client, path)
        event = event_for(cal, act_id)
        return str(event["STATUS"]), int(event["SEQUENCE"])

    assert state(ws.id) == ("CONFIRMED", 0)
    # The attendee drops the seat through the seats API.
    assert client.delete(f"/api/v1/me/enrollments/{ws.id}", headers=auth).status_code == 204
    db.session.rollback()
    assert state(ws.id) == ("CANCELLED", 1)
    items = client.get("/api/v1/me/agenda", headers=auth).json["items"]
    assert ws.id not in [i["activity_id"] for i in items]
    # Retaken: confirmed again, with a higher SEQUENCE so calendars replace the cancellation.
    give_seat(reg, "ws-diversiteit-1")
    assert state(ws.id) == ("CONFIRMED", 2)
    # Lost through a bulk delete (not the ORM): still recorded.
    with write_transaction(db.session) as session:
        session.execute(delete(Seat).where(Seat.registration_id == reg.id))
    assert state(ws.id) == ("CANCELLED", 3)
    # Lost by an organiser's move: the old activity is cancelled, the new one confirmed.
    give_seat(reg, "ws-diversiteit-1")

    move_person(reg.id, activity("ws-diversiteit-3").id, actor_id=1, override=True, reason="test")
    db.session.rollback()
    assert state(ws.id) == ("CANCELLED", 5)
    assert state(activity("ws-diversiteit-3").id) == ("CONFIRMED", 0)
    # Unfollowing a stream cancels its event too.
    assert client.delete(f"/api/v1/me/follows/{stream.id}", headers=auth).status_code == 204
    db.session.rollback()
    assert state(stream.id) == ("CANCELLED", 1)


def test_a_revoked_token_gives_404(app, client):
    reg = attendee()
    auth = bearer(token_for(reg))
    links = client.get("/api/v1/me/calendar", headers=auth).json
    assert links["webcal_url"].startswith("webcal://")
    assert links["webcal_url"].split("://")[1] == links["feed_url"].split("://")[1]
    old = urlsplit(links["feed_url"]).path
    token = old.removeprefix("/kalender/").removesuffix(".ics")
    assert len(token) >= 22  # at least 128 bits in URL-safe base64 (we use 256)
    assert client.get(old).status_code == 200
    # Only a hash and a salt are stored, never the token itself.
    db.session.rollback()
    row = db.session.scalar(select(CalendarFeed).filter_by(registration_id=reg.id))
    assert token not in (row.salt, row.token_hash)

    new = urlsplit(client.post("/api/v1/me/calendar/reset", headers=auth).json["feed_url"]).path
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    # The page's form makes a new link as well.
    login(client, reg)
    assert client.post("/agenda/kalender/nieuw").status_code == 302
    db.session.rollback()
    assert client.get(new).status_code == 404
    assert client.get(feed_path(reg)).status_code == 200
    assert client.get("/kalender/not-a-real-token.ics").status_code == 404


def test_an_unchanged_feed_answers_304(any_db_app, db_client):
    client = db_client
    reg = attendee()
    path = feed_path(reg)
    first = client.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.head(path, headers={"If-None-Match": etag}).status_code == 304
    # A change gives a new ETag and a full answer.
    follow(reg, "stream-diversiteit")
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_daylight_saving_0930_in_brussels_on_5_may_is_0730_utc(app, client):
    reg = attendee()
    path = feed_path(reg)
    # The demo moved the day (six weeks ahead, same weekday): 09:30 there, whatever the offset.
    _, moved = fetch(client, path)
    opening = activity("plenaire-opening")
    start = event_for(moved, opening.id).decoded("DTSTART")
    assert start.astimezone(UTC) == at_local(local(opening.starts_at).date(), time(9, 30))
    assert start.astimezone(UTC) == opening.starts_at
    opening_id = opening.id

    # The real date: Thursday 5 May 2022, summer time (CEST, UTC+2).
    load_programme_file(PROGRAMME, demo=False)
    response, cal = fetch(client, path)
    event = event_for(cal, opening_id)
    assert b"\r\nDTSTART;TZID=Europe/Brussels:20220505T093000\r\n" in response.data
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2022, 5, 5, 7, 30, tzinfo=UTC)
    # The VTIMEZONE covers 2022 with the spring change (check_rfc5545 compared both parsers).
    vtimezone = response.data.split(b"BEGIN:VTIMEZONE")[1].split(b"END:VTIMEZONE")[0]
    assert b"20220327T030000" in vtimezone and b"TZOFFSETTO:+0200" in vtimezone
    assert int(event["SEQUENCE"]) == 1  # the reload moved the time: the calendar must update


def test_the_join_link_is_in_the_feed_only_once_released(app, client, tokens):
    reg = attendee(mode="online")
    ow = activity("ow-digitaal-sociaal-werk")
    link = "https://video.example.org/room/digitaal-123"
    client.patch(
        f"/api/v1/activities/{ow.id}", json={"join_url": link}, headers=bearer(tokens["organiser"])
    )
    db.session.rollback()
    give_seat(reg, "ow-digitaal-sociaal-werk")
    path = feed_path(reg)
    auth = bearer(token_for(reg))
    lead = timedelta(minutes=15)  # the conference's join_link_lead_minutes

    with time_machine.travel(ow.starts_at - lead - timedelta(minutes=10), tick=False):
        early, cal = fetch(client, path)
        item = agenda_item(client, auth, ow.id)
    description = str(event_for(cal, ow.id)["DESCRIPTION"])
    assert link not in description and "vanaf 10:30" in description
    assert "join_url" not in item and item["join_url_from"] == isoformat(ow.starts_at - lead)

    with time_machine.travel(ow.starts_at - lead + timedelta(minutes=1), tick=False):
        late, cal = fetch(client, path, **{"If-None-Match": early.headers["ETag"]})
        item = agenda_item(client, auth, ow.id)
    assert late.status_code == 200  # the release changed the feed
    assert link in str(event_for(cal, ow.id)["DESCRIPTION"]).replace("\n", "")
    assert item["join_url"] == link


def test_ics_for_registration_inside_the_callers_write_transaction(app, client):
    reg = attendee()
    path = feed_path(reg)
    fetch(client, path)  # warm the caches
    ws = activity("ws-diversiteit-1")

    class Abort(Exception):
        pass

    try:
        with write_transaction(db.session) as session:
            session.add(Seat(registration_id=reg.id, activity_id=ws.id, source="booking"))
            session.flush()
            data = calendar.ics_for_registration(reg, session=session)
            assert event_for(check_rfc5545(data), ws.id) is not None
            attachment = calendar.ics_attachment(reg, session=session)
            assert attachment["filename"] == "agenda.ics"
            raise Abort
    except Abort:
        pass
    # The rolled-back seat left nothing behind in the cache.
    _, cal = fetch(client, path)
    assert event_for(cal, ws.id) is None


def test_organisers_get_one_ics_per_activity(app, client, tokens):
    act = activity("bezoek-kinderarmoede")
    url = f"/beheer/agenda/activiteit/{act.id}.ics"
    response = client.get(url, headers=bearer(tokens["organiser"]))
    assert response.status_code == 200
    cal = check_rfc5545(response.data)
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]).startswith(f"swc-a{act.id}-team@")
    assert "Plaatsen ingenomen: 0" in str(event["DESCRIPTION"])
    assert client.get(url, headers=bearer(tokens["checkin"])).status_code == 403
    reg = attendee()
    login(client, reg)
    assert client.get(url).status_code == 403


def test_switching_to_online_cancels_the_breaks_and_moves_the_plenaries(app, client):
    reg = attendee()
    path = feed_path(reg)
    _, cal = fetch(client, path)
    lunch, opening = activity("lunch").id, activity("plenaire-opening").id
    assert str(event_for(cal, lunch)["STATUS"]) == "CONFIRMED"
    with write_transaction(db.session) as session:
        row = session.get(type(reg), reg.id)
        row.mode = "online"
        hooks.registration_mode_changed.send(
            row, old_mode="onsite", new_mode="online", session=session
        )
    _, cal = fetch(client, path)
    assert (str(event_for(cal, lunch)["STATUS"]), int(event_for(cal, lunch)["SEQUENCE"])) == (
        "CANCELLED",
        1,
    )
    plenary = event_for(cal, opening)
    assert str(plenary["LOCATION"]) == "Online" and int(plenary["SEQUENCE"]) == 1


def test_a_canceled_registration_cancels_every_event(app, client):
    reg = attendee()
    give_seat(reg, "ws-diversiteit-1")
    path = feed_path(reg)
    with write_transaction(db.session) as session:
        row = session.get(type(reg), reg.id)
        row.status, row.canceled_at = "canceled", datetime.now(UTC)
    _, cal = fetch(client, path)
    events = cal.walk("VEVENT")
    assert events and {str(e["STATUS"]) for e in events} == {"CANCELLED"}
    assert {int(e["SEQUENCE"]) for e in events} == {1}
    assert db.session.scalar(select(func.count()).select_from(AgendaMark)) == 0
