"""Rows and request bodies for the tests: the demo conference's parts, people, seats and tokens.

Makers write plain rows, committed, as the services would leave them (`register` and
`give_seat(..., by=...)` go through the services instead). Each reads from a fresh snapshot
first: on SQLite a write from a snapshot that a request has outrun is refused.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from conference.clock import utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.models import ApiToken, Conference, User
from registration import services as registration_services
from registration.models import Registration, Ticket
from registration.questions.editing import create_question
from registration.questions.models import RegistrationQuestion
from sessions.agenda.models import Follow
from sessions.programme.models import Activity
from sessions.seats import services as seat_services
from sessions.seats.models import Seat, SeatBlock

_numbers = itertools.count(1)


def fresh() -> None:
    """End the test's snapshot (keeping what it wrote), so the next read sees every request's."""
    db.session.commit()


# --- what the demo programme holds ---------------------------------------------------------


def conference() -> Conference:
    """The demo conference, read fresh."""
    fresh()
    return db.session.scalar(select(Conference).order_by(Conference.id).limit(1))


def activity(slug: str) -> Activity:
    """An activity of the demo programme by slug, read fresh."""
    fresh()
    return db.session.scalar(select(Activity).filter_by(slug=slug))


def activity_of_kind(kind: str, index: int = 0) -> Activity:
    """The index-th published activity of a kind, in time order."""
    acts = db.session.scalars(
        select(Activity)
        .where(Activity.kind == kind, Activity.published.is_(True))
        .order_by(Activity.starts_at, Activity.position, Activity.id)
    ).all()
    return acts[index]


def seated(kind: str = "workshop", block_index: int = 0) -> list[Activity]:
    """Seated activities of a kind held in one block only, in programme order."""
    acts = db.session.scalars(
        select(Activity).filter_by(kind=kind).order_by(Activity.starts_at, Activity.position)
    ).all()
    blocks = sorted({b.id for a in acts for b in a.blocks})
    return [a for a in acts if [b.id for b in a.blocks] == [blocks[block_index]]]


def staff(role: str = "organiser") -> User:
    """The staff account of the `tokens` fixture for a role."""
    return db.session.scalar(select(User).filter_by(email=f"{role}@example.org"))


# --- people ----------------------------------------------------------------------------------


def person(i: int = 0, **overrides: Any) -> dict[str, Any]:
    """A valid registration body for the API and the services."""
    data = {
        "email": f"persoon{i}@example.be",
        "first_name": "Persoon",
        "last_name": f"Nummer {i}",
        "profile": "practitioner",
        "mode": "onsite",
        "consent": True,
    }
    data.update(overrides)
    return data


def register(i: int, **overrides: Any) -> Registration:
    """Register `person(i)` through the registration service; the row, read fresh."""
    venue = overrides.pop("venue", None)
    result = registration_services.register(person(i, **overrides), venue_choice=venue)
    fresh()
    return db.session.get(Registration, result.id)


def _registration(
    conf: Conference,
    email: str,
    first_name: str,
    last_name: str,
    *,
    mode: str = "onsite",
    status: str = "registered",
    profile: str = "practitioner",
    language: str = "nl",
    ticket: bool | None = None,
    created_at: datetime | None = None,
) -> Registration:
    """A registration with its attendee account (and ticket), added to the session."""
    now = utcnow()
    user = User(email=email, role="attendee", name=f"{first_name} {last_name}", language=language)
    reg = Registration(
        conference_id=conf.id,
        user=user,
        email=email,
        first_name=first_name,
        last_name=last_name,
        profile=profile,
        mode=mode,
        status=status,
        language=language,
        consent_at=now,
        holds_venue_place=mode == "onsite" and status == "registered",
        canceled_at=now if status == "canceled" else None,
        created_at=created_at or now,
    )
    db.session.add_all([user, reg])
    # As registering does: a ticket for a place on site; `ticket=True` gives one to anybody.
    if ticket or (ticket is None and reg.holds_venue_place):
        db.session.add(Ticket(registration=reg))
    return reg


def attendee(
    mode: str = "onsite",
    *,
    email: str | None = None,
    first_name: str = "An",
    last_name: str | None = None,
    status: str = "registered",
    profile: str = "practitioner",
    language: str = "nl",
    ticket: bool | None = None,
    created_at: datetime | None = None,
) -> Registration:
    """A registration with its attendee account, as rows; with a ticket when it holds a place
    on site (`ticket=True`: always, `ticket=False`: never)."""
    conf = conference()
    n = next(_numbers)
    reg = _registration(
        conf,
        email or f"deelnemer{n}@example.org",
        first_name,
        last_name or f"Peeters{n}",
        mode=mode,
        status=status,
        profile=profile,
        language=language,
        ticket=ticket,
        created_at=created_at,
    )
    db.session.commit()
    return reg


def ticket_holder(mode: str = "onsite", **fields: Any) -> tuple[Registration, Ticket]:
    """An attendee (fields as `attendee` takes them) with a ticket whatever the mode and status,
    and that ticket."""
    reg = attendee(mode, ticket=True, **fields)
    return reg, reg.tickets[0]


def attendees(
    n: int, prefix: str = "p", *, mode: str = "onsite", profile: str = "practitioner"
) -> list[int]:
    """n attendees in one commit, registered a second apart; their ids in registration order."""
    conf = conference()
    now = utcnow()
    regs = [
        _registration(
            conf,
            f"{prefix}{k:04d}@example.org",
            f"{prefix}{k}",
            "Test",
            mode=mode,
            profile=profile,
            created_at=now + timedelta(seconds=k),
        )
        for k in range(n)
    ]
    db.session.commit()
    return [r.id for r in regs]


def token_for(who: Registration | User) -> str:
    """A bearer token of the person's (or user's) own account."""
    fresh()
    user = who.user if isinstance(who, Registration) else who
    row, raw = ApiToken.issue(user, label="test")
    db.session.add(row)
    db.session.commit()
    return raw


# --- seats and follows -----------------------------------------------------------------------


def give_seat(
    reg: Registration | int,
    act: Activity | str,
    *,
    source: str = "organiser",
    created_at: datetime | None = None,
    blocks: bool = True,
    by: User | None = None,
) -> Seat:
    """A seat with its block rows and the counter raised, as the seat service leaves it; with
    `by`, the organiser's move of the seat service itself (capacity-checked, audited).

    `blocks=False` leaves the block rows out, so that a second seat may overlap the first (a
    state the seat service never leaves; for code that reads the seats alone).
    """
    fresh()
    reg_id = reg if isinstance(reg, int) else reg.id
    act = activity(act) if isinstance(act, str) else act
    if by is not None:
        seat_services.move_person(reg_id, act.id, actor_id=by.id)
    else:
        seat = Seat(registration_id=reg_id, activity_id=act.id, source=source)
        if created_at is not None:
            seat.created_at = created_at
        if blocks:
            seat.block_links = [
                SeatBlock(block_id=b.id, registration_id=reg_id) for b in act.blocks
            ]
        db.session.add(seat)
        db.session.execute(
            update(Activity).where(Activity.id == act.id).values(taken=Activity.taken + 1)
        )
    fresh()
    return db.session.scalar(select(Seat).filter_by(registration_id=reg_id, activity_id=act.id))


def drop_seat(reg: Registration, slug: str) -> None:
    """Give a seat up with an ORM delete, as the seat service's release does."""
    act = activity(slug)
    seat = db.session.scalar(select(Seat).filter_by(registration_id=reg.id, activity_id=act.id))
    act.taken -= 1
    db.session.delete(seat)
    db.session.commit()


