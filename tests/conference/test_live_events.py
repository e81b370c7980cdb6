"""conference.live_events: the event stream of the live stamps, served over real HTTP.

A touched topic reaches an open stream within two seconds (in process, and through Redis from
another app instance and from the stream-only gevent app); a topic outside the page's grant is
refused; every (re)connect sends the current stamps first; a sync gunicorn worker says 503.
"""

from __future__ import annotations

import gc
import html
import json
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

from conference import live, live_events
from conference.extensions import db
from conference.live_app import create_live_app
from streaming.models import Question
from tests.factories import activity_of_kind, attendee
from tests.helpers import login
from tests.support.apps import LiveServer, require_redis, sqlite_app
from tests.support.sse import EventStream

DEADLINE = 2.0
ROOT = Path(__file__).resolve().parents[2]


def live_url(page: str) -> str:
    """The event stream's path as a page gives it (its data-live-url)."""
    found = re.search(r'data-live-url="([^"]+)"', page)
    assert found, "the page has no live stream"
    return html.unescape(found.group(1))


def granted(app, *topics: str) -> str:
    """A stream path with a grant for `topics`, as a page would render it."""
    with app.test_request_context():
        return live_url(str(live_events.attributes(*topics)))


@pytest.fixture
def served(any_db_app):
    """The app (SQLite, then PostgreSQL) served by the threaded server, stamps in memory."""
    with LiveServer(any_db_app) as server:
        yield any_db_app, server


def test_a_question_approved_reaches_an_open_stream_within_two_seconds(served):
    app, server = served
    plenary = activity_of_kind("plenary")
    viewer = attendee("online")
    client = app.test_client()
    login(client, viewer)
    page = client.get(f"/online/kijk/{plenary.id}").get_data(as_text=True)
    with EventStream(server.url, live_url(page)) as stream:
        assert stream.status == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert stream.next_event() == {"retry": str(live_events.RETRY_MS)}
        first = stream.versions(4)
        topics = {f"qa:{plenary.id}", f"polls:{plenary.id}", f"stream:{plenary.id}", "conference"}
        assert set(first) == topics
        began = time.monotonic()
        db.session.add(
            Question(activity_id=plenary.id, user_id=viewer.user_id, text="Nu?", status="approved")
        )
        db.session.commit()
        version, _ = stream.wait_for(f"qa:{plenary.id}", DEADLINE, known=first[f"qa:{plenary.id}"])
        assert version != first[f"qa:{plenary.id}"]
        assert time.monotonic() - began < DEADLINE
    # The page that follows the event: its fragment now has the question.
    fragment = client.get(f"/online/vragen/{plenary.id}/lijst")
    assert "Nu?" in fragment.get_data(as_text=True)


def test_every_live_page_carries_a_stream_of_its_own_topics(app, tokens):
    plenary = activity_of_kind("plenary")
    pages = {
        f"/online/moderatie/{plenary.id}": ("moderator", {f"qa:{plenary.id}", "conference"}),
        f"/online/scherm/{plenary.id}": ("moderator", {f"qa:{plenary.id}", "conference"}),
        "/beheer/checkin": ("checkin", {"arrivals:all"}),
    }
    for path, (role, topics) in pages.items():
        client = app.test_client()
        login(client, role)
        page = client.get(path)
        assert page.status_code == 200, path
        url = live_url(page.get_data(as_text=True))
        assert set(url.split("topics=")[1].split("&")[0].split(",")) == topics, path


def test_topics_outside_the_grant_are_refused(app):
    app.config["LIVE_EVENTS"] = "on"
    client = app.test_client()
    path = granted(app, "qa:1", "conference")
    subset = client.get(path.replace("topics=conference,qa:1", "topics=qa:1"), buffered=False)
    assert subset.status_code == 200  # a part of the grant is fine
    subset.close()
    # Another activity's Q&A with this page's grant, a forged grant, no grant, too many topics.
    assert client.get(path.replace("qa:1", "qa:2", 1)).status_code == 403
    grant = path.split("grant=")[1]
    forged = grant[:-3] + ("AAA" if not grant.endswith("AAA") else "BBB")
    assert client.get(path.replace(grant, forged)).status_code == 403
    assert client.get("/live/events?topics=qa:1").status_code == 403
    many = [f"qa:{n}" for n in range(live_events.MAX_TOPICS + 1)]
    assert client.get(granted(app, *many)).status_code == 403
    # A grant signed with another key (another deployment) is worth nothing here.
    other = sqlite_app_key(app)
    assert client.get(granted(other, "qa:1")).status_code == 403


