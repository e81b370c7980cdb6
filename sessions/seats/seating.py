"""Take and release a seat inside the caller's write transaction, under a hard capacity.

One seat per person per block. The seat counter `Activity.taken` counts seats plus open
waiting-list offers (an offer reserves a seat). The services that own a transaction (`enroll`,
`leave`, `move_person`, the allocation, the door) build on these.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference.clock import utcnow
from registration.models import Registration
from sessions.programme.models import Activity
from sessions.seats.errors import ActivityFull, AlreadySeated, BlockTaken
from sessions.seats.models import Seat, SeatBlock, SeatLog
from sessions.seats.rules import check_seat_rules, fits_mode, lock_activities
from sessions.seats.waitlist import open_entry, pass_on_seat

SOURCES = ("allocation", "booking", "waitlist", "organiser", "standby")


class _Full(Exception):
    """Raised inside the savepoint so it rolls back."""


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

    Raises NotRegistered, WrongMode, BookingClosed, AlreadySeated, BlockTaken or ActivityFull.
    Capacity is never exceeded; `override=True` (organisers, with a reason) only skips the mode
    and window rules and is logged. A waiting-list offer the person holds here becomes the seat.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown seat source {source!r}")
    now = now or utcnow()
    window = source == "booking"
    check_seat_rules(registration, activity, now, window=window, override=override, reason=reason)
    block_ids = [b.id for b in activity.blocks]
    _refuse_second_seat(session, registration, activity, block_ids)
    entry = open_entry(session, registration.id, activity.id)
    # An open offer already holds a counted seat for this person: use it, count nothing new.
    reserved = entry is not None and entry.status == "offered"
    seat = Seat(
        registration_id=registration.id,
        activity_id=activity.id,
        source=source,
        preference_rank=rank,
        created_at=now,
    )
    _write_seat(session, seat, activity, block_ids, count=not reserved)
    if entry is not None:
        entry.status, entry.resolved_at = "accepted", now
    if override or actor_id is not None or source in ("organiser", "standby"):
        log_seat(
            session, registration.id, activity.id, "take",
            source=source, override=override, reason=reason, actor_id=actor_id,
        )  # fmt: skip
    return seat


def _refuse_second_seat(
    session: Session, registration: Registration, activity: Activity, block_ids: list[int]
) -> None:
    """Clear answers first; the UNIQUE constraints in `_write_seat` still decide under a race."""
    if session.scalar(
        select(Seat.id).filter_by(registration_id=registration.id, activity_id=activity.id)
    ):
        raise AlreadySeated()
    if block_ids and session.scalar(
        select(SeatBlock.seat_id)
        .where(SeatBlock.registration_id == registration.id, SeatBlock.block_id.in_(block_ids))
        .limit(1)
    ):
        raise BlockTaken()


def _write_seat(
    session: Session, seat: Seat, activity: Activity, block_ids: list[int], *, count: bool
) -> None:
    """Count the seat (a conditional UPDATE: never past capacity) and write it with its blocks."""
    try:
        with session.begin_nested():
            if count:
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
            session.add(seat)
            session.flush()
            session.add_all(
                SeatBlock(seat_id=seat.id, block_id=b, registration_id=seat.registration_id)
                for b in block_ids
            )
            session.flush()
    except _Full:
        raise ActivityFull() from None
    except IntegrityError:
        raise BlockTaken() from None
    finally:
        session.expire(activity, ["taken"])


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
