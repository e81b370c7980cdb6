"""Apps for the tests: on an SQLite copy or PostgreSQL, with isolated requests, or served live."""

from __future__ import annotations

import contextvars
import os
import shutil
import threading
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from conference import create_app
from conference.extensions import db
from sessions.programme.loader import load_programme_file

ROOT = Path(__file__).resolve().parents[2]
PROGRAMME = ROOT / "sessions" / "data" / "sociaalwerkconferentie-2022.yaml"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


class IsolatedClient(FlaskClient):
    """A test client whose requests each get their own app context, as in production.

    The fixtures keep an app context pushed for the test's own database work; without this,
    requests would reuse it and share `g` (the cached user, the cached conference) and the
    test's SQLAlchemy session. After a request, read fresh data with `db.session.rollback()`.
    """

    def open(self, *args, **kwargs):
        # Buffered, as a server sends it: the whole body is read and the response closed, so
        # work deferred to its close (conference.deferred) has run when the test looks.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(url: str, **overrides) -> Flask:
    """An app in testing mode on `url`."""
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "BASE_URL": "http://127.0.0.1:5000",
        "SMTP_URL": "",
        "WTF_CSRF_ENABLED": False,  # the CSRF tests turn it on to prove it is enforced
    }
    config.update(overrides)
    app = create_app(config, env="testing")
    app.test_client_class = IsolatedClient
    return app


def sqlite_app(template: Path, tmp_path: Path, **overrides) -> Flask:
    """An app on its own copy of the template SQLite file (schema and demo programme)."""
    path = tmp_path / "conference.sqlite3"
    shutil.copyfile(template, path)
    return make_app(f"sqlite:///{path}", **overrides)


def postgres_app(url: str, **overrides) -> Flask:
    """An app on the PostgreSQL database `url`, emptied and loaded with the demo programme."""
    app = make_app(url, **overrides)
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_programme_file(PROGRAMME, demo=True)
        db.session.remove()
    return app


def postgres_url() -> str | None:
    """TEST_DATABASE_URL with the psycopg 3 driver, or None."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    return url


def require_postgres() -> str:
    """The PostgreSQL URL; in CI its absence fails the run, locally it skips with a reason."""
    url = postgres_url()
    if url is None:
        if IN_CI:
            pytest.fail("TEST_DATABASE_URL is not set in CI: the PostgreSQL tests must run there")
        pytest.skip("TEST_DATABASE_URL not set: PostgreSQL tests skipped (set it to run them)")
    return url


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_redis() -> str:
    """The test Redis URL; in CI its absence fails the run, locally it skips with a reason."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} is not reachable in CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} not reachable: Redis tests skipped")
    return REDIS_URL


class LiveServer:
    """The app served on 127.0.0.1 in a thread, for the browser."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