def follow(reg: Registration, act: Activity | str) -> Follow:
    """A follow row (an online activity in the person's agenda)."""
    fresh()
    act = activity(act) if isinstance(act, str) else act
    row = Follow(registration_id=reg.id, activity_id=act.id)
    db.session.add(row)
    db.session.commit()
    return row


# --- settings and times of the demo conference ---------------------------------------------


def set_venue(**values: Any) -> Conference:
    """Change venue settings directly (capacity, quotas, windows) in one transaction."""
    conf = conference()
    with write_transaction(db.session):
        for key, value in values.items():
            setattr(conf, key, value)
    return conference()


def open_booking(mode: str = "fcfs") -> Conference:
    """Let attendees book now: first come, first served, or by published preferences."""
    conf = conference()
    conf.allocation_mode = mode
    if mode == "preferences":
        conf.allocation_published_at = utcnow()
    db.session.commit()
    return conf


def set_capacity(act: Activity, capacity: int | None, taken: int | None = None) -> None:
    """Set an activity's capacity (and seat counter) directly."""
    fresh()
    db.session.refresh(act)
    act.capacity = capacity
    if taken is not None:
        act.taken = taken
    db.session.commit()


def open_day(hours_before: float = 1, hours_after: float = 8) -> Conference:
    """Move the conference day around now, so the entrance is open."""
    conf = conference()
    now = utcnow()
    conf.starts_at = now - timedelta(hours=hours_before)
    conf.ends_at = now + timedelta(hours=hours_after)
    db.session.commit()
    return conf


