"""Shared fixtures: an app on a real SQLite file (or PostgreSQL), tokens, SMTP, a live server.

Only fixtures and hooks live here; what tests import lives in tests/factories.py (rows),
tests/helpers.py (requests and reads) and tests/support/ (tools).
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from conference.cli import create_staff
from conference.extensions import db
from sessions.programme.loader import load_programme_file
from tests.support.apps import (
    PROGRAMME,
    LiveServer,
    make_app,
    postgres_app,
    require_postgres,
    require_redis,
    sqlite_app,
)
from tests.support.smtp import Inbox, free_port


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


@pytest.fixture
def app(sqlite_template, tmp_path) -> Iterator[object]:
    """The app on a fresh SQLite file with the demo programme."""
    app = sqlite_app(sqlite_template, tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_app(request, sqlite_template, tmp_path) -> Iterator[object]:
    """The app on SQLite and, where TEST_DATABASE_URL is set, on PostgreSQL."""
    if request.param == "sqlite":
        app = sqlite_app(sqlite_template, tmp_path)
    else:
        app = postgres_app(request.getfixturevalue("pg_database"))
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


@pytest.fixture
def smtp_server() -> Iterator[Inbox]:
    """A running SMTP server on 127.0.0.1 (aiosmtpd); its address is `smtp_server.url`."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{port}"
    yield inbox
    controller.stop()


@pytest.fixture
def smtp(app, smtp_server) -> Inbox:
    """The SMTP server, with the app sending to it."""
    app.config["SMTP_URL"] = smtp_server.url
    return smtp_server


@pytest.fixture
def live_server(sqlite_template, tmp_path) -> Iterator[LiveServer]:
    """The app on its own SQLite file, served over HTTP."""
    app = sqlite_app(sqlite_template, tmp_path)
    app.config["BASE_URL"] = "http://127.0.0.1"
    with LiveServer(app) as server:
        app.config["BASE_URL"] = server.url
        yield server
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def two_processes(request, sqlite_template, tmp_path):
    """Two apps on one database sharing their stamps in Redis (a prefix of their own)."""
    url = require_redis()
    prefix = f"test-snapshot-{uuid.uuid4().hex}"
    shared = {"REDIS_URL": url, "LIVE_PREFIX": prefix}
    if request.param == "sqlite":
        first = sqlite_app(sqlite_template, tmp_path, **shared)
    else:
        first = postgres_app(request.getfixturevalue("pg_database"), **shared)
    second = make_app(first.config["SQLALCHEMY_DATABASE_URI"], **shared)
    yield first, second
    for app in (first, second):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
