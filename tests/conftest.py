"""Shared fixtures: an app on a real SQLite file (or PostgreSQL), tokens, a live server."""

from __future__ import annotations

import contextvars
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from conference import create_app
from conference.cli import create_staff
from conference.extensions import db
from sessions.programme.loader import load_programme_file

ROOT = Path(__file__).resolve().parents[1]
PROGRAMME = ROOT / "sessions" / "data" / "sociaalwerkconferentie-2022.yaml"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


class IsolatedClient(FlaskClient):
    """A test client whose requests each get their own app context, as in production.

    The fixtures keep an app context pushed for the test's own database work; without this,
    requests would reuse it and share `g` (the cached user, the cached conference) and the
    test's SQLAlchemy session. After a request, read fresh data with `db.session.rollback()`.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(url: str, **overrides) -> object:
    """An app in testing mode on `url`."""
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "BASE_URL": "http://127.0.0.1:5000",
        "SMTP_URL": "",
        "WTF_CSRF_ENABLED": False,  # tests/test_security* turn it on to prove it is enforced
    }
    config.update(overrides)
    app = create_app(config, env="testing")
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One SQLite file with the schema and the demo programme, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        load_programme_file(PROGRAMME, demo=True)
        db.session.remove()
        db.engine.dispose()
    # Fold the WAL into the main file so a plain copy carries everything.
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return path


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


@pytest.fixture(scope="session")
def pg_database(worker_id) -> Iterator[str]:
    """A database of this test worker's own on the PostgreSQL server of TEST_DATABASE_URL."""
    url = require_postgres()
    parts = urlsplit(url)
    # The pid keeps two runs on one server (two engineers, or a rerun) from dropping each other's.
    name = f"swc_test_{worker_id}_{os.getpid()}".replace("-", "_")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield urlunsplit(parts._replace(path=f"/{name}"))
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    """The xdist worker name ('master' without xdist)."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


def _sqlite_app(template: Path, tmp_path: Path, **overrides):
    path = tmp_path / "conference.sqlite3"
    shutil.copyfile(template, path)
    return make_app(f"sqlite:///{path}", **overrides)


def _postgres_app(url: str, **overrides):
    app = make_app(url, **overrides)
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_programme_file(PROGRAMME, demo=True)
        db.session.remove()
    return app


@pytest.fixture
def app(sqlite_template, tmp_path) -> Iterator[object]:
    """The app on a fresh SQLite file with the demo programme."""
    app = _sqlite_app(sqlite_template, tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_app(request, sqlite_template, tmp_path) -> Iterator[object]:
    """The app on SQLite and, where TEST_DATABASE_URL is set, on PostgreSQL."""
    if request.param == "sqlite":
        app = _sqlite_app(sqlite_template, tmp_path)
    else:
        app = _postgres_app(request.getfixturevalue("pg_database"))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client of `app`."""
    return app.test_client()


@pytest.fixture
def tokens(app) -> dict[str, str]:
    """A bearer token per staff role."""
    result = {}
    for role in ("organiser", "checkin", "moderator"):
        _, raw = create_staff(f"{role}@example.org", role, role.title(), "wachtwoord-" + role)
        result[role] = raw
    return result


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


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


@pytest.fixture
def live_server(sqlite_template, tmp_path) -> Iterator[LiveServer]:
    """The app on its own SQLite file, served over HTTP."""
    app = _sqlite_app(sqlite_template, tmp_path)
    app.config["BASE_URL"] = "http://127.0.0.1"
    with LiveServer(app) as server:
        app.config["BASE_URL"] = server.url
        yield server
    with app.app_context():
        db.engine.dispose()
