"""Taking a contingent place with a code at registration, and giving it back.

Both run inside the caller's write transaction: the registration (signup) or the change that
gives the place up (`registration.venue.release_place`). A code is used with one conditional
UPDATE (`uses < max_uses`), then a place with another (`used < places`, not released); the
CHECK constraints back both up. A use row records which registration holds which place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from registration.contingents.codes import code_hash, normalise
from registration.contingents.errors import CodeRefused
from registration.contingents.models import Contingent, ContingentCode, ContingentUse


def take_with_code(
    session: Session, conference_id: int, typed: Any, registration_id: int, now: datetime
) -> None:
    """Take a contingent place for a new registration with `typed`; CodeRefused when it cannot."""
    normalised = normalise(typed)
    if normalised is None:
        raise CodeRefused()
    code_id, contingent_id = session.execute(
        update(ContingentCode)
        .where(
            ContingentCode.code_hash == code_hash(normalised),
            ContingentCode.uses < ContingentCode.max_uses,
            ContingentCode.revoked_at.is_(None),
        )
        .values(uses=ContingentCode.uses + 1)
        .returning(ContingentCode.id, ContingentCode.contingent_id)
        .execution_options(synchronize_session=False)
    ).one_or_none() or (None, None)
    if code_id is None:
        raise CodeRefused()
    taken = session.execute(
        update(Contingent)
        .where(
            Contingent.id == contingent_id,
            Contingent.conference_id == conference_id,
            Contingent.released_at.is_(None),
            Contingent.used < Contingent.places,
        )
        .values(used=Contingent.used + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        raise CodeRefused()  # the caller's transaction rolls the code's use back
    session.execute(
        ContingentUse.__table__.insert().values(
            contingent_id=contingent_id, code_id=code_id, registration_id=registration_id,
            created_at=now,
        )
    )  # fmt: skip


def give_back(session: Session, registration_id: int, now: datetime) -> bool:
    """Return a registration's place to its contingent while that is held; False otherwise.

    Called when the registration gives its place up (cancel, online, reconfirmation "no"),
    under the conference lock.
    """
    use = session.execute(
        select(ContingentUse.id, ContingentUse.contingent_id, ContingentUse.code_id).where(
            ContingentUse.registration_id == registration_id, ContingentUse.returned_at.is_(None)
        )
    ).one_or_none()
    if use is None:
        return False
    back = session.execute(
        update(Contingent)
        .where(Contingent.id == use.contingent_id, Contingent.released_at.is_(None))
        .values(used=Contingent.used - 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not back:
        return False  # released: the place is one of the general pool now
    session.execute(update(ContingentUse).where(ContingentUse.id == use.id).values(returned_at=now))
    session.execute(
        update(ContingentCode)
        .where(ContingentCode.id == use.code_id)
        .values(uses=ContingentCode.uses - 1)
    )
    return True
