"""Activity waiting lists: join, leave, offers that reserve a freed seat until a deadline.

An offer keeps the freed seat counted in `Activity.taken`, so nobody else can take it; it
becomes the person's seat when accepted, or passes to the next person when declined or
expired. Every promotion happens in the transaction that freed the seat.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import NotFound
from conference.extensions import db
from registration.models import Registration
from sessions.programme.models import Activity
from sessions.seats.errors import OfferClosed
from sessions.seats.mail import queue_seat_mail
from sessions.seats.models import WaitlistEntry
from sessions.seats.rules import fits_mode, lock_activities

OPEN = ("waiting", "offered")
# An offer shorter than this is no use to anyone: the seat is simply freed instead.
MIN_OFFER = timedelta(minutes=10)


def join_waitlist(
    session: Session, registration: Registration, activity: Activity, *, now: datetime | None = None
) -> WaitlistEntry:
    """Put the person in the queue of a full activity (once; joining again keeps the place)."""
    existing = open_entry(session, registration.id, activity.id)
    if existing is not None:
        return existing
    entry = WaitlistEntry(
        activity_id=activity.id, registration_id=registration.id, created_at=now or utcnow()
    )
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError:
        # The same person joined at the same moment from another tab: keep that place.
        return open_entry(session, registration.id, activity.id)
    return entry


def open_entry(session: Session, registration_id: int, activity_id: int) -> WaitlistEntry | None:
    """The person's waiting or offered entry at this activity, if any."""
    return session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.activity_id == activity_id,
            WaitlistEntry.registration_id == registration_id,
            WaitlistEntry.status.in_(OPEN),
        )
    )


def position(session: Session, entry: WaitlistEntry) -> int:
    """1 for the first person waiting; an offer counts as position 0."""
    if entry.status == "offered":
        return 0
    ahead = session.scalar(
        select(func.count())
        .select_from(WaitlistEntry)
        .where(
            WaitlistEntry.activity_id == entry.activity_id,
            WaitlistEntry.status == "waiting",
            (WaitlistEntry.created_at < entry.created_at)
            | ((WaitlistEntry.created_at == entry.created_at) & (WaitlistEntry.id < entry.id)),
        )
    )
    return int(ahead or 0) + 1


def _offer_deadline(activity: Activity, now: datetime) -> datetime:
    hours = activity.conference.setting("seat_offer_hours") or 24
    return min(now + timedelta(hours=hours), activity.starts_at)


def _offer_next(session: Session, activity: Activity, now: datetime) -> WaitlistEntry | None:
    """Offer the counted, free seat to the first person waiting who can still use it."""
    deadline = _offer_deadline(activity, now)
    if deadline - now < MIN_OFFER:
        return None
    while True:
        candidates = session.scalars(
            select(WaitlistEntry)
            .join(Registration, Registration.id == WaitlistEntry.registration_id)
            .where(WaitlistEntry.activity_id == activity.id, WaitlistEntry.status == "waiting")
            .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
            .limit(20)
        ).all()
        if not candidates:
            return None
        for entry in candidates:
            reg = entry.registration
            if reg.status != "registered" or not fits_mode(reg.mode, activity):
                entry.status, entry.resolved_at = "canceled", now
                session.flush()
                continue
            done = session.execute(
                update(WaitlistEntry)
                .where(WaitlistEntry.id == entry.id, WaitlistEntry.status == "waiting")
                .values(status="offered", offered_at=now, offer_expires_at=deadline)
                .execution_options(synchronize_session=False)
            ).rowcount
            session.expire(entry)
            if done:
                _mail_offer(session, entry)
                return entry


def pass_on_seat(session: Session, activity: Activity, *, now: datetime | None = None) -> None:
    """A counted seat became free: offer it to the next person waiting, else uncount it."""
    now = now or utcnow()
    if _offer_next(session, activity, now) is None:
        session.execute(
            update(Activity)
            .where(Activity.id == activity.id, Activity.taken > 0)
            .values(taken=Activity.taken - 1)
            .execution_options(synchronize_session=False)
        )
    session.expire(activity, ["taken"])


