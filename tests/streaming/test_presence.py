"""Presence: heartbeats become attended minutes (gaps, two tabs, clock skew), viewer counts,
and online attendance handed to the check-in service once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import time_machine
from sqlalchemy import event, func, select

from conference.clock import utcnow
from conference.extensions import db
from registration.checkin.models import Presence as CheckinPresence
from registration.checkin.models import Scan
from registration.models import Registration
from streaming import presence
from streaming.access import Viewer, seat_ids
from streaming.models import StreamPresence, StreamSettings
from tests.factories import activity_of_kind, attendee, conference, fresh, give_seat, token_for
from tests.helpers import at, bearer


def viewer_of(reg) -> Viewer:
    return Viewer(user=reg.user, registration=reg, staff=False, seat_ids=seat_ids(reg))


def beat(reg, act, moment) -> None:
    fresh()  # as a new request: it sees what staff changed meanwhile
    presence.heartbeat(act.id, viewer_of(reg), now=moment)


def minutes_of(reg, act) -> int:
    db.session.rollback()
    return presence.attended_minutes(reg.id).get(act.id, 0)


def seconds_of(reg, act) -> int:
    db.session.rollback()
    row = db.session.scalar(
        select(StreamPresence).filter_by(registration_id=reg.id, activity_id=act.id)
    )
    return row.attended_seconds if row else 0


def test_a_heartbeat_every_minute_for_half_an_hour_is_thirty_minutes(app):
    reg, stream = attendee("online"), activity_of_kind("stream")
    for minute in range(31):
        beat(reg, stream, at(stream, minute))
    assert minutes_of(reg, stream) == 30


def test_a_gap_counts_nothing_but_one_lost_heartbeat_is_tolerated(app):
    reg, stream = attendee("online"), activity_of_kind("stream")
    for minute in [0, 1, 2, 4, 5]:  # the heartbeat of minute 3 got lost: 2 minutes apart
        beat(reg, stream, at(stream, minute))
    assert minutes_of(reg, stream) == 5
    for minute in range(25, 36):  # laptop closed from minute 5 to 25: 20 minutes do not count
        beat(reg, stream, at(stream, minute))
    assert minutes_of(reg, stream) == 5 + 10


def test_two_tabs_count_once(app):
    reg, stream = attendee("online"), activity_of_kind("plenary")
    for minute in range(11):
        beat(reg, stream, at(stream, minute))  # tab one
        beat(reg, stream, at(stream, minute + 0.5))  # tab two, half a minute later
    assert seconds_of(reg, stream) == 10 * 60 + 30
    assert minutes_of(reg, stream) == 10


def test_the_clients_clock_is_ignored(app, client):
    """A phone whose clock is hours off sends its time; the server's clock decides."""
    reg, stream = attendee("online"), activity_of_kind("stream")
    skewed = (at(stream, 0) - timedelta(hours=5)).isoformat()
    headers = bearer(token_for(reg.user))
    for minute in range(6):
        with time_machine.travel(at(stream, minute), tick=False):
            response = client.post(
                f"/api/v1/streams/{stream.id}/heartbeat",
                json={"client_time": skewed},
                headers=headers,
            )
            assert response.status_code == 204
    assert minutes_of(reg, stream) == 5


def test_late_heartbeats_from_a_skewed_server_add_nothing(app):
    """Two app servers whose clocks differ: an out-of-order heartbeat never counts twice."""
    reg, stream = attendee("online"), activity_of_kind("stream")
    for moment in [0, 1, 0.8, 2, 1.5, 3]:
        beat(reg, stream, at(stream, moment))
    assert seconds_of(reg, stream) == 180


