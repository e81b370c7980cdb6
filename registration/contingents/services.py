"""Contingents: create them, list them and their codes, release the places left.

Every count is one conditional UPDATE: a contingent is set aside with
`onsite_taken + places <= onsite_capacity`, a code is used with `uses < max_uses`, a place is
taken with `used < places` while the contingent is not released. The CHECK constraints back
each of them up. Lock order, as in `registration.venue`: the conference row first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from conference import audit
from conference.clock import isoformat, utcnow
from conference.db import write_transaction
from conference.errors import Invalid, NotFound
from conference.extensions import db
from conference.models import Conference
from conference.validation import parse_time, tidy_text
from registration.changes import promote
from registration.contingents.codes import code_hash, derive, normalise
from registration.contingents.errors import NotEnoughPlaces
from registration.contingents.models import Contingent, ContingentCode
from registration.venue import lock_conference

MAX_PLACES = 5000
MAX_CODES = 2000
CONTINGENT_FIELDS = frozenset({"name", "places", "codes", "shared_uses", "release_at"})


@dataclass(frozen=True)
class NewContingent:
    """A created contingent and its codes (for the organiser to pass on)."""

    id: int
    codes: list[str]


def _whole(data: dict[str, Any], key: str, low: int, high: int, errors: dict) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[key] = _l("Geef een geheel getal van %(low)d tot %(high)d.", low=low, high=high)
        return None
    return value


def clean_contingent(conf: Conference, data: dict[str, Any]) -> dict[str, Any]:
    """The checked fields of a new contingent; Invalid with a message per bad field."""
    errors: dict[str, Any] = {}
    errors.update({key: _l("Onbekend veld.") for key in data if key not in CONTINGENT_FIELDS})
    name = tidy_text(data["name"]) if isinstance(data.get("name"), str) else ""
    if not name or len(name) > 200:
        errors["name"] = _l("Geef een naam van hoogstens 200 tekens.")
    places = _whole(data, "places", 1, MAX_PLACES, errors)
    if places is None and "places" not in errors:
        errors["places"] = _l("Vul een aantal plaatsen in.")
    codes = _whole(data, "codes", 1, MAX_CODES, errors)
    shared = _whole(data, "shared_uses", 1, MAX_PLACES, errors)
    if codes is not None and shared is not None:
        errors["codes"] = _l("Kies persoonlijke codes of één gedeelde code, niet allebei.")
    release_at = None
    if data.get("release_at") is not None:
        try:
            release_at = parse_time(data["release_at"], "release_at", around=conf.starts_at)
        except Invalid as exc:
            errors.update(exc.fields or {})
    if errors:
        raise Invalid(fields=errors)
    if codes is None and shared is None:
        shared = places  # one shared code for every place, the simplest to hand out
    return {"name": name, "places": places, "codes": codes, "shared_uses": shared,
            "release_at": release_at}  # fmt: skip


def create_contingent(
    conf: Conference, data: dict[str, Any], *, actor: Any = None
) -> NewContingent:
    """Set places aside for a partner, with N personal codes or one shared code."""
    clean = clean_contingent(conf, data)
    with write_transaction(db.session) as session:
        lock_conference(session, conf.id)
        done = session.execute(
            update(Conference)
            .where(
                Conference.id == conf.id,
                Conference.onsite_taken + clean["places"] <= Conference.onsite_capacity,
            )
            .values(onsite_taken=Conference.onsite_taken + clean["places"])
            .execution_options(synchronize_session=False)
        ).rowcount
        if not done:
            raise NotEnoughPlaces()
        row = Contingent(conference_id=conf.id, name=clean["name"], places=clean["places"],
                         release_at=clean["release_at"])  # fmt: skip
        session.add(row)
        session.flush()
        count, uses = (clean["codes"], 1) if clean["codes"] else (1, clean["shared_uses"])
        codes = [derive(row.seed, n) for n in range(1, count + 1)]
        session.add_all(
            ContingentCode(
                contingent_id=row.id, number=n, max_uses=uses, code_hash=code_hash(normalise(code))
            )
            for n, code in enumerate(codes, start=1)
        )
        audit.record(session, actor=actor, action="contingent.create", target_type="contingent",
                     target_id=row.id, after={k: v for k, v in clean.items()})  # fmt: skip
    session.expire(conf, ["onsite_taken"])
    return NewContingent(id=row.id, codes=codes)


def revoke_code(
    contingent_id: int, number: int, *, actor: Any = None, reason: str | None = None
) -> None:
    """Stop a code from giving places (the places it already gave stay)."""
    with write_transaction(db.session) as session:
        row = session.scalar(select(ContingentCode).filter_by(contingent_id=contingent_id,
                                                              number=number))  # fmt: skip
        if row is None:
            raise NotFound()
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            audit.record(session, actor=actor, action="contingent.revoke_code",
                         target_type="contingent", target_id=contingent_id,
                         after={"code": number}, reason=reason)  # fmt: skip


def contingents(conference_id: int) -> list[Contingent]:
    """The conference's contingents, oldest first."""
    return list(
        db.session.scalars(
            select(Contingent)
            .where(Contingent.conference_id == conference_id)
            .order_by(Contingent.id)
        )
    )


