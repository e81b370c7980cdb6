"""conference.live: stamps move after COMMIT only, in memory without Redis, in Redis with it."""

from __future__ import annotations

import time
import uuid

import pytest
import redis
from sqlalchemy import select

from conference import live
from conference.extensions import db
from conference.models import Conference
from tests.support.apps import require_redis, sqlite_app


def _other(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    return folder


def _stamp(topic: str) -> str:
    return live.stamps([topic])


def test_a_mark_moves_the_stamp_when_the_transaction_commits(app):
    before = _stamp("qa:1")
    live.mark(db.session(), "qa:1")
    assert _stamp("qa:1") == before  # marked, not yet committed
    db.session.commit()
    after = _stamp("qa:1")
    assert after != before
    db.session.commit()  # a later commit without marks moves nothing
    assert _stamp("qa:1") == after


def test_a_rolled_back_change_moves_nothing(app):
    before = _stamp("conference")
    conf = db.session.scalar(select(Conference))
    conf.name = "Een naam die nooit bewaard wordt"
    db.session.flush()  # the watched row is flushed (so marked) ...
    db.session.rollback()  # ... and rolled back
    db.session.commit()
    assert _stamp("conference") == before
    conf = db.session.scalar(select(Conference))
    conf.name = "Sociaalwerkconferentie 2022"
    db.session.commit()  # a watched ORM change that commits moves it
    assert _stamp("conference") != before


def test_a_failed_savepoint_keeps_the_outer_marks(app):
    before = _stamp("qa:7")
    session = db.session()
    live.mark(session, "qa:7")
    nested = session.begin_nested()
    nested.rollback()  # e.g. a second vote refused by the UNIQUE constraint
    session.commit()
    assert _stamp("qa:7") != before


def test_without_redis_the_stamps_live_in_this_process(sqlite_template, tmp_path, app):
    assert isinstance(live.versions(), live.MemoryVersions)
    other = sqlite_app(sqlite_template, _other(tmp_path), REDIS_URL="")
    store = live.versions(other)
    assert isinstance(store, live.MemoryVersions)
    # Another process (or a restart) has another epoch: an old ETag never matches again.
    assert store.read(["qa:1"]) != live.versions().read(["qa:1"])


@pytest.fixture
def redis_app(sqlite_template, tmp_path):
    """An app whose stamps live in the real Redis, under a prefix of its own."""
    url = require_redis()
    prefix = f"test-live-{uuid.uuid4().hex}"
    app = sqlite_app(sqlite_template, tmp_path, REDIS_URL=url, LIVE_PREFIX=prefix)
    client = redis.Redis.from_url(url)
    with app.app_context():
        yield app, client, prefix
        db.session.remove()
        db.engine.dispose()
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_with_redis_a_commit_increments_the_key_and_publishes_it(redis_app):
    _app, client, prefix = redis_app
    assert isinstance(live.versions(), live.RedisVersions)
    listener = client.pubsub(ignore_subscribe_messages=True)
    listener.subscribe(f"{prefix}:changes")
    before = _stamp("stream:3")
    live.mark(db.session(), "stream:3", "qa:3")
    db.session.rollback()
    assert client.get(f"{prefix}:v:stream:3") is None  # nothing on a rollback
    live.mark(db.session(), "stream:3", "qa:3")
    db.session.commit()
    assert int(client.get(f"{prefix}:v:stream:3")) == 1
    assert int(client.get(f"{prefix}:v:qa:3")) == 1
    assert _stamp("stream:3") != before
    messages, deadline = [], time.monotonic() + 2
    while len(messages) < 2 and time.monotonic() < deadline:
        message = listener.get_message(timeout=0.5)  # None for the subscription's own reply
        if message is not None:
            messages.append(message["data"])
    # The stamp as `read` gives it (epoch.count), so a page compares it with what it was sent.
    epoch = client.get(f"{prefix}:epoch").decode()
    # The Q&A's content follows its move (the streams wait for it); the status has none.
    assert sorted(messages) == [f"qa:3 {epoch}.1 +".encode(), f"stream:3 {epoch}.1".encode()]
    assert _stamp("stream:3") == f"{epoch}.1"
    listener.close()


def test_with_redis_two_apps_share_the_stamps(redis_app, sqlite_template, tmp_path):
    app, client, prefix = redis_app
    other = sqlite_app(
        sqlite_template, _other(tmp_path), REDIS_URL=app.config["REDIS_URL"], LIVE_PREFIX=prefix
    )
    assert live.versions(other).read(["qa:9"]) == live.versions().read(["qa:9"])
    live.mark(db.session(), "qa:9")
    db.session.commit()
    assert live.versions(other).read(["qa:9"]) == live.versions().read(["qa:9"])
    # Redis lost its data (a flush, a restart without persistence): a new epoch, so every
    # ETag given before is refused even though the counters start again from nothing.
    seen = live.versions().read(["qa:9"])
    client.delete(*client.scan_iter(f"{prefix}:*"))
    live.mark(db.session(), "qa:9")
    db.session.commit()
    assert live.versions().read(["qa:9"]) != seen


def test_an_unreachable_redis_is_no_error_only_no_shortcut(sqlite_template, tmp_path):
    app = sqlite_app(sqlite_template, tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    with app.app_context():
        assert live.versions().read(["qa:1"]) is None
        assert live.etag(["qa:1"], "x") is None
        live.mark(db.session(), "qa:1")
        db.session.commit()  # the commit stands; the stamp could not move (logged)
        db.session.remove()
        db.engine.dispose()
