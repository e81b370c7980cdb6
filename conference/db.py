"""The database layer: declarative base, UTC times, SQLite tuning and write transactions."""

from __future__ import annotations

import select
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, registry, scoped_session
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as naive UTC, read back as aware UTC on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use conference.clock.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw SQL on SQLite
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base of every model."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


# Set while a service runs a write transaction: on SQLite the BEGIN then takes the write lock
# at once (BEGIN IMMEDIATE), so two writers queue on the busy timeout instead of one failing
# later with "database is locked" when it upgrades its read lock.
_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


def in_write_transaction() -> bool:
    """Whether the caller runs inside `write_transaction` (for hooks that must know)."""
    return _write_intent.get()


def configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys, and explicit BEGIN handling for pysqlite."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


# A pooled PostgreSQL connection idle longer than this is pinged before use (a firewall may
# have dropped it silently); one used more recently is only checked for a server goodbye.
PING_AFTER_IDLE_SECONDS = 10.0


def configure_postgresql(engine: Engine) -> None:
    """Check pooled connections without a round trip per request (instead of pool_pre_ping).

    A server that ends a connection (a restart, pg_terminate_backend) says so on the socket,
    so an idle connection with something to read is dead or about to be: it is pinged, and
    a failed ping makes the pool open a new one. Under load every connection is checked this
    way; one idle for a while is pinged, as pool_pre_ping would.
    """

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        recent = since is not None and time.monotonic() - since < PING_AFTER_IDLE_SECONDS
        if recent and not select.select([dbapi_conn.fileno()], [], [], 0)[0]:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError() from exc


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Run a block as one write transaction: commit on success, roll back on any error."""
    if isinstance(session, scoped_session):
        session = session()
    token = _write_intent.set(True)
    try:
        if session.in_transaction():
            # A view's reads came first. Pending changes must not leak into this commit.
            if session.new or session.dirty or session.deleted:
                raise RuntimeError("unsaved changes outside a write transaction")
            if session.get_bind().dialect.name == "sqlite":
                # End the read snapshot, so the write starts fresh and BEGIN IMMEDIATE takes
                # the write lock at once.
                session.commit()
            else:
                # READ COMMITTED: each statement already sees every commit, so the read
                # transaction simply goes on as the write one (no COMMIT and BEGIN round
                # trips); what was loaded is expired and read again, as after a commit.
                session.expire_all()
                yield from _commit_or_roll_back(session)
                return
        with session.begin():
            yield session
    finally:
        _write_intent.reset(token)


def _commit_or_roll_back(session: Session) -> Iterator[Session]:
    """Yield the session in its open transaction, then commit it (roll back on any error)."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def dialect_insert(where: Session | str, table: Table) -> Any:
    """An INSERT with ON CONFLICT for a session's database, or a dialect's by name."""
    name = where if isinstance(where, str) else where.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(table)
