"""Seats: take, release and swap a seat under a hard capacity; one seat per person per block.

`take_seat` and `release_seat` work inside the caller's write transaction (see
`conference.db.write_transaction`); `enroll`, `leave` and `move_person` own theirs. The seat
counter `Activity.taken` counts seats plus open waiting-list offers (an offer reserves a seat).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import Conflict, Invalid, NotFound
from conference.extensions import db
from conference.models import Conference
from conference.validation import MAX_ID
from registration.models import Registration
from sessions.programme.models import Activity
from sessions.seats.models import Seat, SeatBlock, SeatLog, WaitlistEntry

SOURCES = ("allocation", "booking", "waitlist", "organiser", "standby")

MESSAGES = {
    "full": _l("Deze activiteit is volzet."),
    "conflict": _l("Je hebt al een plaats in een activiteit op hetzelfde moment."),
    "wrong_mode": _l(
        "Deze activiteit is ter plaatse. Je bent online ingeschreven, dus je kunt er niet aan"
        " deelnemen."
    ),
    "closed": _l("Je kunt je nu niet inschrijven voor deze activiteit."),
    "not_registered": _l("Je inschrijving voor de conferentie is niet actief."),
}


def seat_error(code: str) -> Conflict:
    """The Conflict with the API word `code` and its plain message."""
    return Conflict(MESSAGES[code], code=code)


class _Full(Exception):
    """Raised inside the savepoint so it rolls back."""


def fits_mode(registration_mode: str, activity: Activity) -> bool:
    """On-site activities for on-site registrations; online and hybrid ones for everyone."""
    return activity.mode != "onsite" or registration_mode == "onsite"


def booking_open(conf: Conference, activity: Activity, now: datetime | None = None) -> bool:
    """Whether attendees may book this activity themselves now (first come, first served)."""
    now = now or utcnow()
    if now >= activity.starts_at:
        return False
    if conf.allocation_mode == "preferences":
        # After the preference round: remaining seats go first come, first served.
        return conf.allocation_published_at is not None
    opens = conf.choice_opens_at or conf.registration_opens_at
    return opens <= now


def lock_activities(session: Session, ids: list[int]) -> None:
    """On PostgreSQL, lock activity rows in id order, so swaps in opposite directions queue.

    SQLite needs nothing: a write transaction there holds the whole database (BEGIN IMMEDIATE).
    """
    ids = sorted(set(ids))
    if ids and session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(Activity.id).where(Activity.id.in_(ids)).order_by(Activity.id).with_for_update()
        )


def log_seat(
    session: Session,
    registration_id: int,
    activity_id: int,
    action: str,
    *,
    source: str | None = None,
    override: bool = False,
    reason: str | None = None,
    actor_id: int | None = None,
) -> None:
    """Write an audit line."""
    session.add(
        SeatLog(
            registration_id=registration_id,
            activity_id=activity_id,
            action=action,
            source=source,
            override=override,
            reason=reason,
            actor_id=actor_id,
        )
    )


def take_seat(
    session: Session,
    registration: Registration,
    activity: Activity,
    *,
    source: str,
    rank: int | None = None,
    override: bool = False,
    reason: str | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Seat:
    """Give `registration` a seat at `activity` (inside the caller's write transaction).

    Raises Conflict with code full, conflict, wrong_mode, closed or not_registered. Capacity is
    never exceeded; `override=True` (organisers, with a reason) only skips the mode and window
    rules and is logged. A waiting-list offer the person holds here becomes the seat.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown seat source {source!r}")
    now = now or utcnow()
    if registration.status != "registered" or registration.conference_id != activity.conference_id:
        raise seat_error("not_registered")
    if not activity.seated:
        raise Invalid(fields={"activity_id": _l("voor deze activiteit boek je geen plaats")})
    if override and not (reason or "").strip():
        raise Invalid(fields={"reason": _l("Geef een reden voor de uitzondering.")})
    if not override:
        if not fits_mode(registration.mode, activity):
            raise seat_error("wrong_mode")
        if source == "booking" and not booking_open(activity.conference, activity, now):
            raise seat_error("closed")
    block_ids = [b.id for b in activity.blocks]
    # Clear answers first; the UNIQUE constraints below still decide under a race.
    if session.scalar(
        select(Seat.id).filter_by(registration_id=registration.id, activity_id=activity.id)
    ):
        raise Conflict(_l("Je hebt al een plaats in deze activiteit."), code="conflict")
    if block_ids and session.scalar(
        select(SeatBlock.seat_id)
        .where(SeatBlock.registration_id == registration.id, SeatBlock.block_id.in_(block_ids))
        .limit(1)
    ):
        raise seat_error("conflict")
    entry = session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.activity_id == activity.id,
            WaitlistEntry.registration_id == registration.id,
            WaitlistEntry.status.in_(("waiting", "offered")),
        )
    )
    # An open offer already holds a counted seat for this person: use it, count nothing new.
    reserved = entry is not None and entry.status == "offered"
    try:
        with session.begin_nested():
            if not reserved:
                done = session.execute(
                    update(Activity)
                    .where(
                        Activity.id == activity.id,
                        or_(Activity.capacity.is_(None), Activity.taken < Activity.capacity),
                    )
                    .values(taken=Activity.taken + 1)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if not done:
                    raise _Full()
            seat = Seat(
                registration_id=registration.id,
                activity_id=activity.id,
                source=source,
                preference_rank=rank,
                created_at=now,
            )
            session.add(seat)
            session.flush()
            session.add_all(
                SeatBlock(seat_id=seat.id, block_id=b, registration_id=registration.id)
                for b in block_ids
            )
            session.flush()
    except _Full:
        raise seat_error("full") from None
    except IntegrityError:
        raise seat_error("conflict") from None
    finally:
        session.expire(activity, ["taken"])
    if entry is not None:
        entry.status, entry.resolved_at = "accepted", now
    if override or actor_id is not None or source in ("organiser", "standby"):
        log_seat(
            session, registration.id, activity.id, "take",
            source=source, override=override, reason=reason, actor_id=actor_id,
        )  # fmt: skip
    return seat


def release_seat(
    session: Session,
    seat: Seat,
    *,
    reason: str,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Free a seat: delete it and its blocks, and offer it to the waiting list or count it free.

    Runs inside the caller's write transaction, so the promotion commits with the release.
    """
    from sessions.seats.waitlist import pass_on_seat

    activity = seat.activity
    lock_activities(session, [activity.id])
    if actor_id is not None or seat.source == "standby":
        log_seat(
            session, seat.registration_id, activity.id, "release",
            source=seat.source, reason=reason, actor_id=actor_id,
        )  # fmt: skip
    session.delete(seat)
    session.flush()
    pass_on_seat(session, activity, now=now)


@dataclass
class Outcome:
    """What a booking did: enrolled (new or already), or waitlisted at a position."""

    status: str  # "enrolled" | "already" | "waitlisted"
    seat: Seat | None = None
    position: int | None = None
    released: list[int] | None = None  # activity ids given up for it (a swap)


def _registration(session: Session, registration_id: int) -> Registration:
    # Person first, then activities: the same order as a cancellation, so the two never deadlock.
    reg = session.scalar(
        select(Registration).filter_by(id=registration_id).with_for_update(),
        execution_options={"populate_existing": True},
    )
    if reg is None:
        raise NotFound()
    return reg


def _activity(session: Session, reg: Registration, activity_id: int) -> Activity:
    # An id beyond an INTEGER column cannot exist (and PostgreSQL would refuse the query).
    act = session.get(Activity, activity_id) if 0 < activity_id <= MAX_ID else None
    if act is None or act.conference_id != reg.conference_id or not act.published:
        raise NotFound(_l("Die activiteit bestaat niet."))
    return act


def seats_in_blocks(session: Session, registration_id: int, block_ids: list[int]) -> list[Seat]:
    """The person's seats that occupy any of these blocks."""
    if not block_ids:
        return []
    return list(
        session.scalars(
            select(Seat)
            .join(SeatBlock, SeatBlock.seat_id == Seat.id)
            .where(SeatBlock.registration_id == registration_id, SeatBlock.block_id.in_(block_ids))
            .distinct()
        )
    )


def enroll(
    registration_id: int,
    activity_id: int,
    *,
    replace_activity_id: int | None = None,
    waitlist: bool = True,
    now: datetime | None = None,
) -> Outcome:
    """Book a seat first come, first served; when full, join the waiting list instead.

    With `replace_activity_id` it is a swap in one step: the old seat goes only when the new one
    is certain, so a full activity never costs the first seat. An open waiting-list offer for
    this activity is accepted (giving up a seat at the same time, as the offer said).
    """
    now = now or utcnow()
    with write_transaction(db.session) as session:
        reg = _registration(session, registration_id)
        act = _activity(session, reg, activity_id)
        blocks = [b.id for b in act.blocks]
        held = seats_in_blocks(session, reg.id, blocks)
        if any(s.activity_id == act.id for s in held):
            seat = next(s for s in held if s.activity_id == act.id)
            return Outcome("already", seat=seat)
        lock_activities(session, [act.id, *(s.activity_id for s in held)])
        session.refresh(act)
        offered = session.scalar(
            select(WaitlistEntry).filter_by(
                activity_id=act.id, registration_id=reg.id, status="offered"
            )
        )
        if offered is not None and offered.offer_expires_at <= now:
            # Expired but not yet swept by the job: pass the seat on first, then book as anyone.
            from sessions.seats.waitlist import cancel_entry

            cancel_entry(session, offered, status="expired", now=now)
            session.refresh(act)
            offered = None
        if replace_activity_id is not None:
            if not any(s.activity_id == replace_activity_id for s in held):
                raise Conflict(
                    _l("Je hebt geen plaats in die activiteit op hetzelfde moment."),
                    code="not_enrolled",
                )
            give_up = held  # a long walk may overlap two seats: both give way, as the page said
        elif offered is not None:
            give_up = held  # accepting an offer: overlapping seats give way (the mail said so)
        elif held:
            raise seat_error("conflict")
        else:
            give_up = []
        _check_rules(reg, act, now, window=offered is None)
        has_room = offered is not None or act.capacity is None or act.taken < act.capacity
        if not has_room:
            if not waitlist or act.capacity is None:
                raise seat_error("full")
            # A place in the queue; a seat the person holds stays until the offer is accepted.
            from sessions.seats.waitlist import join_waitlist, position

            entry = join_waitlist(session, reg, act, now=now)
            return Outcome("waitlisted", position=position(session, entry))
        released = []
        for seat in give_up:
            released.append(seat.activity_id)
            release_seat(session, seat, reason="swap", now=now)
        seat = take_seat(session, reg, act, source="waitlist" if offered else "booking", now=now)
        _confirm(session, reg, act, released)
        return Outcome("enrolled", seat=seat, released=released)


def _check_rules(reg: Registration, act: Activity, now: datetime, *, window: bool = True) -> None:
    """The mode and window rules, raised before anything changes."""
    if reg.status != "registered":
        raise seat_error("not_registered")
    if not act.seated:
        raise Invalid(fields={"activity_id": _l("voor deze activiteit boek je geen plaats")})
    if not fits_mode(reg.mode, act):
        raise seat_error("wrong_mode")
    if window and not booking_open(act.conference, act, now):
        raise seat_error("closed")


def _confirm(session: Session, reg: Registration, act: Activity, released: list[int]) -> None:
    """Queue the seat confirmation mail."""
    from sessions.seats.mail import queue_seat_mail

    queue_seat_mail(session, reg, "seat_confirmation", activity=act, released=released)


def leave(registration_id: int, activity_id: int, *, now: datetime | None = None) -> str:
    """Give up a seat or a place on the waiting list; returns "released" or "left_waitlist"."""
    from sessions.seats.waitlist import cancel_entry

    with write_transaction(db.session) as session:
        reg = _registration(session, registration_id)
        act = _activity(session, reg, activity_id)
        seat = session.scalar(select(Seat).filter_by(registration_id=reg.id, activity_id=act.id))
        if seat is not None:
            release_seat(session, seat, reason="attendee", now=now)
            return "released"
        entry = session.scalar(
            select(WaitlistEntry).where(
                WaitlistEntry.activity_id == act.id,
                WaitlistEntry.registration_id == reg.id,
                WaitlistEntry.status.in_(("waiting", "offered")),
            )
        )
        if entry is None:
            raise NotFound(
                _l("Je hebt geen plaats en staat niet op de wachtlijst van deze activiteit.")
            )
        cancel_entry(session, entry, status="canceled", now=now)
        return "left_waitlist"


def move_person(
    registration_id: int,
    to_activity_id: int,
    *,
    actor_id: int,
    override: bool = False,
    reason: str | None = None,
    now: datetime | None = None,
) -> Seat:
    """An organiser moves a person to an activity: the seats it overlaps are freed, capacity holds.

    `override` skips the mode and window rules only, and needs a reason (logged).
    """
    now = now or utcnow()
    with write_transaction(db.session) as session:
        reg = _registration(session, registration_id)
        act = _activity(session, reg, to_activity_id)
        held = seats_in_blocks(session, reg.id, [b.id for b in act.blocks])
        if any(s.activity_id == act.id for s in held):
            raise Conflict(_l("Deze persoon heeft daar al een plaats."), code="conflict")
        lock_activities(session, [act.id, *(s.activity_id for s in held)])
        session.refresh(act)
        has_offer = session.scalar(
            select(WaitlistEntry.id).filter_by(
                activity_id=act.id, registration_id=reg.id, status="offered"
            )
        )
        if act.capacity is not None and act.taken >= act.capacity and not has_offer:
            # Checked before freeing anything, so a refused move changes nothing.
            raise seat_error("full")
        for seat in held:
            log_seat(
                session, reg.id, seat.activity_id, "move_out",
                source=seat.source, override=override, reason=reason, actor_id=actor_id,
            )  # fmt: skip
            release_seat(session, seat, reason="moved", now=now)
        seat = take_seat(
            session, reg, act, source="organiser",
            override=override, reason=reason, actor_id=actor_id, now=now,
        )  # fmt: skip
        _audit(
            session, actor_id, "seat.move", reg.id,
            before={"activity_ids": [s.activity_id for s in held]},
            after={"activity_id": act.id, "override": override}, reason=reason,
        )  # fmt: skip
        _confirm(session, reg, act, [s.activity_id for s in held])
        return seat


def _audit(session: Session, actor_id: int | None, action: str, target_id: int, **data) -> None:
    """A line in the kernel's audit log, when it is there."""
    try:
        from conference.audit import record
    except ImportError:  # pragma: no cover - the kernel's audit log is optional
        return
    from conference.models import User

    actor = session.get(User, actor_id) if actor_id is not None else None
    record(
        session, actor=actor, action=action, target_type="registration", target_id=target_id, **data
    )


def release_for_registration(
    session: Session, registration: Registration, *, only_misfits: bool = False, reason: str
) -> list[int]:
    """Free a person's seats (all, or those whose mode no longer fits); the activity ids."""
    seats = list(session.scalars(select(Seat).filter_by(registration_id=registration.id)))
    freed = []
    for seat in sorted(seats, key=lambda s: s.activity_id):
        if only_misfits and fits_mode(registration.mode, seat.activity):
            continue
        freed.append(seat.activity_id)
        release_seat(session, seat, reason=reason)
    return freed


def seat_summary(registration: Registration) -> list[dict]:
    """The person's seats and waiting-list places for `GET /api/v1/me`."""
    rows = [
        {"activity_id": s.activity_id, "status": "enrolled"}
        for s in db.session.scalars(
            select(Seat).filter_by(registration_id=registration.id).order_by(Seat.activity_id)
        )
    ]
    rows += [
        {
            "activity_id": e.activity_id,
            "status": "offered" if e.status == "offered" else "waitlisted",
        }
        for e in db.session.scalars(
            select(WaitlistEntry)
            .where(
                WaitlistEntry.registration_id == registration.id,
                WaitlistEntry.status.in_(("waiting", "offered")),
            )
            .order_by(WaitlistEntry.activity_id)
        )
    ]
    return rows
