"""Who is inside where: one presence row per person and checkpoint, changed by single statements.

Concurrent scans of one ticket queue on the row, so exactly one entry wins; an exit is recorded
whether or not the person was inside.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, Protocol

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.orm import Session

from conference.db import dialect_insert
from registration.checkin.models import Presence
from registration.checkin.registry import Checkpoint


class Person(Protocol):
    """Who is scanned: a registration row, or the narrow row a scan reads."""

    id: int
    conference_id: int


def _presence_where(reg_id: int, cp_key: str) -> tuple:
    return (Presence.registration_id == reg_id, Presence.checkpoint == cp_key)


@cache
def _enter_statement(dialect: str) -> Any:
    """The entry's one statement for a database, built once (a scan binds only its values)."""
    table = Presence.__table__
    at = bindparam("at")
    stmt = dialect_insert(dialect, table).values(
        conference_id=bindparam("conference_id"),
        registration_id=bindparam("registration_id"),
        checkpoint=bindparam("checkpoint"),
        activity_id=bindparam("activity_id"),
        inside=True,
        entries=1,
        exits=0,
        first_entry_at=at,
        last_entry_at=at,
        updated_at=bindparam("now"),
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["registration_id", "checkpoint"],
        set_={
            "inside": True,
            "entries": table.c.entries + 1,
            # An offline scan uploaded late may be the earliest arrival.
            "first_entry_at": case(
                (table.c.first_entry_at.is_(None), at),
                (table.c.first_entry_at > at, at),
                else_=table.c.first_entry_at,
            ),
            "last_entry_at": at,
            "updated_at": bindparam("now"),
        },
        where=table.c.inside.is_(False),
    )
    # RETURNING, not rowcount: with an implicit RETURNING psycopg reports no rowcount.
    return stmt.returning(table.c.id)


_OPEN_ENTRY = select(Presence.last_entry_at).where(
    Presence.registration_id == bindparam("registration_id"),
    Presence.checkpoint == bindparam("checkpoint"),
)


def enter(
    session: Session, reg: Person, cp: Checkpoint, at: datetime, now: datetime
) -> datetime | None:
    """Mark the person inside; None if done, else the time of the entry that is still open.

    One statement: insert the (registration, checkpoint) row inside, or, if it exists, update it
    only WHERE it is not inside. Concurrent entries queue on the row, so exactly one wins.
    """
    conn = session.connection()
    keys = {"registration_id": reg.id, "checkpoint": cp.key}
    values = {**keys, "conference_id": reg.conference_id, "activity_id": cp.activity_id}
    inserted = conn.execute(_enter_statement(conn.dialect.name), {**values, "at": at, "now": now})
    if inserted.first() is not None:
        return None
    return conn.execute(_OPEN_ENTRY, keys).scalar()


def leave(session: Session, reg: Person, cp: Checkpoint, at: datetime, now: datetime) -> bool:
    """Mark the person outside; False when they were not inside (the exit is still recorded)."""
    result = session.execute(
        update(Presence)
        .where(*_presence_where(reg.id, cp.key), Presence.inside.is_(True))
        .values(inside=False, exits=Presence.exits + 1, last_exit_at=at, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
