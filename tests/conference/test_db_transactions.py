"""conference.db on PostgreSQL: a read transaction goes on as the write one, and pooled
connections are checked without a ping round trip per request (a dead one is replaced:
tests/quality/test_resilience.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from conference import db as db_module
from conference.db import write_transaction
from conference.extensions import db
from conference.models import Conference
from tests.support.apps import postgres_app

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(pg_database):
    """The app on PostgreSQL only: these are PostgreSQL matters."""
    app = postgres_app(pg_database)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _commits(engine) -> list[int]:
    commits: list[int] = []
    sa.event.listen(engine, "commit", lambda _conn: commits.append(1))
    return commits


def test_a_read_then_a_write_is_one_transaction_and_sees_what_others_committed(pg_app):
    commits = _commits(db.engine)
    conf = db.session.scalar(sa.select(Conference))  # a view's read opens the transaction
    with db.engine.connect() as other:  # another request commits in between
        other.execute(sa.update(Conference).values(venue="Elders"))
        other.commit()
    commits.clear()
    with write_transaction(db.session):
        # Expired as after a commit: read again, so the write sees the other's change.
        assert conf.venue == "Elders"
        conf.tagline = "Sociaal werk doet ertoe"
    assert len(commits) == 1
    db.session.remove()
    assert db.session.scalar(sa.select(Conference.tagline)) == "Sociaal werk doet ertoe"


def test_an_error_in_the_write_rolls_back_the_read_transaction_too(pg_app):
    conf = db.session.scalar(sa.select(Conference))
    with pytest.raises(RuntimeError), write_transaction(db.session):
        conf.tagline = "never stored"
        db.session.flush()
        raise RuntimeError("boom")
    assert not db.session().in_transaction()
    assert db.session.scalar(sa.select(Conference.tagline)) != "never stored"


def test_pending_changes_outside_a_write_transaction_are_refused(pg_app):
    conf = db.session.scalar(sa.select(Conference))
    conf.tagline = "changed outside"
    with pytest.raises(RuntimeError), write_transaction(db.session):
        pass
    db.session.rollback()


def test_a_connection_used_a_moment_ago_is_not_pinged_an_idle_one_is(pg_app, monkeypatch):
    pings: list[int] = []
    real_ping = db.engine.dialect.do_ping
    monkeypatch.setattr(
        db.engine.dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn)
    )
    client = pg_app.test_client()
    assert client.get("/api/v1/programme").status_code == 200
    pings.clear()
    for _ in range(3):
        assert client.get("/api/v1/programme").status_code == 200
    assert pings == []
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert client.get("/api/v1/programme").status_code == 200
    assert pings == [1]