def start_activity(slug: str, minutes_ago: float = 5, minutes_long: float = 90) -> Activity:
    """Move an activity so it started `minutes_ago` (its checkpoint is open)."""
    act = activity(slug)
    now = utcnow()
    act.starts_at = now - timedelta(minutes=minutes_ago)
    act.ends_at = now + timedelta(minutes=minutes_long - minutes_ago)
    db.session.commit()
    return act


# --- registration questions (issue 16) -------------------------------------------------------

# One question of every type, as organisers would define them (English labels where given).
QUESTION_SET: list[dict[str, Any]] = [
    {"key": "functie", "type": "text", "label": "Wat is je functie?", "label_en": "Your job?",
     "max": 40},
    {"key": "verwachting", "type": "long_text", "label": "Wat verwacht je?", "max": 300},
    {"key": "bron", "type": "choice", "label": "Hoe heb je van ons gehoord?",
     "label_en": "How did you hear of us?", "required": True,
     "choices": [{"key": "collega", "label": "Via een collega", "label_en": "A colleague"},
                 {"key": "nieuwsbrief", "label": "Nieuwsbrief", "label_en": "Newsletter"}]},
    {"key": "themas", "type": "choices", "label": "Welke thema's?",
     "choices": [{"key": "armoede", "label": "Armoede"}, {"key": "jeugd", "label": "Jeugd"},
                 {"key": "zorg", "label": "Zorg"}]},
    {"key": "tolk", "type": "yes_no", "label": "Heb je een tolk VGT nodig?",
     "label_en": "Do you need a VGT interpreter?", "modes": ["onsite"], "required": True,
     "sensitive": True},
    {"key": "jaren", "type": "number", "label": "Hoeveel jaar werk je al?", "min": 0, "max": 60},
    {"key": "startdatum", "type": "date", "label": "Sinds wanneer?"},
]  # fmt: skip
# A valid answer to each question of QUESTION_SET.
ANSWERS: dict[str, Any] = {
    "functie": "Maatschappelijk werker", "verwachting": "Inspiratie\nen collega's",
    "bron": "collega", "themas": ["zorg", "armoede"], "tolk": True, "jaren": 12,
    "startdatum": "2010-09-01",
}  # fmt: skip


def clear_questions() -> None:
    """Remove the questions of the data file (and any other), so a test starts from none."""
    db.session.execute(delete(RegistrationQuestion))
    db.session.commit()


def questions(*keys: str, **changes: Any) -> list[Any]:
    """Define the questions of QUESTION_SET (all, or those named) through the service; the data
    file's own questions go first."""
    known = [spec["key"] for spec in QUESTION_SET]
    db.session.execute(delete(RegistrationQuestion).where(RegistrationQuestion.key.not_in(known)))
    db.session.commit()
    made = []
    for spec in QUESTION_SET:
        if not keys or spec["key"] in keys:
            made.append(create_question(conference().id, {**spec, **changes}, actor=None))
    fresh()
    return made
