"""Helpers for the seat, preference, waiting-list and allocation tests."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from conference.clock import utcnow
from conference.extensions import db
from conference.models import ApiToken, Conference, MailMessage, User
from registration.models import Registration
from sessions.programme.models import Activity
from sessions.seats.models import Seat, SeatBlock, WaitlistEntry


def conference() -> Conference:
    """The demo conference."""
    return db.session.scalar(select(Conference).filter_by(slug="swc2022"))


def add_registration(
    email: str,
    *,
    mode: str = "onsite",
    profile: str = "practitioner",
    created_at=None,
) -> Registration:
    """A registered person with an attendee account (committed)."""
    conf = conference()
    user = User(email=email, role="attendee")
    reg = Registration(
        conference_id=conf.id,
        user=user,
        email=email,
        first_name=email.split("@")[0].title(),
        last_name="Test",
        profile=profile,
        mode=mode,
        status="registered",
        consent_at=utcnow(),
        holds_venue_place=mode == "onsite",
        created_at=created_at or utcnow(),
    )
    db.session.add(reg)
    db.session.commit()
    return reg


def add_registrations(n: int, prefix: str = "p", **kwargs) -> list[int]:
    """n registrations in one commit; their ids in registration order."""
    conf = conference()
    now = utcnow()
    regs = []
    for k in range(n):
        email = f"{prefix}{k:04d}@example.org"
        reg = Registration(
            conference_id=conf.id,
            user=User(email=email, role="attendee"),
            email=email,
            first_name=f"{prefix}{k}",
            last_name="Test",
            profile=kwargs.get("profile", "practitioner"),
            mode=kwargs.get("mode", "onsite"),
            status="registered",
            consent_at=now,
            created_at=now + timedelta(seconds=k),
        )
        regs.append(reg)
    db.session.add_all(regs)
    db.session.commit()
    return [r.id for r in regs]


def token_for(reg: Registration) -> str:
    """A bearer token for the person's account."""
    token, raw = ApiToken.issue(reg.user, label="test")
    db.session.add(token)
    db.session.commit()
    return raw


def activity(slug: str) -> Activity:
    """An activity of the demo programme by slug."""
    return db.session.scalar(select(Activity).filter_by(slug=slug))


def seated(kind: str = "workshop", block_index: int = 0) -> list[Activity]:
    """Seated activities of a kind held in one block only, in programme order."""
    acts = db.session.scalars(
        select(Activity).filter_by(kind=kind).order_by(Activity.starts_at, Activity.position)
    ).all()
    blocks = sorted({b.id for a in acts for b in a.blocks})
    return [a for a in acts if [b.id for b in a.blocks] == [blocks[block_index]]]


def open_booking(mode: str = "fcfs") -> Conference:
    """Let attendees book first come, first served now."""
    db.session.rollback()
    conf = conference()
    conf.allocation_mode = mode
    if mode == "preferences":
        conf.allocation_published_at = utcnow()
    db.session.commit()
    return conf


def set_capacity(act: Activity, capacity: int | None, taken: int | None = None) -> None:
    """Set a capacity directly (test setup)."""
    db.session.rollback()
    db.session.refresh(act)
    act.capacity = capacity
    if taken is not None:
        act.taken = taken
    db.session.commit()


def counts(activity_id: int) -> dict[str, int]:
    """taken, seats, open offers, people waiting, seat-block rows of one activity (fresh)."""
    db.session.rollback()
    act = db.session.get(Activity, activity_id)
    db.session.refresh(act)

    def n(query) -> int:
        return int(db.session.scalar(query) or 0)

    return {
        "taken": act.taken,
        "capacity": act.capacity,
        "seats": n(select(func.count()).select_from(Seat).filter_by(activity_id=activity_id)),
        "offered": n(
            select(func.count())
            .select_from(WaitlistEntry)
            .filter_by(activity_id=activity_id, status="offered")
        ),
        "waiting": n(
            select(func.count())
            .select_from(WaitlistEntry)
            .filter_by(activity_id=activity_id, status="waiting")
        ),
        "blocks": n(
            select(func.count())
            .select_from(SeatBlock)
            .join(Seat, Seat.id == SeatBlock.seat_id)
            .where(Seat.activity_id == activity_id)
        ),
    }


def assert_consistent(activity_id: int) -> dict[str, int]:
    """The seat counter equals seats plus reserved offers and never passes the capacity."""
    c = counts(activity_id)
    assert c["taken"] == c["seats"] + c["offered"], c
    if c["capacity"] is not None:
        assert c["taken"] <= c["capacity"], c
    return c


def mails(kind: str) -> list[MailMessage]:
    """Queued mails of a kind."""
    db.session.rollback()
    return list(
        db.session.scalars(select(MailMessage).filter_by(kind=kind).order_by(MailMessage.id))
    )
