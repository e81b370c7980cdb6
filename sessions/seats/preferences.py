"""The preference round: each attendee ranks up to five activities per block."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import Invalid
from conference.extensions import db
from conference.models import Conference
from registration.models import Registration
from sessions.programme.models import Activity, Block
from sessions.seats.errors import ChoiceClosed, NotRegistered
from sessions.seats.models import Preference
from sessions.seats.rules import fits_mode

MAX_RANKS = 5


def choice_blocks(conf: Conference) -> list[Block]:
    """The blocks that hold activities with seats, in time order."""
    blocks = db.session.scalars(
        select(Block)
        .filter_by(conference_id=conf.id)
        .options(selectinload(Block.activities))
        .order_by(Block.starts_at)
    ).all()
    return [b for b in blocks if any(a.seated and a.published for a in b.activities)]


def options_for(registration: Registration, block: Block) -> list[Activity]:
    """The activities of a block a person may rank: seated, published and fitting their mode."""
    return [
        a for a in block.activities if a.seated and a.published and fits_mode(registration.mode, a)
    ]


def preferences_of(registration_id: int, session: Session | None = None) -> dict[int, list[int]]:
    """The stored ranking per block: block id -> activity ids, best first."""
    session = session or db.session
    ranking: dict[int, list[int]] = defaultdict(list)
    for pref in session.scalars(
        select(Preference)
        .filter_by(registration_id=registration_id)
        .order_by(Preference.block_id, Preference.rank)
    ):
        ranking[pref.block_id].append(pref.activity_id)
    return dict(ranking)


def choice_open(conf: Conference, now: datetime | None = None) -> bool:
    """Whether the preference round accepts choices now."""
    return conf.allocation_mode == "preferences" and conf.choice_open(now)


def validate_ranking(
    registration: Registration, data: Any, blocks: list[Block]
) -> dict[int, list[int]]:
    """Check `{block_id: [activity ids]}`; raise Invalid naming each bad block."""
    if not isinstance(data, dict):
        raise Invalid(fields={"body": _l("geef per blok een lijst van activiteiten")})
    by_id = {b.id: b for b in blocks}
    errors: dict[str, Any] = {}
    clean: dict[int, list[int]] = {}
    for key, ids in data.items():
        try:
            block_id = int(key)
        except (TypeError, ValueError):
            block_id = None
        block = by_id.get(block_id) if block_id is not None else None
        if block is None:
            errors[str(key)] = _l("onbekend blok")
            continue
        if not isinstance(ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in ids
        ):
            errors[str(key)] = _l("geef een lijst van activiteit-id's")
            continue
        if len(ids) > MAX_RANKS:
            errors[str(key)] = _l("kies hoogstens %(n)s activiteiten", n=MAX_RANKS)
            continue
        if len(set(ids)) != len(ids):
            errors[str(key)] = _l("je koos dezelfde activiteit meer dan eens")
            continue
        allowed = {a.id for a in options_for(registration, block)}
        if any(i not in allowed for i in ids):
            errors[str(key)] = _l(
                "een activiteit hoort niet bij dit blok of past niet bij je inschrijving"
            )
            continue
        clean[block.id] = ids
    if errors:
        raise Invalid(fields=errors)
    return clean


def save_preferences(
    registration_id: int, data: Any, *, now: datetime | None = None
) -> dict[int, list[int]]:
    """Replace the ranking of each block given (others stay); the whole stored ranking."""
    with write_transaction(db.session) as session:
        # Lock the person's row: two tabs saving at once queue instead of clashing.
        reg = session.scalar(select(Registration).filter_by(id=registration_id).with_for_update())
        if reg is None or reg.status != "registered":
            raise NotRegistered()
        conf = reg.conference
        if not choice_open(conf, now or utcnow()):
            raise ChoiceClosed()
        clean = validate_ranking(reg, data, choice_blocks(conf))
        for block_id, ids in clean.items():
            session.execute(
                delete(Preference).where(
                    Preference.registration_id == reg.id, Preference.block_id == block_id
                )
            )
            session.add_all(
                Preference(registration_id=reg.id, block_id=block_id, activity_id=a, rank=k + 1)
                for k, a in enumerate(ids)
            )
        session.flush()
        return preferences_of(reg.id, session)


def drop_preferences(
    session: Session, registration: Registration, *, only_misfits: bool = False
) -> int:
    """Delete a person's preferences (all, or those whose mode no longer fits); the count."""
    prefs = session.scalars(select(Preference).filter_by(registration_id=registration.id)).all()
    gone = [
        p
        for p in prefs
        if not only_misfits
        or not fits_mode(registration.mode, session.get(Activity, p.activity_id))
    ]
    for p in gone:
        session.delete(p)
    session.flush()
    if only_misfits and gone:
        # Close the gaps the deleted choices left (ranks 1, 2, 3, ...): rewrite those blocks.
        touched = {p.block_id for p in gone}
        for block_id in touched:
            keep = sorted(
                (p for p in prefs if p.block_id == block_id and p not in gone), key=lambda p: p.rank
            )
            rows = [(p.activity_id, k + 1) for k, p in enumerate(keep)]
            for p in keep:
                session.delete(p)
            session.flush()
            session.add_all(
                Preference(
                    registration_id=registration.id, block_id=block_id, activity_id=a, rank=r
                )
                for a, r in rows
            )
        session.flush()
    return len(gone)
