"""The app survives a database that drops its connections, and restores from backups."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa

from conference.extensions import db
from tests.support.apps import make_app, postgres_app

OTHER_BACKENDS = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


@pytest.fixture
def pg_app(pg_database):
    """The app on PostgreSQL only: connection drops and pg_dump are PostgreSQL matters."""
    app = postgres_app(pg_database)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres
def test_the_next_request_reconnects_after_postgresql_dropped_every_connection(pg_app):
    app = pg_app
    client = app.test_client()
    assert client.get("/api/v1/programme").status_code == 200  # the pool holds a connection now
    db.session.remove()
    # What a server restart looks like to the app: every connection of this database is cut.
    admin = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        killed = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
        # pg_terminate_backend only signals: a restart has closed every socket before the next
        # request comes, so wait until the backends are gone (the pool checks the sockets).
        for _ in range(100):
            left = conn.execute(sa.text(OTHER_BACKENDS)).scalar()
            if not left:
                break
            time.sleep(0.05)
    admin.dispose()
    assert killed >= 1
    response = client.get("/api/v1/programme")
    assert response.status_code == 200
    assert len(response.get_json()["activities"]) > 40


def _programme_counts(app) -> tuple[int, int]:
    client = app.test_client()
    body = client.get("/api/v1/programme").get_json()
    return len(body["activities"]), body["conference"]["onsite_capacity"]


def test_an_sqlite_backup_restores_and_serves(app, tmp_path):
    source = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    backup_path = tmp_path / "backup.sqlite3"
    # The online backup API copies a consistent snapshot, also while the app writes (WAL).
    with sqlite3.connect(source) as live, sqlite3.connect(backup_path) as backup:
        live.backup(backup)
    restored_path = tmp_path / "restored.sqlite3"
    shutil.copyfile(backup_path, restored_path)
    restored = make_app(f"sqlite:///{restored_path}")
    assert _programme_counts(restored) == _programme_counts(app)
    with restored.app_context():
        db.engine.dispose()


@pytest.mark.postgres
def test_a_pg_dump_restores_into_an_empty_database_and_serves(pg_app):
    app = pg_app
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is missing (Debian package postgresql-client)")
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    target = parts.path.lstrip("/") + "_restore"
    libpq = urlunsplit(parts)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{target}"'))
    try:
        dump = subprocess.run(
            ["pg_dump", "--no-owner", libpq], check=True, capture_output=True
        ).stdout
        target_libpq = urlunsplit(parts._replace(path=f"/{target}"))
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", target_libpq],
            input=dump,
            check=True,
            capture_output=True,
        )
        restored = make_app(urlunsplit(urlsplit(url)._replace(path=f"/{target}")))
        assert _programme_counts(restored) == _programme_counts(app)
        with restored.app_context():
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
        admin.dispose()
