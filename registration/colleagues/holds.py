"""The venue side of an invitation: a held place in fcfs mode, its expiry, and the confirmation.

A held place is a place on the venue counter like any other (`registration.venue.take_place`,
one conditional UPDATE under the cap and the quotas); the invitation keeps until when. The
expiry job gives it back exactly once: a conditional UPDATE of the invitation row decides,
under the conference lock that the confirmation takes too, so a colleague confirming while
the hold runs out either keeps the place or joins the waiting list, never both or neither.

The fair-access draw plugs in at `venue_on_invite` and `venue_on_confirm`: in `draw` mode an
invitation holds nothing and a confirmation applies (status `applied`) instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from conference.db import write_transaction
from conference.extensions import db
from conference.models import Conference
from registration.changes import lock_for_change, promote, set_mode
from registration.colleagues.models import ColleagueInvitation
from registration.draw.applying import draw_pending, hold_application
from registration.models import Registration
from registration.tickets import issue_ticket
from registration.venue import quotas_active, release_place, take_place


def hold_hours(conf: Conference) -> float:
    """How long an invitation holds a place (setting `colleague_hold_hours`, 48 by default)."""
    return float(conf.setting("colleague_hold_hours"))


def hold_deadline(conf: Conference, now: datetime) -> datetime:
    """Until when an invitation made at `now` holds a place."""
    return now + timedelta(hours=hold_hours(conf))


def venue_on_invite(
    session: Session, conf: Conference, reg: Registration, now: datetime
) -> datetime | None:
    """Hold a place for an invited on-site colleague when one is free; until when, or None.

    Before the draw is published nothing is held: the colleague applies when they confirm.
    """
    if reg.mode != "onsite" or draw_pending(conf):
        return None
    if not take_place(session, reg, conf, now):
        return None
    return hold_deadline(conf, now)


def _join_waiting_list(session: Session, conf: Conference, reg: Registration, now: datetime):
    reg.status = "waitlisted"
    reg.venue_waitlisted_at = now
    set_mode(session, reg, "onsite")
    session.flush()
    promote(session, conf, now)  # a free place goes to the first in line (an offer to confirm)
    return "waitlisted"


def venue_on_confirm(
    session: Session,
    conf: Conference,
    reg: Registration,
    hold_valid: bool,
    old_profile: str,
    now: datetime,
) -> str:
    """Settle the venue for a confirming colleague (both rows locked): the outcome word.

    `registered` (on site with a ticket), `waitlisted` (an offer follows if a place is free),
    `applied` (draw mode before the draw: an application, no place), or `online`.
    """
    if reg.mode == "onsite" and draw_pending(conf) and hold_application(session, conf.id):
        reg.status = "applied"  # an application like any other; nothing was held
        return "applied"
    if reg.mode == "online":
        freed = release_place(session, reg, conf)
        reg.status = "registered"
        if freed:
            promote(session, conf, now)
        return "online"
    if reg.holds_venue_place and not hold_valid:
        release_place(session, reg, conf)  # ran out; the job had not come by yet
    if reg.holds_venue_place and reg.profile != old_profile and quotas_active(conf, now):
        # Quotas count per profile: the place is taken again under the new profile, or lost.
        release_place(session, reg, conf)
        take_place(session, reg, conf, now)
    if not reg.holds_venue_place:
        return _join_waiting_list(session, conf, reg, now)
    reg.status = "registered"
    reg.venue_waitlisted_at = None
    reg.venue_offer_expires_at = None
    issue_ticket(session, reg)
    return "registered"


def expire_hold(invitation_id: int, now: datetime) -> bool:
    """Give back the place of one run-out hold and move the waiting list; False if not due."""
    reg_id = db.session.scalar(
        select(ColleagueInvitation.registration_id).where(ColleagueInvitation.id == invitation_id)
    )
    if reg_id is None:
        return False
    with write_transaction(db.session) as session:
        conf, reg = lock_for_change(session, reg_id)
        # Exactly once: of two runs (or a run and a confirmation), one changes the row.
        done = session.execute(
            update(ColleagueInvitation)
            .where(
                ColleagueInvitation.id == invitation_id,
                ColleagueInvitation.status == "invited",
                ColleagueInvitation.hold_expires_at <= now,
            )
            .values(status="expired", hold_expires_at=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not done:
            return False
        if reg.status == "invited" and release_place(session, reg, conf):
            promote(session, conf, now)
    return True