def sqlite_app_key(app):
    """The same app with another SECRET_KEY (only its signer is used)."""
    from flask import Flask
    from flask_babel import Babel

    other = Flask("other")
    Babel(other)  # the page's language goes with the stream
    other.config["SECRET_KEY"] = "another-key-" + "y" * 32
    other.config["LIVE_EVENTS"] = "on"
    other.extensions["live"] = live.MemoryVersions()
    other.register_blueprint(live_events.bp)
    return other


def test_a_sync_gunicorn_worker_answers_503_and_off_renders_no_stream(app):
    client = app.test_client()
    path = granted(app, "qa:1")
    sync = {"SERVER_SOFTWARE": "gunicorn/23.0.0", "wsgi.multithread": False}
    assert client.get(path, environ_overrides=sync).status_code == 503
    app.config["LIVE_EVENTS"] = "on"
    response = client.get(path, environ_overrides=sync, buffered=False)
    assert response.status_code == 200
    response.close()
    app.config["LIVE_EVENTS"] = "off"
    assert client.get(path).status_code == 503
    with app.test_request_context():
        assert str(live_events.attributes("qa:1")) == ""


def test_a_reconnect_gets_the_current_stamps_and_a_quiet_stream_a_heartbeat(served, monkeypatch):
    app, server = served
    monkeypatch.setattr(live_events, "HEARTBEAT_SECONDS", 0.2)
    path = granted(app, "qa:5", "stream:5")
    with EventStream(server.url, path) as stream:
        stream.next_event()
        before = stream.versions(2)
        quiet = stream.next_event()
        while quiet.get("event") == "content":  # the Q&A's content, when this process has one
            quiet = stream.next_event()
        assert quiet == {"comment": "ping"}
    # Away: the Q&A moved twice. The new connection starts with the stamps now.
    live.versions(app).bump(["qa:5"])
    live.versions(app).bump(["qa:5"])
    with EventStream(server.url, path) as stream:
        stream.next_event()
        now = stream.versions(2)
    assert now["stream:5"] == before["stream:5"]
    assert now["qa:5"] != before["qa:5"]
    with app.app_context():
        assert now["qa:5"] == live.versions().read(["qa:5"])[0]
    # Closed streams are forgotten by the hub (noticed at the next heartbeat's write). The dev
    # server drops the stream's iterator without closing it (gunicorn closes it), so its
    # `finally` runs when the garbage collector frees it.
    deadline = time.monotonic() + 2
    while app.extensions["live_events"].streams() and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.05)
    assert app.extensions["live_events"].streams() == 0


@pytest.fixture
def redis_prefix():
    url = require_redis()
    prefix = f"test-sse-{uuid.uuid4().hex}"
    yield url, prefix
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_with_redis_a_change_on_another_app_reaches_the_stream(
    redis_prefix, sqlite_template, tmp_path
):
    url, prefix = redis_prefix
    listener = sqlite_app(sqlite_template, tmp_path, REDIS_URL=url, LIVE_PREFIX=prefix)
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    writer = sqlite_app(sqlite_template, other_dir, REDIS_URL=url, LIVE_PREFIX=prefix)
    with LiveServer(listener) as server, EventStream(server.url, granted(listener, "qa:9")) as s:
        s.next_event()
        first = s.versions(1)["qa:9"]
        with writer.app_context():
            live.mark(db.session(), "qa:9")
            db.session.commit()
            expected = live.versions().read(["qa:9"])[0]
        version, seconds = s.wait_for("qa:9", DEADLINE, known=first)
    assert (version, version != first) == (expected, True)
    assert seconds < DEADLINE


