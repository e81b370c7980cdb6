"""The venue: on-site places under the cap, profile quotas and the venue waiting list.

Every place is taken with one conditional UPDATE of the conference's counter
(`onsite_taken < onsite_capacity`), so the cap holds under any rush, and the CHECK constraint
`onsite_taken <= onsite_capacity` backs it up. Profile quotas keep a share of the places for a
profile until `quota_release_at`: the counter rows `VenueProfileCount` hold `reserved` and
`taken` per profile, and the same UPDATE refuses a person when the free places that remain are
all kept for other profiles. The quota path first locks the conference row and refreshes those
rows from the registrations, so the UPDATE decides on exact numbers (every place is taken or
given back under that lock). Without quotas nothing but the one counter is touched, which keeps
the lock of a rush short.

Lock order, to avoid deadlocks: the conference row first, then registrations. Row locks are
`FOR NO KEY UPDATE`: inserting a row that references the conference (a registration) takes a
KEY SHARE lock on it, which a plain FOR UPDATE would wait for, and two such waits deadlock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from conference.clock import utcnow
from conference.models import PROFILES, Conference
from registration.contingents.places import give_back
from registration.draw.caps import organisation_places
from registration.models import Registration, VenueProfileCount

_CONFERENCES = Conference.__table__
# One place, if one is free: the conditional UPDATE every on-site registration goes through.
TAKE_PLACE = (
    update(_CONFERENCES)
    .where(
        _CONFERENCES.c.id == bindparam("conference_id"),
        _CONFERENCES.c.onsite_taken < _CONFERENCES.c.onsite_capacity,
    )
    # Keep `updated_at` for changes of the settings, not for every place taken.
    .values(onsite_taken=_CONFERENCES.c.onsite_taken + 1, updated_at=_CONFERENCES.c.updated_at)
)


def _room_seen() -> dict[tuple[int, str], bool]:
    """What this app last saw of the counter, per conference and profile: the guess behind the
    rows a registration writes before its conditional UPDATE (signup.py), never a decision."""
    return current_app.extensions.setdefault("venue_room_seen", {})


def room_likely(conference_id: int, profile: str) -> bool:
    """Whether the last place asked for here (for this profile) was free; True at first."""
    return _room_seen().get((conference_id, profile), True)


def quotas_active(conf: Conference, now: datetime) -> bool:
    """Whether profile quotas keep places at `now`."""
    if not conf.profile_quotas:
        return False
    return conf.quota_release_at is None or now < conf.quota_release_at


def reserved_places(conf: Conference, now: datetime) -> dict[str, int]:
    """Places kept per profile: the share of the cap, rounded down, while quotas apply."""
    if not quotas_active(conf, now):
        return {}
    cap = conf.onsite_capacity
    return {p: int(share * cap + 1e-9) for p, share in conf.profile_quotas.items() if share > 0}


def lock_conference(session: Session, conference_id: int) -> Conference:
    """The conference row, locked for this transaction (PostgreSQL) and read fresh."""
    return session.execute(
        select(Conference)
        .where(Conference.id == conference_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).scalar_one()


def lock_registration(session: Session, registration_id: int) -> Registration:
    """A registration row, locked for this transaction (PostgreSQL) and read fresh."""
    return session.execute(
        select(Registration)
        .where(Registration.id == registration_id)
        .with_for_update(of=Registration, key_share=True)
        .execution_options(populate_existing=True)
    ).scalar_one()


def refresh_counts(
    session: Session, conf: Conference, now: datetime, subject_id: int | None = None
) -> None:
    """Bring the counter rows in line: `reserved` from the quotas, `taken` from the places held.

    Called under the conference lock right before a quota decision, so the conditional UPDATE
    reads exact numbers. `subject_id` is the registration being decided on: it is left out of
    the places held (it may already carry the flag it hopes to keep).
    """
    held_by = select(Registration.profile, func.count()).where(
        Registration.conference_id == conf.id, Registration.holds_venue_place
    )
    if subject_id is not None:
        held_by = held_by.where(Registration.id != subject_id)
    held = dict(session.execute(held_by.group_by(Registration.profile)).all())
    want = reserved_places(conf, now)
    rows = dict(
        (profile, (reserved, taken))
        for profile, reserved, taken in session.execute(
            select(
                VenueProfileCount.profile, VenueProfileCount.reserved, VenueProfileCount.taken
            ).where(VenueProfileCount.conference_id == conf.id)
        ).all()
    )
    missing = [p for p in PROFILES if p not in rows]
    if missing:
        session.execute(
            insert(VenueProfileCount),
            [
                {"conference_id": conf.id, "profile": p}
                | {"reserved": want.get(p, 0), "taken": held.get(p, 0)}
                for p in missing
            ],
        )
    for profile, current in rows.items():
        target = (want.get(profile, 0), held.get(profile, 0))
        if current != target:
            session.execute(
                update(VenueProfileCount)
                .where(
                    VenueProfileCount.conference_id == conf.id,
                    VenueProfileCount.profile == profile,
                )
                .values(reserved=target[0], taken=target[1])
                .execution_options(synchronize_session=False)
            )


def take_counter(
    session: Session, conf: Any, profile: str, now: datetime, subject_id: int | None
) -> bool:
    """One place on the counter for a person of `profile`; False when none is free for them.

    `conf` is the Conference (or a row with its `id` and `profile_quotas`).

    The caller then marks the registration `subject_id` as holding it.
    """
    if not conf.profile_quotas:
        # The rush path: one prebuilt conditional UPDATE.
        taken = session.connection().execute(TAKE_PLACE, {"conference_id": conf.id}).rowcount == 1
        _room_seen()[conf.id, profile] = taken
        if taken and isinstance(conf, Conference):
            session.expire(conf, ["onsite_taken"])
        return taken
    stmt = update(Conference).where(
        Conference.id == conf.id, Conference.onsite_taken < Conference.onsite_capacity
    )
    if conf.profile_quotas:
        conf = lock_conference(session, conf.id)
        if quotas_active(conf, now):
            refresh_counts(session, conf, now, subject_id)
            counts = VenueProfileCount
            own_reserve_open = (
                exists()
                .where(
                    counts.conference_id == conf.id,
                    counts.profile == profile,
                    counts.reserved > counts.taken,
                )
                .correlate(None)
            )
            others_unfilled = (
                select(func.coalesce(func.sum(counts.reserved - counts.taken), 0))
                .where(
                    counts.conference_id == conf.id,
                    counts.profile != profile,
                    counts.reserved > counts.taken,
                )
                .scalar_subquery()
            )
            # A profile fills its own reserve; anyone else only takes a place nobody keeps.
            stmt = stmt.where(
                or_(
                    own_reserve_open,
                    Conference.onsite_capacity - Conference.onsite_taken - 1 >= others_unfilled,
                )
            )
    stmt = stmt.values(onsite_taken=Conference.onsite_taken + 1).execution_options(
        synchronize_session=False
    )
    taken = session.execute(stmt).rowcount == 1
    _room_seen()[conf.id, profile] = taken
    if taken and isinstance(conf, Conference):
        session.expire(conf, ["onsite_taken"])
    return taken


def take_place(session: Session, reg: Registration, conf: Conference, now: datetime) -> bool:
    """Give `reg` an on-site place under the cap and the quotas; False when none is free for it."""
    if reg.holds_venue_place:
        return True
    if not take_counter(session, conf, reg.profile, now, reg.id):
        return False
    reg.holds_venue_place = True
    return True


def release_place(session: Session, reg: Registration, conf: Conference) -> bool:
    """Give back the place `reg` holds (the caller locked `reg`); False if it held none."""
    if not reg.holds_venue_place:
        return False
    reg.holds_venue_place = False
    reg.venue_offer_expires_at = None
    session.flush()
    if give_back(session, reg.id, utcnow()):
        return False  # back to its partner's contingent, still set aside from the pool
    session.execute(
        update(Conference)
        .where(Conference.id == conf.id)
        .values(onsite_taken=Conference.onsite_taken - 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(conf, ["onsite_taken"])
    return True


def offer_deadline(conf: Conference, now: datetime) -> datetime:
    """Until when a promoted person may confirm: the offer hours, but not past the day itself."""
    deadline = now + timedelta(hours=float(conf.setting("venue_offer_hours") or 48))
    if conf.starts_at > now + timedelta(hours=2):
        deadline = min(deadline, conf.starts_at - timedelta(hours=1))
    return deadline


def waiting_list(session: Session, conference_id: int) -> list[Registration]:
    """People waiting for an on-site place without one, first in first out."""
    return list(
        session.scalars(
            select(Registration)
            .where(
                Registration.conference_id == conference_id,
                Registration.status != "canceled",
                Registration.venue_waitlisted_at.is_not(None),
                Registration.holds_venue_place.is_(False),
            )
            .order_by(Registration.venue_waitlisted_at, Registration.id)
        )
    )


def waiting_position(session: Session, reg: Registration) -> int | None:
    """1-based place of `reg` in the venue waiting list, or None when not waiting."""
    if reg.venue_waitlisted_at is None or reg.holds_venue_place or not reg.active:
        return None
    ahead = session.scalar(
        select(func.count()).where(
            Registration.conference_id == reg.conference_id,
            Registration.status != "canceled",
            Registration.venue_waitlisted_at.is_not(None),
            Registration.holds_venue_place.is_(False),
            or_(
                Registration.venue_waitlisted_at < reg.venue_waitlisted_at,
                (Registration.venue_waitlisted_at == reg.venue_waitlisted_at)
                & (Registration.id < reg.id),
            ),
        )
    )
    return int(ahead or 0) + 1


class _Undo(Exception):
    pass


def _promote_one(session: Session, conf: Conference, reg: Registration, now: datetime) -> str:
    """Offer `reg` a place: 'offered', 'full' (no place for this profile) or 'gone'."""
    deadline = offer_deadline(conf, now)
    try:
        with session.begin_nested():
            if not take_counter(session, conf, reg.profile, now, reg.id):
                return "full"
            # Conditional: the person may have canceled since the list was read.
            done = session.execute(
                update(Registration)
                .where(
                    Registration.id == reg.id,
                    Registration.status != "canceled",
                    Registration.venue_waitlisted_at.is_not(None),
                    Registration.holds_venue_place.is_(False),
                )
                .values(holds_venue_place=True, venue_offer_expires_at=deadline)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not done:
                raise _Undo()
    except _Undo:
        return "gone"
    session.refresh(reg)
    return "offered"


def fill_free_places(session: Session, conf: Conference, now: datetime) -> list[Registration]:
    """Offer free places to the waiting list, first in first out, quotas and the organisation
    cap respected (a person of a full organisation keeps their turn for later).

    Runs in the transaction that freed the places; returns the people who got an offer (the
    caller tells them).
    """
    offered: list[Registration] = []
    blocked: set[str] = set()
    if conf.venue_mode == "draw" and conf.organisation_cap:
        conf = lock_conference(session, conf.id)  # the count below holds until the COMMIT
    per_organisation = organisation_places(session, conf)
    for reg in waiting_list(session, conf.id):
        if reg.profile in blocked:
            continue
        if per_organisation is not None and per_organisation.full(reg.organisation):
            continue
        outcome = _promote_one(session, conf, reg, now)
        if outcome == "offered":
            offered.append(reg)
            if per_organisation is not None:
                per_organisation.add(reg.organisation)
        elif outcome == "full":
            session.refresh(conf, ["onsite_taken", "onsite_capacity"])
            if conf.onsite_taken >= conf.onsite_capacity or not conf.profile_quotas:
                break
            blocked.add(reg.profile)  # the free places are kept for other profiles
    return offered