def offer_free_seats(session: Session, activity: Activity, *, now: datetime | None = None) -> int:
    """After a capacity rise: reserve the new free seats for the people waiting; the count."""
    now = now or utcnow()
    lock_activities(session, [activity.id])
    offered = 0
    while True:
        done = session.execute(
            update(Activity)
            .where(Activity.id == activity.id, Activity.capacity.is_not(None))
            .where(Activity.taken < Activity.capacity)
            .values(taken=Activity.taken + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not done:
            break
        if _offer_next(session, activity, now) is None:
            session.execute(
                update(Activity)
                .where(Activity.id == activity.id)
                .values(taken=Activity.taken - 1)
                .execution_options(synchronize_session=False)
            )
            break
        offered += 1
    session.expire(activity, ["taken"])
    return offered


def cancel_entry(
    session: Session, entry: WaitlistEntry, *, status: str, now: datetime | None = None
) -> None:
    """Close an entry (canceled, declined or expired); an open offer passes its seat on."""
    now = now or utcnow()
    lock_activities(session, [entry.activity_id])
    was = entry.status
    done = session.execute(
        update(WaitlistEntry)
        .where(
            WaitlistEntry.id == entry.id,
            WaitlistEntry.status == was,
            WaitlistEntry.status.in_(OPEN),
        )
        .values(status=status, resolved_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expire(entry)
    if done and was == "offered":
        pass_on_seat(session, entry.activity, now=now)


def cancel_for_registration(
    session: Session, registration: Registration, *, only_misfits: bool = False
) -> int:
    """Close a person's open entries (all, or those whose mode no longer fits); the count."""
    entries = session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.registration_id == registration.id, WaitlistEntry.status.in_(OPEN))
        .order_by(WaitlistEntry.activity_id)
    ).all()
    n = 0
    for entry in entries:
        if only_misfits and fits_mode(registration.mode, entry.activity):
            continue
        cancel_entry(session, entry, status="canceled")
        n += 1
    return n


def expire_offers(now: datetime | None = None) -> dict:
    """Close every offer past its deadline and pass each seat on; the counts."""
    now = now or utcnow()
    ids = db.session.scalars(
        select(WaitlistEntry.id)
        .where(WaitlistEntry.status == "offered", WaitlistEntry.offer_expires_at <= now)
        .order_by(WaitlistEntry.activity_id, WaitlistEntry.id)
    ).all()
    db.session.rollback()
    expired = 0
    for entry_id in ids:
        # One short transaction per offer: a long sweep must not hold the write lock.
        with write_transaction(db.session) as session:
            entry = session.get(WaitlistEntry, entry_id)
            if entry is not None and entry.status == "offered" and entry.offer_expires_at <= now:
                cancel_entry(session, entry, status="expired", now=now)
                expired += 1
    return {"expired": expired}


# ---------------------------------------------------------------- links in the offer mail


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="seat-offer")


def offer_token(entry: WaitlistEntry) -> str:
    """The signed token of the accept/decline links (entry and person, nothing readable)."""
    return _serializer().dumps([entry.id, entry.registration_id])


def entry_for_token(token: str) -> WaitlistEntry:
    """The entry behind an offer link, or 404."""
    try:
        entry_id, registration_id = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound(_l("Deze link is ongeldig.")) from None
    entry = db.session.get(WaitlistEntry, entry_id)
    if entry is None or entry.registration_id != registration_id:
        raise NotFound(_l("Deze link is ongeldig."))
    return entry


def decline_offer(entry_id: int, registration_id: int, *, now: datetime | None = None) -> None:
    """The person says no: the seat goes to the next person waiting."""
    with write_transaction(db.session) as session:
        entry = session.get(WaitlistEntry, entry_id)
        if entry is None or entry.registration_id != registration_id:
            raise NotFound()
        if entry.status not in OPEN:
            raise OfferClosed()
        cancel_entry(session, entry, status="declined", now=now)


def _mail_offer(session: Session, entry: WaitlistEntry) -> None:
    queue_seat_mail(
        session,
        entry.registration,
        "seat_offer",
        activity=entry.activity,
        entry=entry,
        token=offer_token(entry),
        dedupe_key=f"seat-offer:{entry.id}:{entry.offered_at.isoformat()}",
    )
