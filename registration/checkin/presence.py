"""Who is inside where: one presence row per person and checkpoint, changed by single statements.

Concurrent scans of one ticket queue on the row, so exactly one entry wins; an exit is recorded
whether or not the person was inside.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registration.checkin.models import Presence
from registration.checkin.registry import Checkpoint
from registration.models import Registration


def dialect_insert(session: Session, table: Table) -> Any:
    """An INSERT with ON CONFLICT for the session's database."""
    name = session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(table)


def _presence_where(reg_id: int, cp_key: str) -> tuple:
    return (Presence.registration_id == reg_id, Presence.checkpoint == cp_key)


def enter(
    session: Session, reg: Registration, cp: Checkpoint, at: datetime, now: datetime
) -> datetime | None:
    """Mark the person inside; None if done, else the time of the entry that is still open.

    One statement: insert the (registration, checkpoint) row inside, or, if it exists, update it
    only WHERE it is not inside. Concurrent entries queue on the row, so exactly one wins.
    """
    table = Presence.__table__
    stmt = dialect_insert(session, table).values(
        conference_id=reg.conference_id,
        registration_id=reg.id,
        checkpoint=cp.key,
        activity_id=cp.activity_id,
        inside=True,
        entries=1,
        exits=0,
        first_entry_at=at,
        last_entry_at=at,
        updated_at=now,
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
            "updated_at": now,
        },
        where=table.c.inside.is_(False),
    )
    # RETURNING, not rowcount: with an implicit RETURNING psycopg reports no rowcount.
    if session.execute(stmt.returning(table.c.id)).first() is not None:
        return None
    return session.scalar(select(Presence.last_entry_at).where(*_presence_where(reg.id, cp.key)))


def leave(session: Session, reg: Registration, cp: Checkpoint, at: datetime, now: datetime) -> bool:
    """Mark the person outside; False when they were not inside (the exit is still recorded)."""
    result = session.execute(
        update(Presence)
        .where(*_presence_where(reg.id, cp.key), Presence.inside.is_(True))
        .values(inside=False, exits=Presence.exits + 1, last_exit_at=at, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
