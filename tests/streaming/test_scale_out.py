"""Scale-out: two app servers (two hosts behind a load balancer) on one PostgreSQL and one Redis.

A question asked and approved through one server reaches a viewer polling the other within two
seconds: the Q&A's stamp moves in Redis at the commit, so the other server's next poll is a 200
instead of a 304. Each server is its own app instance (its own engine, store and memory),
served over HTTP.
"""

from __future__ import annotations

import http.client
import json
import time
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
import redis

from conference.cli import create_staff
from conference.extensions import db
from tests.factories import activity_of_kind, attendee, token_for
from tests.support.apps import LiveServer, make_app, postgres_app, require_redis
from tests.support.sse import EventStream

DEADLINE_SECONDS = 2.0


@pytest.fixture
def two_servers(pg_database) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two app instances on one PostgreSQL database and one Redis, each on its own port."""
    url = require_redis()
    prefix = f"test-scale-{uuid.uuid4().hex}"
    first = postgres_app(pg_database, REDIS_URL=url, LIVE_PREFIX=prefix)
    second = make_app(pg_database, REDIS_URL=url, LIVE_PREFIX=prefix)
    with LiveServer(first) as a, LiveServer(second) as b:
        with first.app_context():
            yield a, b
            db.session.remove()
            db.engine.dispose()
        with second.app_context():
            db.engine.dispose()
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def call(base: str, method: str, path: str, headers: dict, body=None):
    """One HTTP request: (status, headers, JSON body or None)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        data = None if body is None else json.dumps(body).encode()
        all_headers = {**headers, **({"Content-Type": "application/json"} if data else {})}
        conn.request(method, path, body=data, headers=all_headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, dict(response.getheaders()), json.loads(raw) if raw else None
    finally:
        conn.close()


def delivered_within(
    base: str, path: str, headers: dict, arrived: Callable[[dict], bool], etag: str
) -> float:
    """Poll `path` on `base` as a page does (If-None-Match) until `arrived(body)`; the seconds."""
    began = time.monotonic()
    while time.monotonic() - began < DEADLINE_SECONDS:
        status, answer_headers, body = call(base, "GET", path, {**headers, "If-None-Match": etag})
        if status == 200:
            etag = answer_headers["ETag"]
            if arrived(body):
                return time.monotonic() - began
        else:
            assert status == 304, status
        time.sleep(0.05)
    raise AssertionError(f"not delivered through {base} within {DEADLINE_SECONDS} s")


@pytest.mark.postgres
def test_an_approved_question_reaches_a_viewer_on_the_other_server(two_servers):
    a, b = two_servers
    plenary = activity_of_kind("plenary")
    viewer = {"Authorization": f"Bearer {token_for(attendee('online'))}"}
    asker = {"Authorization": f"Bearer {token_for(attendee('online'))}"}
    _, raw = create_staff("moderator@example.org", "moderator", "Moderator", "wachtwoord-mod-1")
    moderator = {"Authorization": f"Bearer {raw}"}
    path = f"/api/v1/activities/{plenary.id}/questions"
    status, headers, body = call(b.url, "GET", path, viewer)
    assert (status, body["questions"]) == (200, [])
    etag = headers["ETag"]
    assert call(b.url, "GET", path, {**viewer, "If-None-Match": etag})[0] == 304

    status, _, asked = call(a.url, "POST", path, asker, {"text": "Hoe houden we het haalbaar?"})
    assert status == 201 and asked["status"] == "pending"
    approve = {"status": "approved"}
    status, _, _ = call(a.url, "PATCH", f"/api/v1/questions/{asked['id']}", moderator, approve)
    assert status == 200

    def shown(body: dict) -> bool:
        return [q["id"] for q in body["questions"]] == [asked["id"]]

    seconds = delivered_within(b.url, path, viewer, shown, etag)
    assert seconds < DEADLINE_SECONDS


@pytest.mark.postgres
def test_a_poll_result_reaches_a_viewer_on_the_other_server(two_servers):
    a, b = two_servers
    plenary = activity_of_kind("plenary")
    viewer = {"Authorization": f"Bearer {token_for(attendee('online'))}"}
    voter = {"Authorization": f"Bearer {token_for(attendee('online'))}"}
    _, raw = create_staff("moderator@example.org", "moderator", "Moderator", "wachtwoord-mod-1")
    moderator = {"Authorization": f"Bearer {raw}"}
    poll = {"question": "Haalbaar?", "kind": "single", "options": ["ja", "nee"]}
    status, _, made = call(a.url, "POST", f"/api/v1/activities/{plenary.id}/polls", moderator, poll)
    assert status == 201
    assert call(a.url, "POST", f"/api/v1/polls/{made['id']}/open", moderator)[0] == 200
    path = f"/api/v1/polls/{made['id']}"
    status, headers, body = call(b.url, "GET", path, viewer)
    assert (status, body["votes"]) == (200, 0)
    etag = headers["ETag"]
    assert call(b.url, "GET", path, {**viewer, "If-None-Match": etag})[0] == 304

    status, _, _ = call(a.url, "POST", f"{path}/vote", voter, {"options": [1]})
    assert status == 200

    def counted(body: dict) -> bool:
        return body["votes"] == 1 and [r["votes"] for r in body["results"]] == [0, 1]

    seconds = delivered_within(b.url, path, viewer, counted, etag)
    assert seconds < DEADLINE_SECONDS


def _stream_path(server: LiveServer, topic: str, lang: str = "nl") -> str:
    """The event stream a page of `server` in `lang` opens for `topic`."""
    from conference import live_events

    with server.app.test_request_context(f"/?lang={lang}"):
        attributes = str(live_events.attributes(topic))
    return attributes.split('data-live-url="')[1].split('"')[0].replace("&amp;", "&")


def test_an_approved_question_reaches_a_live_stream_on_the_other_server(two_servers):
    """The same through Server-Sent Events: the event, then one fetch, within two seconds."""

    a, b = two_servers
    plenary = activity_of_kind("plenary")
    viewer = {"Authorization": f"Bearer {token_for(attendee('online'))}"}
    asker = {"Authorization": f"Bearer {token_for(attendee('online'))}"}
    _, raw = create_staff("moderator@example.org", "moderator", "Moderator", "wachtwoord-mod-1")
    moderator = {"Authorization": f"Bearer {raw}"}
    path = f"/api/v1/activities/{plenary.id}/questions"
    _, headers, _ = call(b.url, "GET", path, viewer)
    topic = f"qa:{plenary.id}"
    with EventStream(b.url, _stream_path(b, topic)) as stream:
        stream.next_event()
        known = stream.versions(1)[topic]
        status, _, asked = call(a.url, "POST", path, asker, {"text": "Via de stroom?"})
        began = time.monotonic()
        approve = {"status": "approved"}
        call(a.url, "PATCH", f"/api/v1/questions/{asked['id']}", moderator, approve)
        stream.wait_for(topic, DEADLINE_SECONDS, known=known)
        status, _, body = call(b.url, "GET", path, {**viewer, "If-None-Match": headers["ETag"]})
        seconds = time.monotonic() - began
    assert status == 200 and [q["id"] for q in body["questions"]] == [asked["id"]]
    assert seconds < DEADLINE_SECONDS


def test_an_approved_question_is_pushed_to_streams_on_the_other_server(two_servers):
    """With the content in the event: the question itself reaches the page, no fetch at all."""

    a, b = two_servers
    plenary = activity_of_kind("plenary")
    asker = {"Authorization": f"Bearer {token_for(attendee('online'))}"}
    _, raw = create_staff("moderator@example.org", "moderator", "Moderator", "wachtwoord-mod-1")
    moderator = {"Authorization": f"Bearer {raw}"}
    path = f"/api/v1/activities/{plenary.id}/questions"
    topic = f"qa:{plenary.id}"
    dutch_path, english_path = _stream_path(b, topic, "nl"), _stream_path(b, topic, "en")
    with EventStream(b.url, dutch_path) as dutch, EventStream(b.url, english_path) as english:
        status, _, asked = call(a.url, "POST", path, asker, {"text": "Rechtstreeks naar jou?"})
        assert status == 201 and asked["status"] == "pending"
        began = time.monotonic()
        approve = {"status": "approved"}
        call(a.url, "PATCH", f"/api/v1/questions/{asked['id']}", moderator, approve)

        def holds(data: dict) -> bool:
            return asked["id"] in data["order"]

        seen, _ = dutch.wait_content(topic, DEADLINE_SECONDS, holds)
        seconds = time.monotonic() - began
        seen_en, _ = english.wait_content(topic, DEADLINE_SECONDS, holds)
    assert seconds < DEADLINE_SECONDS
    item = seen["items"][str(asked["id"])]
    assert "Rechtstreeks naar jou?" in item and "Ik wil dit ook weten" in item
    assert "I want to know this too" in seen_en["items"][str(asked["id"])]
    # Nothing personal in what every viewer gets: no form token, no asker.
    assert 'name="csrf_token" value=""' in item
    assert "moderator@example.org" not in item and "Moderator" not in item


def test_poll_counts_are_pushed_to_streams_on_the_other_server(two_servers):
    a, b = two_servers
    plenary = activity_of_kind("plenary")
    voter = {"Authorization": f"Bearer {token_for(attendee('online'))}"}
    _, raw = create_staff("moderator@example.org", "moderator", "Moderator", "wachtwoord-mod-1")
    moderator = {"Authorization": f"Bearer {raw}"}
    poll = {"question": "Haalbaar?", "kind": "single", "options": ["ja", "nee"]}
    status, _, made = call(a.url, "POST", f"/api/v1/activities/{plenary.id}/polls", moderator, poll)
    assert status == 201
    topic = f"polls:{plenary.id}"
    with EventStream(b.url, _stream_path(b, topic)) as stream:
        assert call(a.url, "POST", f"/api/v1/polls/{made['id']}/open", moderator)[0] == 200
        opened, _ = stream.wait_content(topic, DEADLINE_SECONDS, lambda d: d["order"])
        assert opened["states"] == {str(made["id"]): "open"}
        began = time.monotonic()
        status, _, _ = call(
            a.url, "POST", f"/api/v1/polls/{made['id']}/vote", voter, {"options": [1]}
        )
        assert status == 200

        def counted(data: dict) -> bool:
            return "1 persoon stemde" in data["items"].get(str(made["id"]), "")

        seen, _ = stream.wait_content(topic, DEADLINE_SECONDS, counted)
        seconds = time.monotonic() - began
    assert seconds < DEADLINE_SECONDS
    assert seen["base"] == opened["version"] and not seen["full"]
    # What every viewer gets: the counts, nobody's ballot.
    assert "csrf_token" not in seen["items"][str(made["id"])]