def codes_left(contingent: Contingent) -> int:
    """Uses its live codes still allow (never more than its places left)."""
    if contingent.released_at:
        return 0
    left = db.session.scalar(
        select(func.coalesce(func.sum(ContingentCode.max_uses - ContingentCode.uses), 0)).where(
            ContingentCode.contingent_id == contingent.id, ContingentCode.revoked_at.is_(None)
        )
    )
    return min(int(left or 0), contingent.left)


def code_list(contingent: Contingent) -> list[dict[str, Any]]:
    """Every code of a contingent with its uses, for the organiser's list and the CSV."""
    return [
        {
            "number": c.number,
            "code": derive(contingent.seed, c.number),
            "max_uses": c.max_uses,
            "uses": c.uses,
            "revoked": c.revoked_at is not None,
        }
        for c in contingent.codes
    ]


def contingent_json(contingent: Contingent) -> dict[str, Any]:
    """A contingent as `GET /api/v1/contingents` shows it."""
    tz = contingent.conference.timezone
    return {
        "id": contingent.id,
        "name": contingent.name,
        "places": contingent.places,
        "used": contingent.used,
        "codes_left": codes_left(contingent),
        "release_at": isoformat(contingent.release_at, tz),
        "released_at": isoformat(contingent.released_at, tz),
    }


def release(conference_id: int, contingent_id: int, now: datetime) -> int:
    """Give a contingent's unused places back to the general pool, once; how many."""
    with write_transaction(db.session) as session:
        conf = lock_conference(session, conference_id)
        free = session.execute(
            update(Contingent)
            .where(Contingent.id == contingent_id, Contingent.released_at.is_(None))
            .values(released_at=now)
            .returning(Contingent.places - Contingent.used)
            .execution_options(synchronize_session=False)
        ).scalar()
        if not free:
            return 0
        session.execute(
            update(Conference)
            .where(Conference.id == conference_id)
            .values(onsite_taken=Conference.onsite_taken - free)
            .execution_options(synchronize_session=False)
        )
        session.expire(conf, ["onsite_taken"])
        # The freed places go to the waiting list at once, as a cancellation's place does.
        promote(session, conf, now)
        audit.record(session, actor=None, action="contingent.release", target_type="contingent",
                     target_id=contingent_id, after={"places": free})  # fmt: skip
    return int(free)


def release_due(now: datetime) -> dict[str, int]:
    """Release every contingent whose moment has come (the scheduler's job body)."""
    due = db.session.execute(
        select(Contingent.conference_id, Contingent.id).where(
            Contingent.released_at.is_(None), Contingent.release_at <= now
        )
    ).all()
    db.session.rollback()
    places = sum(release(conference_id, contingent_id, now) for conference_id, contingent_id in due)
    return {"contingents": len(due), "places": places}
