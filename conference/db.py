"""The database layer: declarative base, UTC times, SQLite tuning and write transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
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


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Run a block as one write transaction: commit on success, roll back on any error."""
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        # End the read snapshot a view may hold, so the write starts fresh (and on SQLite
        # takes the write lock at BEGIN). Pending changes must not leak into this commit.
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("unsaved changes outside a write transaction")
        session.commit()
    token = _write_intent.set(True)
    try:
        with session.begin():
            yield session
    finally:
        _write_intent.reset(token)
