"""Applying before the draw: the committed seed and the application's hold on the draw.

An on-site registration in draw mode before the draw is an application (`applied`): it holds
no place. The one conditional UPDATE in `hold_application` makes sure no application slips in
after the draw was published: it waits for the publishing transaction's row lock and then sees
`draw_published_at` set (the registration then goes the first-come way).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference.models import Conference
from registration.draw.errors import ApplicationsWaiting
from registration.draw.models import VenueDraw
from registration.models import Registration

_CONFERENCES = Conference.__table__
HOLD = (
    update(_CONFERENCES)
    .where(
        _CONFERENCES.c.id == bindparam("conference_id"),
        _CONFERENCES.c.venue_mode == "draw",
        _CONFERENCES.c.draw_published_at.is_(None),
    )
    .values(updated_at=_CONFERENCES.c.updated_at)
)


def draw_pending(conf: Any) -> bool:
    """Whether on-site requests are applications now: draw mode, no draw published yet."""
    return conf.venue_mode == "draw" and conf.draw_published_at is None


def hold_application(session: Session, conference_id: int) -> bool:
    """Whether the draw still takes applications, decided under the conference's row lock."""
    return session.connection().execute(HOLD, {"conference_id": conference_id}).rowcount == 1


def commitment_of(seed: str) -> str:
    """The public SHA-256 of a seed: it binds the draw to the seed before anyone applies."""
    return hashlib.sha256(seed.encode()).hexdigest()


def commit_seed(session: Session, conference_id: int) -> VenueDraw:
    """The conference's draw row with its secret seed, made once (the first caller wins)."""
    row = session.scalar(select(VenueDraw).where(VenueDraw.conference_id == conference_id))
    if row is not None:
        return row
    seed = str(secrets.randbits(128))
    row = VenueDraw(conference_id=conference_id, seed=seed, commitment=commitment_of(seed))
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another transaction committed first: theirs is the seed
        return session.scalars(
            select(VenueDraw).where(VenueDraw.conference_id == conference_id)
        ).one()
    return row


def on_venue_mode_changed(conf: Conference, session: Session) -> None:
    """Draw mode commits to a seed; leaving it is refused while applications wait."""
    if conf.venue_mode == "draw":
        commit_seed(session, conf.id)
        return
    waiting = session.scalar(
        select(func.count()).where(
            Registration.conference_id == conf.id, Registration.status == "applied"
        )
    )
    if waiting:
        raise ApplicationsWaiting()
