"""The draw's use cases: a dry run to review, and publishing the draw in one transaction.

Publishing locks the conference row first, then the applications (the lock order of
`registration.venue`), sets `draw_published_at` with a conditional UPDATE (a second publish
finds it set and is refused), gives the drawn their places with one conditional UPDATE of the
venue counter (never above the cap), puts the others on the waiting list in lottery order,
and queues one result mail per applicant, all in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from conference import audit, live
from conference.db import write_transaction
from conference.errors import Invalid
from conference.extensions import db
from conference.models import Conference
from conference.snapshot import CONFERENCE_TOPIC
from registration.draw import mail
from registration.draw.applying import commit_seed, draw_pending
from registration.draw.errors import DrawClosed, DrawPublished
from registration.draw.inputs import applications, draw_input, figures
from registration.draw.lottery import DrawResult, run_draw, to_record
from registration.draw.models import VenueDraw
from registration.manage_links import issue_manage_links
from registration.models import Registration, Ticket, new_ticket_secret
from registration.venue import lock_conference

REGISTRATIONS = Registration.__table__
TICKETS = Ticket.__table__


def _lock_applications(session: Session, conference_id: int) -> list[Registration]:
    """The applications, locked (after the conference row) and read fresh."""
    return list(
        session.scalars(
            select(Registration)
            .where(Registration.conference_id == conference_id, Registration.status == "applied")
            .order_by(Registration.id)
            .with_for_update(of=Registration, key_share=True)
            .execution_options(populate_existing=True)
        )
    )


def dry_run(conference_id: int, now: datetime, seed: int | None = None) -> dict[str, Any]:
    """Draw without changing anyone: the figures, kept for the review page's comparison."""
    with write_transaction(db.session) as session:
        conf = lock_conference(session, conference_id)
        row = commit_seed(session, conf.id)
        if conf.draw_published_at is not None:
            raise DrawPublished()
        people = applications(session, conf.id)
        inp, keys = draw_input(session, conf, people, int(seed or row.seed), now)
        result = run_draw(inp)
        answer = figures(inp, result, keys) | {"published": False}
        previous = row.dry_run or {}
        row.dry_run = {
            **answer,
            "drawn": list(result.drawn),
            "previous": {k: previous.get(k) for k in ("registered", "per_profile", "drawn")},
            "own_seed": seed is not None,
        }
        row.dry_run_at = now
    return answer


def publish(conference_id: int, now: datetime, actor: Any = None) -> dict[str, Any]:
    """Publish the draw with the committed seed; refused before `draw_at` or a second time."""
    with write_transaction(db.session) as session:
        conf = lock_conference(session, conference_id)
        if conf.draw_published_at is not None:
            raise DrawPublished()
        # Without a moment the organiser draws by hand; with one, not before it.
        if not draw_pending(conf) or (conf.draw_at is not None and now < conf.draw_at):
            raise DrawClosed()
        row = commit_seed(session, conf.id)
        people = _lock_applications(session, conf.id)
        inp, keys = draw_input(session, conf, people, int(row.seed), now)
        result = run_draw(inp)
        _mark_published(session, conf, now)
        _apply(session, conf, people, result, now)
        row.published, row.published_at = to_record(inp, result), now
        answer = figures(inp, result, keys) | {"published": True}
        audit.record(
            session, actor=actor, action="venue.draw_published", target_type="conference",
            target_id=conf.id, after={k: answer[k] for k in ("applicants", "registered",
            "waitlisted", "max_per_organisation")} | {"seed": row.seed},
        )  # fmt: skip
    return answer


def _mark_published(session: Session, conf: Conference, now: datetime) -> None:
    """Set the moment once: the conditional UPDATE refuses a publish that lost a race."""
    done = session.execute(
        update(Conference)
        .where(Conference.id == conf.id, Conference.draw_published_at.is_(None))
        .values(draw_published_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise DrawPublished()
    # A bulk UPDATE: the cached conference settings of every process must see it.
    live.mark(session, CONFERENCE_TOPIC)
    session.expire(conf, ["draw_published_at"])


def _apply(
    session: Session, conf: Conference, people: list[Registration], result: DrawResult, now
) -> None:
    """Places and tickets for the drawn, the waiting list in lottery order, the mails.

    Set-based (a few statements for thousands of applicants): the publishing transaction holds
    the conference's row lock, which registrations wait for.
    """
    n = len(result.drawn)
    taken = session.execute(
        update(Conference)
        .where(Conference.id == conf.id, Conference.onsite_taken + n <= Conference.onsite_capacity)
        .values(onsite_taken=Conference.onsite_taken + n)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:  # cannot happen under the lock; the cap is the invariant, so say no
        raise RuntimeError("the draw does not fit the venue")
    session.expire(conf, ["onsite_taken"])
    secrets = {number: new_ticket_secret() for number in result.drawn}
    if secrets:
        session.execute(
            update(Registration)
            .where(Registration.id.in_(list(secrets)))
            .values(status="registered", holds_venue_place=True, venue_waitlisted_at=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            insert(TICKETS),
            [{"registration_id": number, "secret": secret, "status": "active", "created_at": now}
             for number, secret in secrets.items()],
        )  # fmt: skip
    if result.waitlist:
        # The waiting list is first in, first out: these moments keep the lottery order.
        session.execute(
            update(REGISTRATIONS)
            .where(REGISTRATIONS.c.id == bindparam("number"))
            .values(status="waitlisted", venue_waitlisted_at=bindparam("moment"), updated_at=now),
            [{"number": number, "moment": now + timedelta(microseconds=position)}
             for position, number in enumerate(result.waitlist)],
        )  # fmt: skip
    by_id = {r.id: r for r in people}
    links = issue_manage_links(session, [r.user_id for r in people], now)
    mail.queue_results(
        session,
        conf,
        [(by_id[number], secret, None) for number, secret in secrets.items()]
        + [(by_id[number], None, i + 1) for i, number in enumerate(result.waitlist)],
        links,
    )


def run(
    conference_id: int, *, dry_run_only: bool, seed: int | None, now: datetime, actor: Any = None
) -> dict[str, Any]:
    """The API's draw: a dry run (any seed) or the real one (only the committed seed)."""
    if dry_run_only:
        return dry_run(conference_id, now, seed)
    if seed is not None:
        row = db.session.scalar(select(VenueDraw).where(VenueDraw.conference_id == conference_id))
        if row is None or str(seed) != row.seed:
            raise Invalid(fields={"seed": SEED_FIXED})
    return publish(conference_id, now, actor)


SEED_FIXED = _l("de echte loting gebruikt het vooraf vastgelegde getal")