def test_the_stream_only_app_needs_redis_and_no_database(redis_prefix):
    url, prefix = redis_prefix
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_live_app({"REDIS_URL": ""})
    app = create_live_app({"REDIS_URL": url, "LIVE_PREFIX": prefix, "SECRET_KEY": "k" * 40})
    assert "sqlalchemy" not in app.extensions
    with LiveServer(app) as server, EventStream(server.url, granted(app, "arrivals:all")) as s:
        s.next_event()
        first = s.versions(1)["arrivals:all"]
        live.versions(app).bump(["arrivals:all"])
        _, seconds = s.wait_for("arrivals:all", DEADLINE, known=first)
    assert seconds < DEADLINE


def test_the_stream_only_app_under_gunicorn_gevent(redis_prefix):
    """The production worker: `gunicorn -k gevent` with the stream-only app."""
    url, prefix = redis_prefix
    key = "gevent-test-" + uuid.uuid4().hex
    env = {"REDIS_URL": url, "LIVE_PREFIX": prefix, "SECRET_KEY": key, "PATH": "/usr/bin:/bin"}
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "-k", "gevent", "-w", "1", "-b", f"127.0.0.1:{port}"]
    proc = subprocess.Popen([*command, "conference.live_app:create_live_app()"], cwd=ROOT, env=env)
    app = create_live_app({"REDIS_URL": url, "LIVE_PREFIX": prefix, "SECRET_KEY": key})
    try:
        stream = _connect(f"http://127.0.0.1:{port}", granted(app, "stream:3"), proc)
        with stream:
            stream.next_event()
            first = stream.versions(1)["stream:3"]
            live.versions(app).bump(["stream:3"])
            _, seconds = stream.wait_for("stream:3", DEADLINE, known=first)
        assert seconds < DEADLINE
    finally:
        proc.send_signal(signal.SIGQUIT)  # gunicorn's quick stop, to the process started here
        proc.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _connect(base: str, path: str, proc: subprocess.Popen) -> EventStream:
    deadline = time.monotonic() + 20
    while True:
        assert proc.poll() is None, "gunicorn exited"
        try:
            return EventStream(base, path)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _drawn(*items: tuple[int, str]) -> dict:
    """Content as a renderer draws it, in two languages."""
    return {
        lang: {
            "order": [n for n, _ in items],
            "items": {str(n): f"<li>{lang} {text}</li>" for n, text in items},
            "empty": f"<li>{lang} leeg</li>",
        }
        for lang in ("nl", "en")
    }


def _content(hub: live_events.Hub, topics: list[str], lang: str) -> list[dict]:
    """What a stream of `topics` in `lang` is sent on connect (its content events)."""
    events = []
    for content in hub.contents(topics):
        raw = live_events._in_language(content, lang, full=True)
        events.append(json.loads(raw.split("data: ", 1)[1]))
    return events


def _sent(box, lang: str = "en") -> list[dict]:
    """The content events a stream's queue holds now, in `lang`."""
    sent = []
    while not box.empty():
        _topic, change = box.get_nowait()
        if isinstance(change, live_events.Content):
            raw = live_events._in_language(change, lang, full=False)
            sent.append(json.loads(raw.split("data: ", 1)[1]))
        else:
            sent.append({"version_event": change})
    return sent


