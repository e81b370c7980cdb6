"""Reconfirmation answers: "Ik kom" or "Ik kan niet meer komen", by link, page or API.

A "no" gives the place up in the same transaction as the answer, and the waiting list moves
up at once (`registration.changes`); the person keeps following online. Lock order, as
everywhere: the conference row, then the registration, then the reconfirmation row.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference.clock import local, utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.models import Conference
from registration.changes import change_registration, lock_for_change
from registration.models import Registration
from registration.reconfirm import mails
from registration.reconfirm.errors import LinkUsed, NoPlaceToConfirm, ReconfirmClosed
from registration.reconfirm.links import read_token
from registration.reconfirm.models import Reconfirmation


def window_open(conf: Conference, now: datetime) -> bool:
    """Whether answers are taken at `now`."""
    opens, closes = conf.reconfirm_opens_at, conf.reconfirm_closes_at
    return opens is not None and closes is not None and opens <= now < closes


def holds_confirmed_place(reg: Registration) -> bool:
    """An active on-site registration with a confirmed place (not an open offer)."""
    return (
        reg.active
        and reg.mode == "onsite"
        and reg.status == "registered"
        and reg.holds_venue_place
        and reg.venue_offer_expires_at is None
    )


def row_for(session: Session, reg: Registration) -> Reconfirmation:
    """The registration's reconfirmation row, made now if it has none (once, under any race)."""
    row = session.get(Reconfirmation, reg.id)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = Reconfirmation(registration_id=reg.id, conference_id=reg.conference_id)
            session.add(row)
    except IntegrityError:
        row = session.get(Reconfirmation, reg.id, populate_existing=True)
    return row


def _apply(
    session: Session, conf: Conference, reg: Registration, attending: bool, now: datetime
) -> Reconfirmation:
    row = row_for(session, reg)
    if row.answer == "yes" and attending:
        return row
    row.answer, row.answered_at = ("yes" if attending else "no"), now
    if not attending:
        # Online from now on: the place goes back and the waiting list moves up, at once.
        change_registration(session, conf, reg, {"mode": "online"}, now)
        mails.queue(session, conf, reg, row, "reconfirm_declined")
    return row


def answer(
    registration_id: int, attending: bool, now: datetime | None = None, link_id: str | None = None
) -> Reconfirmation:
    """Record an answer; "no" gives the place up. With `link_id` (the mail's link) only once."""
    now = now or utcnow()
    with write_transaction(db.session) as session:
        conf, reg = lock_for_change(session, registration_id)
        if not window_open(conf, now):
            raise ReconfirmClosed()
        if link_id is not None:
            row = session.get(Reconfirmation, reg.id, with_for_update=True)
            if row is None or row.link_id != link_id or row.answered_at is not None:
                raise LinkUsed()
        if not holds_confirmed_place(reg):
            raise NoPlaceToConfirm()
        return _apply(session, conf, reg, attending, now)


def answer_by_link(token: str, attending: bool, now: datetime | None = None) -> Reconfirmation:
    """Answer with the mail's link (single use); LinkUsed when it is unknown or used."""
    found = read_token(token)
    if found is None:
        raise LinkUsed()
    return answer(found[0], attending, now, link_id=found[1])


def check_link(token: str) -> Registration | None:
    """The registration behind an unused link (for the page with the button); reads only."""
    found = read_token(token)
    if found is None:
        return None
    row = db.session.get(Reconfirmation, found[0])
    if row is None or row.link_id != found[1] or row.answered_at is not None:
        return None
    return row.registration


def state(reg: Registration) -> dict[str, Any]:
    """What /me and the personal page show: the answer and when a "yes" came."""
    row = db.session.get(Reconfirmation, reg.id)
    return {
        "answer": row.answer if row else None,
        "reconfirmed_at": row.answered_at if row and row.answer == "yes" else None,
    }


def unconfirmed_places(conference_id: int) -> Select:
    """Ids of on-site places left unconfirmed after the deadline and kept (only flagged)."""
    return (
        select(Reconfirmation.registration_id)
        .join(Registration, Registration.id == Reconfirmation.registration_id)
        .where(
            Reconfirmation.conference_id == conference_id,
            Reconfirmation.flagged_at.is_not(None),
            Reconfirmation.answered_at.is_(None),
            Registration.status == "registered",
            Registration.mode == "onsite",
        )
    )


def unconfirmed_among(conference_id: int, ids: list[int]) -> set[int]:
    """Which of `ids` hold a flagged, unconfirmed place (for the people list's marker)."""
    if not ids:
        return set()
    query = unconfirmed_places(conference_id).where(Reconfirmation.registration_id.in_(ids))
    return set(db.session.scalars(query))


def summary(reg: Registration) -> dict[str, Any] | None:
    """The reconfirmation as the person's page in the back office shows it; None if not asked."""
    row = db.session.get(Reconfirmation, reg.id)
    if row is None or row.asked_at is None:
        return None
    if row.answer:
        outcome = row.answer
    elif row.released_at:
        outcome = "released"
    elif row.flagged_at and holds_confirmed_place(reg):
        outcome = "unconfirmed"
    else:
        outcome = "open"
    return {
        "outcome": outcome,
        "asked_at": row.asked_at,
        "answered_at": row.answered_at,
        "closed_at": row.released_at or row.flagged_at,
    }


def figures(conference_id: int) -> dict[str, Any]:
    """The answers so far, for the dashboard: yes, no, not yet (of those asked), and per day."""
    rows = db.session.execute(
        select(
            Reconfirmation.asked_at, Reconfirmation.answer, Reconfirmation.answered_at,
            Reconfirmation.released_at, Reconfirmation.flagged_at,
        ).where(Reconfirmation.conference_id == conference_id, Reconfirmation.asked_at.is_not(None))
    ).all()  # fmt: skip
    result: dict[str, Any] = {
        "asked": len(rows), "yes": 0, "no": 0, "open": 0, "released": 0, "flagged": 0,
    }  # fmt: skip
    for _asked, given, _at, released, flagged in rows:
        key = "released" if released is not None else given or "open"
        result[key] += 1
        result["flagged"] += flagged is not None and given is None
    result["days"] = _per_day(db.session.get(Conference, conference_id), rows)
    return result


def _per_day(conf: Conference, rows: list[Any]) -> list[dict[str, Any]]:
    """Per day since the question went out: the yes and no answers of that day, and how many
    asked were still without an answer at its end (places released unanswered not counted)."""
    if not rows:
        return []
    tz = conf.timezone
    asked: Counter[date] = Counter()
    events: dict[str, Counter[date]] = {"yes": Counter(), "no": Counter(), "released": Counter()}
    for asked_at, given, answered_at, released, _flagged in rows:
        asked[local(asked_at, tz).date()] += 1
        if given:
            events[given][local(answered_at, tz).date()] += 1
        elif released is not None:
            events["released"][local(released, tz).date()] += 1
    seen = set(asked).union(*events.values())
    today = min(local(utcnow(), tz), local(conf.reconfirm_closes_at or utcnow(), tz)).date()
    day, last, days, still_open = min(seen), max(max(seen), today), [], 0
    while day <= last:
        still_open += asked[day] - sum(count[day] for count in events.values())
        days.append({"day": day, "yes": events["yes"][day], "no": events["no"][day],
                     "open": still_open})  # fmt: skip
        day += timedelta(days=1)
    return days
