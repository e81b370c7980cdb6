"""Themed tables ("tafelgesprekken"): organisers set them up, attendees book a place.

A place is taken like a workshop seat: one conditional `UPDATE ... SET taken = taken + 1 WHERE
taken < capacity` (with `CHECK taken <= capacity`), and a commitment row that is UNIQUE per
person and slot, so nobody sits at two tables, or at a table and a meeting, at one moment.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference import audit
from conference.db import write_transaction
from conference.errors import Invalid, NotFound
from conference.extensions import db
from conference.models import Conference
from conference.validation import as_id, text_field
from registration.models import Registration
from sessions.programme.models import Theme
from streaming.networking.errors import BelowBooked, Busy, NotRegistered, TableFull, WrongMode
from streaming.networking.models import NetworkSlot, SlotCommitment, TableBooking, ThemeTable
from streaming.networking.slots import get_slot, require_open

MAX_CAPACITY = 1000


class _Full(Exception):
    """Raised inside the savepoint so it rolls back."""


def tables(conf: Conference, slot_id: int | None = None) -> list[ThemeTable]:
    """The themed tables (of one slot), by slot and theme."""
    stmt = (
        select(ThemeTable)
        .join(NetworkSlot, NetworkSlot.id == ThemeTable.slot_id)
        .join(Theme, Theme.id == ThemeTable.theme_id)
        .where(NetworkSlot.conference_id == conf.id)
        .order_by(NetworkSlot.id, Theme.position, ThemeTable.id)
    )
    if slot_id is not None:
        stmt = stmt.where(ThemeTable.slot_id == slot_id)
    return list(db.session.scalars(stmt))


def get_table(conf: Conference, table_id: Any, session: Session | None = None) -> ThemeTable:
    """A themed table of this conference, or 404."""
    tid = as_id(table_id)
    table = (session or db.session).get(ThemeTable, tid) if tid else None
    if table is None or table.slot.conference_id != conf.id:
        raise NotFound(_l("Die tafel bestaat niet."))
    return table


def _capacity(value: Any) -> int:
    number = as_id(value) if not isinstance(value, bool) else None
    if number is None or number > MAX_CAPACITY:
        raise Invalid(fields={"capacity": _l("een getal van 1 tot %(n)d", n=MAX_CAPACITY)})
    return number


def add_table(conf: Conference, data: dict[str, Any], actor: Any = None) -> ThemeTable:
    """Set up a themed table at a slot (organiser): theme, title (Dutch, English), capacity."""
    errors: dict[str, Any] = {}
    title = text_field(data.get("title"), "title", 200, errors)
    title_en = text_field(data.get("title_en"), "title_en", 200, errors)
    if not title and "title" not in errors:
        errors["title"] = _l("vul een titel in")
    theme_id = as_id(data.get("theme_id"))
    theme = db.session.get(Theme, theme_id) if theme_id else None
    if theme is None or theme.conference_id != conf.id:
        errors["theme_id"] = _l("kies een thema")
    try:
        capacity = _capacity(data.get("capacity"))
    except Invalid as exc:
        errors.update(exc.fields or {})
    if errors:
        raise Invalid(fields=errors)
    with write_transaction(db.session) as session:
        slot = get_slot(conf, data.get("slot_id"), session)
        table = ThemeTable(
            slot_id=slot.id, theme_id=theme.id, title=title, title_en=title_en, capacity=capacity
        )
        session.add(table)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="networking.table_added",
            target_type="theme_table",
            target_id=table.id,
            after={"title": title, "capacity": capacity},
        )
    return table


def remove_table(conf: Conference, table_id: Any, actor: Any = None) -> None:
    """Remove a themed table nobody booked (409 below_taken otherwise)."""
    with write_transaction(db.session) as session:
        table = get_table(conf, table_id, session)
        if session.scalar(select(TableBooking.id).filter_by(table_id=table.id).limit(1)):
            raise BelowBooked()
        audit.record(
            session,
            actor=actor,
            action="networking.table_removed",
            target_type="theme_table",
            target_id=table.id,
        )
        session.delete(table)


def book(registration: Registration, table_id: Any) -> TableBooking:
    """Take a place at a themed table (on site, registered); 409 full, busy or closed."""
    if registration.status != "registered":
        raise NotRegistered()
    if registration.mode != "onsite":
        raise WrongMode(_l("Tafelgesprekken zijn ter plaatse. Je bent online ingeschreven."))
    with write_transaction(db.session) as session:
        table = get_table(registration.conference, table_id, session)
        require_open(table.slot)
        booking = TableBooking(table_id=table.id, registration_id=registration.id)
        try:
            with session.begin_nested():
                taken = session.execute(
                    update(ThemeTable)
                    .where(ThemeTable.id == table.id, ThemeTable.taken < ThemeTable.capacity)
                    .values(taken=ThemeTable.taken + 1)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if not taken:
                    raise _Full()
                session.add(booking)
                session.flush()
                session.add(
                    SlotCommitment(
                        slot_id=table.slot_id,
                        registration_id=registration.id,
                        kind="table",
                        booking_id=booking.id,
                    )
                )
                session.flush()
        except _Full:
            raise TableFull() from None
        except IntegrityError:
            raise Busy(_l("Je hebt op dat moment al een tafelgesprek of een afspraak.")) from None
    return booking


def release(session: Session, booking: TableBooking) -> None:
    """Free a place inside the caller's write transaction (the counter goes down with it)."""
    session.execute(delete(SlotCommitment).filter_by(booking_id=booking.id))
    session.execute(
        update(ThemeTable)
        .where(ThemeTable.id == booking.table_id)
        .values(taken=ThemeTable.taken - 1)
        .execution_options(synchronize_session=False)
    )
    session.delete(booking)


def leave(registration: Registration, table_id: Any) -> None:
    """Give up one's place at a themed table (nothing happens without one)."""
    tid = as_id(table_id)
    with write_transaction(db.session) as session:
        booking = (
            session.scalar(
                select(TableBooking).filter_by(table_id=tid, registration_id=registration.id)
            )
            if tid
            else None
        )
        if booking is None:
            raise NotFound(_l("Je hebt geen plaats aan die tafel."))
        release(session, booking)


def bookings_of(registration_id: int, session: Session | None = None) -> list[TableBooking]:
    """The person's places at themed tables."""
    return list(
        (session or db.session).scalars(
            select(TableBooking).filter_by(registration_id=registration_id)
        )
    )


def table_json(table: ThemeTable, language: str, booked: set[int]) -> dict[str, Any]:
    """A themed table as the API shows it."""
    theme = table.theme
    return {
        "id": table.id,
        "slot_id": table.slot_id,
        "theme": {
            "id": theme.id,
            "slug": theme.slug,
            "name": (theme.name_en if language == "en" else None) or theme.name,
        },
        "title": (table.title_en if language == "en" else None) or table.title,
        "capacity": table.capacity,
        "taken": table.taken,
        "booked": table.id in booked,
    }