def test_the_hub_sends_what_changed_since_the_last_content_and_all_of_it_on_connect(
    monkeypatch,
):
    monkeypatch.setattr(live_events, "CONTENT_INTERVAL", 0)
    hub = live_events.Hub()
    box = hub.subscribe(["qa:1"])
    hub.publish_content("qa:1", "e.1", _drawn((1, "eerste")))
    hub.publish_content("qa:1", "e.2", _drawn((2, "tweede"), (1, "eerste")))
    hub.publish_content("qa:1", "e.1", _drawn())  # a slower writer's older drawing: dropped
    sent = _sent(box)
    assert [(e["version"], e["base"], e["full"]) for e in sent] == [
        ("e.1", None, True),
        ("e.2", "e.1", False),
    ]
    assert sent[1]["order"] == [2, 1] and sent[1]["items"] == {"2": "<li>en tweede</li>"}
    # A page that connects now gets all of it, in its language.
    (full,) = _content(hub, ["qa:1", "stream:1"], "nl")
    assert (full["version"], full["full"], full["order"]) == ("e.2", True, [2, 1])
    assert full["items"] == {"1": "<li>nl eerste</li>", "2": "<li>nl tweede</li>"}
    # A new epoch (Redis lost its data) is newer whatever its count.
    hub.publish_content("qa:1", "f.1", _drawn())
    assert _content(hub, ["qa:1"], "en")[0]["order"] == []


def test_a_busy_topic_sends_its_content_at_most_once_an_interval(monkeypatch):
    monkeypatch.setattr(live_events, "CONTENT_INTERVAL", 0.3)
    hub = live_events.Hub()
    box = hub.subscribe(["polls:1"])
    for n in range(1, 6):  # five votes in quick succession
        hub.publish_content("polls:1", f"e.{n}", _drawn((1, f"{n} stemmen")))
    first = _sent(box)
    assert [(e["version"], e["full"]) for e in first] == [("e.1", True)]
    time.sleep(0.5)
    (later,) = _sent(box)
    # One event for the four that waited: the newest, against what the page has.
    assert (later["version"], later["base"], later["items"]) == (
        "e.5",
        "e.1",
        {"1": "<li>en 5 stemmen</li>"},
    )
    assert _sent(box) == []


def test_a_version_whose_content_does_not_follow_is_sent_after_a_grace(monkeypatch):
    monkeypatch.setattr(live_events, "CONTENT_INTERVAL", 0)
    monkeypatch.setattr(live_events, "CONTENT_GRACE", 0.2)
    hub = live_events.Hub()
    box = hub.subscribe(["qa:1"])
    hub.publish("qa:1", "e.1")
    hub.publish_content("qa:1", "e.1", _drawn((1, "eerste")))
    assert [e.get("version_event") for e in _sent(box)] == ["e.1", None]  # no content known yet
    hub.publish("qa:1", "e.2")  # its content follows: no version event
    hub.publish_content("qa:1", "e.2", _drawn((1, "eerste"), (2, "tweede")))
    hub.publish("qa:1", "e.3")  # its drawing failed on the writer: the version comes after all
    time.sleep(0.4)
    assert [e.get("version_event") or e["version"] for e in _sent(box)] == ["e.2", "e.3"]


def test_a_version_marked_content_follows_waits_for_it_even_before_any_content(monkeypatch):
    """The first change of the day: no content is known yet, and 3,000 pages must not fetch."""
    monkeypatch.setattr(live_events, "CONTENT_INTERVAL", 0)
    monkeypatch.setattr(live_events, "CONTENT_GRACE", 0.2)
    hub = live_events.Hub()
    box = hub.subscribe(["polls:1"])
    hub.publish("polls:1", "e.1", content=True)
    time.sleep(0.05)
    hub.publish_content("polls:1", "e.1", _drawn((1, "open")))  # drawn under load, late
    time.sleep(0.3)
    assert [e.get("version_event") or e["version"] for e in _sent(box)] == ["e.1"]  # content
    hub.publish("polls:1", "e.2", content=True)  # its drawing failed: the version after all
    time.sleep(0.3)
    assert [e.get("version_event") for e in _sent(box)] == ["e.2"]


def test_the_writer_marks_the_topics_whose_content_follows(app, monkeypatch):
    """Through the store: a Q&A change is marked, a stream status change is not."""
    heard = []
    store = live.versions(app)
    monkeypatch.setattr(store, "listeners", [lambda *change: heard.append(change)])
    with app.app_context():
        store.bump(["qa:5", "stream:5"], content=live.carrying_content(["qa:5", "stream:5"]))
    assert sorted((topic, content) for topic, _, content in heard) == [
        ("qa:5", True),
        ("stream:5", False),
    ]
