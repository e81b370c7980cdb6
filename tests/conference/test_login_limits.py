"""Password guessing is limited per account, not only per IP: growing waits and a notice.

Before (issue 20), the staff login counted per IP only, and without REDIS_URL per worker: 40
wrong passwords for one organiser from 40 addresses all got through.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import timedelta

import pytest
import redis
import time_machine
from sqlalchemy import select

from conference.cli import create_staff
from conference.clock import utcnow
from conference.extensions import db, limiter
from conference.login_guard import FREE_TRIES, address_key, delay_after
from conference.models import LoginFailure, MailMessage
from tests.support.apps import make_app

ORGANISER = "organiser@example.org"
RIGHT = "wachtwoord-organiser"


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


@pytest.fixture
def redis_app(app):
    """The same app counting in the real Redis of 127.0.0.1:6379, in a namespace of its own."""
    namespace = f"test-login-{uuid.uuid4().hex}"
    app.config.update(REDIS_URL="redis://127.0.0.1:6379/0", LOGIN_LIMIT_NAMESPACE=namespace)
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    yield app, client, namespace
    keys = list(client.scan_iter(f"{namespace}:*"))
    if keys:
        client.delete(*keys)


def _try(client, password: str, email: str = ORGANISER, ip: str = "10.0.0.1"):
    return client.post(
        "/beheer/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def _notices() -> list[MailMessage]:
    db.session.rollback()
    return list(db.session.scalars(select(MailMessage).filter_by(kind="staff_login_notice")))


def test_the_wait_grows_and_has_a_ceiling():
    assert [delay_after(n) for n in range(FREE_TRIES)] == [0] * FREE_TRIES
    assert [delay_after(n) for n in (5, 6, 7, 8)] == [30, 60, 120, 240]
    assert delay_after(50) == 3600


def test_an_account_waits_after_five_wrong_passwords_and_its_holder_is_told(app, client, tokens):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        for i in range(FREE_TRIES):
            assert _try(client, f"fout-{i}", ip=f"10.0.0.{i}").status_code == 401
        # From another address, with the right password: still the account's wait.
        waiting = _try(client, RIGHT, ip="10.9.9.9")
        assert waiting.status_code == 429
        assert "Te veel mislukte pogingen" in waiting.get_data(as_text=True)
    [notice] = _notices()
    assert notice.to_address == ORGANISER and "5 keer" in notice.body_text
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        assert _try(client, "nog-fout").status_code == 401  # the sixth: a minute now
        assert _try(client, RIGHT).status_code == 429
    with time_machine.travel(start + timedelta(seconds=31 + 61), tick=False):
        assert _try(client, RIGHT).status_code == 302  # and the count starts again
    db.session.rollback()
    assert db.session.scalar(select(LoginFailure).filter_by(key=address_key(ORGANISER))) is None
    assert len(_notices()) == 1


def test_an_unknown_address_is_limited_the_same_way_and_nobody_is_mailed(app, client, tokens):
    answers = [_try(client, "fout", email="niemand@example.org").status_code for _ in range(6)]
    assert answers == [401] * FREE_TRIES + [429]
    assert _notices() == []
    stored = db.session.scalars(select(LoginFailure.key)).all()
    assert stored == [address_key("niemand@example.org")]  # a keyed hash, not the address


def test_forty_guesses_from_forty_addresses_mostly_wait(sqlite_template, tmp_path):
    path = tmp_path / "limits.sqlite3"
    shutil.copyfile(sqlite_template, path)
    app = make_app(f"sqlite:///{path}", RATELIMIT_ENABLED=True)  # the per-IP limit stays too
    with app.app_context():
        limiter.reset()
        create_staff(ORGANISER, "organiser", None, RIGHT)
        client = app.test_client()
        codes = [_try(client, f"gok-{i}", ip=f"10.1.{i}.1").status_code for i in range(40)]
        assert codes.count(401) == FREE_TRIES and codes.count(429) == 40 - FREE_TRIES, codes
        db.session.remove()
        db.engine.dispose()


def test_with_redis_the_counts_live_in_redis(redis_app, tokens):
    app, client_redis, namespace = redis_app
    client = app.test_client()
    for i in range(FREE_TRIES):
        assert _try(client, f"fout-{i}").status_code == 401
    assert _try(client, RIGHT).status_code == 429
    key = address_key(ORGANISER)
    assert int(client_redis.get(f"{namespace}:fails:{key}")) == FREE_TRIES
    assert 0 < client_redis.ttl(f"{namespace}:wait:{key}") <= 30
    assert not [k for k in client_redis.scan_iter(f"{namespace}:*") if b"example" in k]
    assert db.session.scalar(select(LoginFailure)) is None  # nothing in the database
    assert len(_notices()) == 1
    client_redis.delete(f"{namespace}:wait:{key}")  # the wait is over
    assert _try(client, RIGHT).status_code == 302
    assert list(client_redis.scan_iter(f"{namespace}:*")) == []
