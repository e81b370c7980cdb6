"""Reconfirmation jobs: ask every on-site registrant once, remind halfway once, then close.

Each step claims its rows with a conditional UPDATE (`asked_at IS NULL`, ...) and queues the
mail with a dedupe key in the same transaction, so running a job twice, or twice at once,
sends each mail once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from conference.db import write_transaction
from conference.extensions import db
from conference.models import Conference
from registration.changes import change_registration, lock_for_change
from registration.models import Registration
from registration.reconfirm import mails
from registration.reconfirm.models import Reconfirmation
from registration.reconfirm.services import holds_confirmed_place, row_for

BATCH = 200


def _holders(conf: Conference):
    return select(Registration.id).where(
        Registration.conference_id == conf.id,
        Registration.status == "registered",
        Registration.mode == "onsite",
        Registration.holds_venue_place.is_(True),
        Registration.venue_offer_expires_at.is_(None),
    )


def _ask(conf: Conference, now: datetime) -> int:
    asked = select(Reconfirmation.registration_id).where(Reconfirmation.asked_at.is_not(None))
    ids = db.session.scalars(_holders(conf).where(Registration.id.not_in(asked))).all()
    db.session.rollback()
    done = 0
    for start in range(0, len(ids), BATCH):
        with write_transaction(db.session) as session:
            for reg in session.scalars(
                select(Registration).where(Registration.id.in_(ids[start : start + BATCH]))
            ):
                row = row_for(session, reg)
                claimed = session.execute(
                    update(Reconfirmation)
                    .where(
                        Reconfirmation.registration_id == reg.id, Reconfirmation.asked_at.is_(None)
                    )
                    .values(asked_at=now)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if claimed and row.answered_at is None:
                    mails.queue(session, conf, reg, row, "reconfirm")
                    done += 1
    return done


def _remind(conf: Conference, now: datetime) -> int:
    ids = db.session.scalars(
        select(Reconfirmation.registration_id).where(
            Reconfirmation.conference_id == conf.id,
            Reconfirmation.asked_at.is_not(None),
            Reconfirmation.answered_at.is_(None),
            Reconfirmation.reminded_at.is_(None),
            Reconfirmation.registration_id.in_(_holders(conf)),
        )
    ).all()
    db.session.rollback()
    done = 0
    for reg_id in ids:
        with write_transaction(db.session) as session:
            claimed = session.execute(
                update(Reconfirmation)
                .where(
                    Reconfirmation.registration_id == reg_id,
                    Reconfirmation.reminded_at.is_(None),
                    Reconfirmation.answered_at.is_(None),
                )
                .values(reminded_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed:
                row = session.get(Reconfirmation, reg_id)
                mails.queue(session, conf, row.registration, row, "reconfirm_reminder")
                done += 1
    return done


def _close_one(conference_id: int, reg_id: int, release: bool, now: datetime) -> bool:
    with write_transaction(db.session) as session:
        conf, reg = lock_for_change(session, reg_id)
        row = session.get(Reconfirmation, reg_id, with_for_update=True, populate_existing=True)
        if row.answered_at is not None or row.released_at or row.flagged_at:
            return False
        if not release or not holds_confirmed_place(reg):
            row.flagged_at = now
            return False
        row.released_at = now
        change_registration(session, conf, reg, {"mode": "online"}, now)
        mails.queue(session, conf, reg, row, "reconfirm_released")
        return True


def _close(conf: Conference, now: datetime) -> int:
    ids = db.session.scalars(
        select(Reconfirmation.registration_id).where(
            Reconfirmation.conference_id == conf.id,
            Reconfirmation.asked_at.is_not(None),
            Reconfirmation.answered_at.is_(None),
            Reconfirmation.released_at.is_(None),
            Reconfirmation.flagged_at.is_(None),
        )
    ).all()
    release = conf.reconfirm_release
    db.session.rollback()
    return sum(_close_one(conf.id, reg_id, release, now) for reg_id in ids)


def reconfirm(now: datetime) -> dict[str, Any]:
    """Ask, remind halfway, and after the deadline release (or flag) unanswered places."""
    result = {"asked": 0, "reminded": 0, "released": 0}
    confs = db.session.scalars(
        select(Conference).where(
            Conference.reconfirm_opens_at <= now, Conference.reconfirm_closes_at.is_not(None)
        )
    ).all()
    for conf in confs:
        opens, closes = conf.reconfirm_opens_at, conf.reconfirm_closes_at
        if now < closes:
            result["asked"] += _ask(conf, now)
            if now >= opens + (closes - opens) / 2:
                result["reminded"] += _remind(conf, now)
        else:
            result["released"] += _close(conf, now)
    db.session.rollback()
    return result
