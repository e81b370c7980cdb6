"""Keep each person's agenda history, so a lost or dropped seat shows as a cancelled event.

Seats and follows are rows that disappear when given up; the calendar feed must still send the
event with STATUS:CANCELLED and a higher SEQUENCE. SQLAlchemy session events (installed on
the app's session by `install`, at app start) record every drop and every retake in
`agenda_marks`, in the transaction that makes the change, whichever service makes it (booking,
waiting list, allocation, organiser move, cancellation):

- ORM deletes of a Seat or Follow, and a Seat whose activity_id changes, are drops;
- new Seat or Follow rows retake an earlier drop;
- bulk `delete(Seat)` / `delete(Follow)` statements are drops too.

A mark's `revision` is what the feed adds to `Activity.sequence`; `dropped` is the last recorded
state. If a change slipped past (raw SQL), the reader sees that the state differs from the mark
and adds one, so SEQUENCE still moves forward (see `mark_offset`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import case, event, inspect, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from conference.clock import utcnow
from conference.extensions import db
from sessions.agenda.models import ActivityRevision, AgendaMark, Follow
from sessions.seats.models import Seat

TRACKED = (Seat, Follow)
CHUNK = 400  # pairs per statement: well under SQLite's bound-parameter limit
_PENDING = "agenda_marks_pending"


def mark_offset(revision: int, dropped: bool, present: bool) -> int:
    """What a mark adds to SEQUENCE: its revision, plus one if a change was not recorded."""
    return revision + (1 if dropped == present else 0)


def _insert(conn: Connection, model: type):
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def record_marks(
    conn: Connection,
    pairs: Iterable[tuple[int, int]],
    *,
    before_present: bool,
    after_present: bool,
    now: datetime | None = None,
) -> None:
    """Upsert marks of (registration id, activity id) pairs: the revision passes what was shown."""
    rows = sorted({(r, a) for r, a in pairs if r is not None and a is not None})
    if not rows:
        return
    now = now or utcnow()
    table = AgendaMark.__table__
    stmt = _insert(conn, AgendaMark)
    # The shown offset was revision (+1 if the recorded state was already stale); go one past it.
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.registration_id, table.c.activity_id],
        set_={
            "revision": table.c.revision
            + 1
            + case((table.c.dropped == before_present, 1), else_=0),
            "dropped": not after_present,
            "changed_at": now,
        },
    )
    for start in range(0, len(rows), CHUNK):
        conn.execute(
            stmt,
            [
                {
                    "registration_id": r,
                    "activity_id": a,
                    "revision": 1,
                    "dropped": not after_present,
                    "changed_at": now,
                }
                for r, a in rows[start : start + CHUNK]
            ],
        )


def record_retakes(conn: Connection, pairs: Iterable[tuple[int, int]]) -> None:
    """A seat or follow came back: bump the marks that exist (a first seat needs no mark)."""
    rows = sorted({(r, a) for r, a in pairs if r is not None and a is not None})
    table = AgendaMark.__table__
    now = utcnow()
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        conn.execute(
            update(table)
            .where(tuple_(table.c.registration_id, table.c.activity_id).in_(chunk))
            .values(
                revision=table.c.revision + 1 + case((table.c.dropped.is_(False), 1), else_=0),
                dropped=False,
                changed_at=now,
            )
        )


def record_revision(
    conn: Connection, activity_id: int, content_hash: str, now: datetime | None = None
) -> None:
    """Note that an activity's calendar content changed now (no-op if the hash is the same)."""
    upsert_revisions(conn, [(activity_id, content_hash, now or utcnow())])


def upsert_revisions(conn: Connection, rows: list[tuple[int, str, datetime]]) -> None:
    """Store (activity id, content hash, changed at); a row keeps its time while the hash holds."""
    if not rows:
        return
    table = ActivityRevision.__table__
    stmt = _insert(conn, ActivityRevision)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.activity_id],
        set_={"content_hash": stmt.excluded.content_hash, "changed_at": stmt.excluded.changed_at},
        where=table.c.content_hash != stmt.excluded.content_hash,
    )
    conn.execute(stmt, [{"activity_id": a, "content_hash": h, "changed_at": t} for a, h, t in rows])


# --- Session events -----------------------------------------------------------------------


def _collect_drops(session: Session, _flush_context, _instances) -> None:
    """Read what is about to be deleted while its row still exists."""
    drops: list[tuple[int, int]] = []
    with session.no_autoflush:
        for obj in session.deleted:
            if isinstance(obj, TRACKED):
                drops.append((obj.registration_id, obj.activity_id))
        for obj in session.dirty:
            if isinstance(obj, Seat):
                history = inspect(obj).attrs.activity_id.history
                if history.deleted and history.added:
                    drops.extend((obj.registration_id, old) for old in history.deleted)
    session.info[_PENDING] = drops


def _record_changes(session: Session, _flush_context) -> None:
    """Write the marks in the same transaction as the change."""
    drops = session.info.pop(_PENDING, [])
    retakes = [
        (obj.registration_id, obj.activity_id) for obj in session.new if isinstance(obj, TRACKED)
    ]
    for obj in session.dirty:
        if isinstance(obj, Seat):
            history = inspect(obj).attrs.activity_id.history
            if history.deleted and history.added:
                retakes.append((obj.registration_id, obj.activity_id))
    if not drops and not retakes:
        return
    conn = session.connection()
    if drops:
        record_marks(conn, drops, before_present=True, after_present=False)
    if retakes:
        record_retakes(conn, retakes)


def _bulk_delete(state) -> None:
    """`delete(Seat).where(...)`: read the pairs the statement will remove, then mark them."""
    if not state.is_delete:
        return
    mapper = state.bind_mapper
    if mapper is None or mapper.class_ not in TRACKED:
        return
    table = mapper.local_table
    query = select(table.c.registration_id, table.c.activity_id)
    if state.statement.whereclause is not None:
        query = query.where(state.statement.whereclause)
    conn = state.session.connection()
    pairs = [tuple(row) for row in conn.execute(query, state.parameters or {})]
    record_marks(conn, pairs, before_present=True, after_present=False)


_LISTENERS = (
    ("before_flush", _collect_drops),
    ("after_flush", _record_changes),
    ("do_orm_execute", _bulk_delete),
)


def install() -> None:
    """Listen on the app's session (`db.session`'s factory), once per process."""
    for name, listener in _LISTENERS:
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