def test_only_live_time_counts(app):
    reg, stream = attendee("online"), activity_of_kind("stream")
    duration = int((stream.ends_at - stream.starts_at).total_seconds() // 60)
    for minute in range(-10, 6):  # waiting before the start does not count
        beat(reg, stream, at(stream, minute))
    assert minutes_of(reg, stream) == 5
    for minute in range(duration - 3, duration + 10):  # after the end neither
        beat(reg, stream, at(stream, minute))
    assert minutes_of(reg, stream) == 5 + 3


def test_the_override_decides_when_presence_counts(app, tokens):
    reg, stream = attendee("online"), activity_of_kind("stream")
    # Staff start the stream 10 minutes early: from then on it counts.
    with time_machine.travel(at(stream, -10), tick=False):
        client = app.test_client()
        client.post(
            f"/api/v1/streams/{stream.id}/status",
            json={"override": "live"},
            headers={"Authorization": f"Bearer {tokens['moderator']}"},
        )
    for minute in range(-12, 1):
        beat(reg, stream, at(stream, minute))
    assert minutes_of(reg, stream) == 10
    # "Ended" stops the count at once, whatever the timetable says.
    settings = db.session.get(StreamSettings, stream.id)
    settings.status_override = "ended"
    db.session.commit()
    for minute in range(1, 10):
        beat(reg, stream, at(stream, minute))
    assert minutes_of(reg, stream) == 10


def test_staff_and_anonymous_heartbeats(app, client, tokens):
    stream = activity_of_kind("stream")
    assert client.post(f"/api/v1/streams/{stream.id}/heartbeat").status_code == 401
    staff = {"Authorization": f"Bearer {tokens['moderator']}"}
    assert client.post(f"/api/v1/streams/{stream.id}/heartbeat", headers=staff).status_code == 204
    assert (
        db.session.scalar(select(func.count(StreamPresence.id))) == 0
    )  # previews are not attendance
    checkin = {"Authorization": f"Bearer {tokens['checkin']}"}
    assert client.post(f"/api/v1/streams/{stream.id}/heartbeat", headers=checkin).status_code == 403


def test_online_workshop_heartbeats_need_a_seat(app, client):
    ow = activity_of_kind("online_workshop")
    reg = attendee("online")
    headers = bearer(token_for(reg.user))
    assert client.post(f"/api/v1/streams/{ow.id}/heartbeat", headers=headers).status_code == 403
    give_seat(reg, ow)
    for minute in range(8):
        beat(reg, ow, at(ow, minute))
    assert minutes_of(reg, ow) == 7


def test_live_viewer_counts_count_people_not_tabs(app, tokens):
    stream, other = activity_of_kind("stream"), activity_of_kind("stream", 1)
    a, b, c = attendee("online"), attendee("online"), attendee("online")
    now = at(stream, 20)
    beat(a, stream, now - timedelta(seconds=30))
    beat(a, stream, now - timedelta(seconds=10))  # a second tab
    beat(b, stream, now - timedelta(seconds=50))
    beat(c, stream, now - timedelta(minutes=5))  # left five minutes ago
    beat(c, other, now - timedelta(seconds=5))  # and watches another stream now
    assert presence.live_viewer_counts(conference(), now) == {stream.id: 2, other.id: 1}
    with time_machine.travel(now, tick=False):
        body = (
            app.test_client()
            .get(
                "/api/v1/streams/viewers",
                headers={"Authorization": f"Bearer {tokens['moderator']}"},
            )
            .get_json()
        )
    counts = {row["activity_id"]: row["viewers"] for row in body["streams"]}
    assert counts[stream.id] == 2 and counts[other.id] == 1


def test_online_attendance_becomes_one_check_in(app):
    reg, stream = attendee("online"), activity_of_kind("stream")
    for minute in range(12):
        beat(reg, stream, at(stream, minute))
    db.session.rollback()
    scans = db.session.scalars(select(Scan).filter_by(registration_id=reg.id)).all()
    assert [(s.checkpoint, s.method, s.status) for s in scans] == [
        (f"online:{stream.id}", "online", "ok")
    ]
    # Recorded once the person had watched five minutes.
    assert scans[0].scanned_at == at(stream, 5)
    row = db.session.scalar(select(StreamPresence).filter_by(registration_id=reg.id))
    assert row.checkin_recorded_at == at(stream, 5)


def test_a_failing_check_in_service_does_not_lose_the_heartbeat(app, monkeypatch):
    def broken(*_args):
        raise RuntimeError("check-in down")

    monkeypatch.setattr(presence, "record_online_presence", broken)
    reg, stream = attendee("online"), activity_of_kind("stream")
    for minute in range(8):
        beat(reg, stream, at(stream, minute))
    assert minutes_of(reg, stream) == 7  # the minutes are kept without a check-in
    # Not handed over, so it is tried again on a later heartbeat.
    assert db.session.scalar(select(StreamPresence.checkin_recorded_at)) is None


def test_concurrent_tabs_fold_into_one_row(any_db_app, monkeypatch):
    """Two tabs of one person send each heartbeat at the same moment, on real threads."""
    app = any_db_app
    real_hook = presence.record_online_presence
    calls = []
    lock = threading.Lock()

    def counting_hook(*args):
        with lock:
            calls.append(args[1:3])
        return real_hook(*args)

    monkeypatch.setattr(presence, "record_online_presence", counting_hook)
    reg, stream = attendee("online"), activity_of_kind("stream")
    reg_id, stream_id = reg.id, stream.id
    moments = [at(stream, minute) for minute in range(11) for _tab in range(4)]

    def send(moment):
        with app.app_context():
            person = db.session.get(Registration, reg_id)
            viewer = Viewer(user=person.user, registration=person, staff=False)
            presence.heartbeat(stream_id, viewer, now=moment)

    with ThreadPoolExecutor(max_workers=8) as pool:
        # One minute at a time, its four heartbeats at once.
        for start in range(0, len(moments), 4):
            list(pool.map(send, moments[start : start + 4]))
    db.session.rollback()
    rows = db.session.scalars(select(StreamPresence).filter_by(registration_id=reg_id)).all()
    assert len(rows) == 1
    assert rows[0].beats == len(moments)
    assert rows[0].attended_seconds == 10 * 60
    # Handed to the check-in service exactly once, however many heartbeats raced.
    assert calls == [(reg_id, stream_id)]
    online = CheckinPresence.checkpoint == f"online:{stream_id}"
    assert db.session.scalar(select(func.count(CheckinPresence.id)).where(online)) == 1


def test_heartbeat_rows_use_the_servers_clock(app, client):
    reg, stream = attendee("online"), activity_of_kind("radio")
    moment = at(stream, 30)
    headers = bearer(token_for(reg.user))
    with time_machine.travel(moment, tick=False):
        response = client.post(
            f"/api/v1/streams/{stream.id}/heartbeat",
            json={"client_time": "gisteren"},
            headers=headers,
        )
    assert response.status_code == 204
    db.session.rollback()
    row = db.session.scalar(select(StreamPresence))
    assert row.last_seen_s == presence.epoch(moment) and row.first_seen_s == presence.epoch(moment)
    assert utcnow() < moment  # the demo day lies ahead: the travel did its work


def test_a_heartbeat_reads_no_stream_row_while_its_stamp_stands(app, client):
    """Thousands of viewers beat every minute: the stream's facts are kept per process."""
    reg, stream = attendee("online"), activity_of_kind("stream")
    url, headers = f"/api/v1/streams/{stream.id}/heartbeat", bearer(token_for(reg.user))
    assert client.post(url, headers=headers).status_code == 204
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert client.post(url, headers=headers).status_code == 204
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    read = " ".join(s for s in seen if s.startswith("SELECT"))
    # (The conference row is the snapshot's, kept where the stamps are shared: test_snapshot.)
    for table in ("activities", "stream_settings"):
        assert f"FROM {table} " not in read, table
    assert [s.split()[1] for s in seen if s.startswith("UPDATE")] == [
        "stream_presence",
        "online_attendance",
    ]
