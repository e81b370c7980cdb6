"""Networking moments (slots): the programme's lunch and reception, managed by organisers.

A slot is a published `networking` activity with a number of meeting tables. By default the
networking moments outside the workshop blocks after the opening become slots (lunch and the
reception in the 2022 programme; not the welcome, nor the all-day networking space).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference import audit
from conference.clock import isoformat, utcnow
from conference.db import write_transaction
from conference.errors import Conflict, Invalid
from conference.extensions import db
from conference.models import Conference
from conference.validation import as_id
from sessions.programme.models import Activity, Block
from streaming.networking.errors import BelowBooked, SlotClosed, SlotNotFound
from streaming.networking.models import Meeting, NetworkSlot, SlotCommitment, ThemeTable

MAX_TABLES = 500


def slots(conf: Conference) -> list[NetworkSlot]:
    """The conference's slots in time order (published moments only)."""
    return list(
        db.session.scalars(
            select(NetworkSlot)
            .join(Activity, Activity.id == NetworkSlot.activity_id)
            .where(NetworkSlot.conference_id == conf.id, Activity.published.is_(True))
            .order_by(Activity.starts_at, Activity.id)
        )
    )


def get_slot(conf: Conference, slot_id: Any, session: Session | None = None) -> NetworkSlot:
    """A slot of this conference, or 404."""
    sid = as_id(slot_id)
    slot = (session or db.session).get(NetworkSlot, sid) if sid else None
    if slot is None or slot.conference_id != conf.id or not slot.activity.published:
        raise SlotNotFound()
    return slot


def is_open(slot: NetworkSlot, now: datetime | None = None) -> bool:
    """Meetings and tables can be arranged until the moment ends."""
    return (now or utcnow()) < slot.activity.ends_at


def require_open(slot: NetworkSlot, now: datetime | None = None) -> None:
    """Refuse a change for a moment that is over (409 closed)."""
    if not is_open(slot, now):
        raise SlotClosed()


def slot_json(slot: NetworkSlot, tz: str, language: str) -> dict[str, Any]:
    """A slot as the API shows it."""
    act = slot.activity
    return {
        "id": slot.id,
        "activity_id": act.id,
        "title": (act.title_en if language == "en" else None) or act.title,
        "starts_at": isoformat(act.starts_at, tz),
        "ends_at": isoformat(act.ends_at, tz),
        "location": act.place,
        "tables": slot.tables,
        "tables_free": max(slot.tables - slot.tables_taken, 0),
        "open": is_open(slot),
    }


def default_activities(conf: Conference) -> list[Activity]:
    """Networking moments outside the blocks, after the opening plenary has ended."""
    acts = db.session.scalars(
        select(Activity).where(Activity.conference_id == conf.id, Activity.published.is_(True))
    ).all()
    blocks = db.session.scalars(select(Block).filter_by(conference_id=conf.id)).all()
    plenary_ends = [a.ends_at for a in acts if a.kind == "plenary"]
    after = min(plenary_ends) if plenary_ends else conf.starts_at
    return [
        a
        for a in acts
        if a.kind == "networking"
        and a.starts_at >= after
        and not any(b.starts_at < a.ends_at and a.starts_at < b.ends_at for b in blocks)
    ]


def add_slot(conf: Conference, activity_id: Any, tables: Any, actor: Any = None) -> NetworkSlot:
    """Make a networking activity a slot with `tables` meeting tables (organiser)."""
    count = _table_count(tables)
    aid = as_id(activity_id)
    with write_transaction(db.session) as session:
        act = session.get(Activity, aid) if aid else None
        if act is None or act.conference_id != conf.id or act.kind != "networking":
            raise Invalid(fields={"activity_id": _l("kies een netwerkmoment van het programma")})
        slot = NetworkSlot(conference_id=conf.id, activity_id=act.id, tables=count)
        try:
            with session.begin_nested():
                session.add(slot)
                session.flush()
        except IntegrityError:
            raise Conflict(_l("Dit netwerkmoment staat er al."), code="exists") from None
        audit.record(
            session,
            actor=actor,
            action="networking.slot_added",
            target_type="activity",
            target_id=act.id,
            after={"tables": count},
        )
    return slot


def add_default_slots(conf: Conference, actor: Any = None) -> int:
    """Add the default moments that are not a slot yet; how many were added."""
    have = set(db.session.scalars(select(NetworkSlot.activity_id).filter_by(conference_id=conf.id)))
    added = 0
    for act in default_activities(conf):
        if act.id not in have:
            add_slot(conf, act.id, 20, actor)
            added += 1
    return added


def _table_count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        value = None
    count = as_id(value) if value not in (0, "0") else 0
    if count is None or count > MAX_TABLES:
        raise Invalid(fields={"tables": _l("een getal van 0 tot %(n)d", n=MAX_TABLES)})
    return count


def set_tables(conf: Conference, slot_id: Any, tables: Any, actor: Any = None) -> NetworkSlot:
    """Change a slot's meeting tables; never below the tables in use (409 below_taken)."""
    count = _table_count(tables)
    with write_transaction(db.session) as session:
        slot = get_slot(conf, slot_id, session)
        done = session.execute(
            update(NetworkSlot)
            .where(NetworkSlot.id == slot.id, NetworkSlot.tables_taken <= count)
            .values(tables=count)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not done:
            raise BelowBooked()
        audit.record(
            session,
            actor=actor,
            action="networking.slot_tables",
            target_type="activity",
            target_id=slot.activity_id,
            before={"tables": slot.tables},
            after={"tables": count},
        )
        session.expire(slot)
    return slot


def remove_slot(conf: Conference, slot_id: Any, actor: Any = None) -> None:
    """Remove a slot nobody has a meeting or a table place in (409 below_taken otherwise)."""
    with write_transaction(db.session) as session:
        slot = get_slot(conf, slot_id, session)
        used = session.scalar(select(SlotCommitment.id).filter_by(slot_id=slot.id).limit(1))
        if used is not None:
            raise BelowBooked()
        session.query(Meeting).filter_by(slot_id=slot.id).delete()
        session.query(ThemeTable).filter_by(slot_id=slot.id).delete()
        audit.record(
            session,
            actor=actor,
            action="networking.slot_removed",
            target_type="activity",
            target_id=slot.activity_id,
        )
        session.delete(slot)
