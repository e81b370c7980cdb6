"""Registration use cases: view, change, cancel, offers, tickets; `register` is in `signup.py`.

Each function owns its write transaction; the steps inside it are in `registration.changes`.
The venue rules (cap, quotas, waiting list) live in `registration.venue`; e-mails in
`registration.notify`; tickets in `registration.tickets`; the data export and erasure in
`registration.account.personal_data`. Higher packages plug in through `conference.hooks` (this
package must not import them): the seats and links of `GET /api/v1/me` (`seat_summary`,
`me_links`), and the events of a cancel or a change of mode, sent inside the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from conference import audit, hooks
from conference.clock import isoformat, utcnow
from conference.db import write_transaction
from conference.errors import NotFound
from conference.extensions import db
from conference.models import Conference, User
from registration import notify
from registration.changes import (
    PROFILE_LOCKED,  # noqa: F401  (the personal pages show it)
    cancel,
    change_registration,
    confirm_place,
    expire_offer_locked,
    leave_waiting_list,
    lock_for_change,
    promote,
)
from registration.errors import (  # noqa: F401  (the services' API)
    AlreadyRegistered,
    NoTicket,
    NotOnSite,
    RegistrationCanceled,
    RegistrationClosed,
    VenueFull,
)
from registration.models import Registration, Ticket
from registration.questions.services import answers_by_key, change_answers
from registration.reconfirm.services import state as reconfirm_state
from registration.signup import Registered, register  # noqa: F401  (the services' API)
from registration.tickets import issue_ticket, ticket_url
from registration.validation import clean_registration
from registration.venue import lock_conference, lock_registration, waiting_position

# --- reading -------------------------------------------------------------------------------


def registration_by_id(registration_id: int) -> Registration:
    """A registration, or NotFound."""
    reg = db.session.get(Registration, registration_id)
    if reg is None:
        raise NotFound()
    return reg


def seats_of(reg: Registration) -> list[dict[str, Any]]:
    """The seats of `reg` as the packages that own seats describe them."""
    return hooks.gather(hooks.seat_summary, reg)


def registration_json(reg: Registration) -> dict[str, Any]:
    """A registration as `GET /api/v1/me` shows it."""
    ticket = reg.ticket
    tz = reg.conference.timezone
    links: dict[str, Any] = {"agenda_url": None, "calendar_feed_url": None}
    for found in hooks.collect(hooks.me_links, reg):
        links.update(found)
    return {
        "id": reg.id,
        "status": reg.status,
        "mode": reg.mode,
        "profile": reg.profile,
        "email": reg.email,
        "first_name": reg.first_name,
        "last_name": reg.last_name,
        "organisation": reg.organisation,
        "sector": reg.sector,
        "language": reg.language,
        "accessibility_needs": reg.accessibility_needs,
        "diet": reg.diet,
        "created_at": isoformat(reg.created_at, tz),
        "ticket_url": ticket_url(ticket) if ticket else None,
        **links,
        "venue_waitlist": reg.venue_waitlisted_at is not None,
        "venue_waitlist_position": waiting_position(db.session, reg),
        "venue_offer_expires_at": isoformat(reg.venue_offer_expires_at, tz),
        "seats": seats_of(reg),
        "reconfirmed_at": isoformat(reconfirm_state(reg)["reconfirmed_at"], tz),
        "answers": answers_by_key(reg.id),
    }


# --- changes ---------------------------------------------------------------------------------


def update_registration(
    registration_id: int, data: dict[str, Any], now: datetime | None = None
) -> str | None:
    """Apply an attendee's changes (PATCH /me, the edit and mode pages).

    Returns the venue outcome when the mode or the waiting list was touched: `registered`
    (an on-site place), `waitlisted` (joined the waiting list), `online`; else None.
    """
    now = now or utcnow()
    clean = clean_registration({k: v for k, v in data.items() if k != "answers"}, partial=True)
    with write_transaction(db.session) as session:
        conf, reg = lock_for_change(session, registration_id)
        outcome = change_registration(session, conf, reg, clean, now)
        if "answers" in data:  # the organisers' questions (registration.questions)
            change_answers(session, reg, data["answers"], now)
        return outcome


def accept_offer(registration_id: int, now: datetime | None = None) -> str:
    """Confirm an offered place: `confirmed`, `expired` (too late) or `no_offer`."""
    now = now or utcnow()
    with write_transaction(db.session) as session:
        conf, reg = lock_for_change(session, registration_id)
        if not reg.active or not reg.holds_venue_place or reg.venue_offer_expires_at is None:
            return "no_offer"
        if reg.venue_offer_expires_at <= now:
            expire_offer_locked(session, conf, reg)
            promote(session, conf, now)
            return "expired"
        confirm_place(session, conf, reg, "offer_confirmed")
        return "confirmed"


def decline_offer(registration_id: int, now: datetime | None = None) -> bool:
    """Give an offered place to the next person; False when there was no offer."""
    now = now or utcnow()
    with write_transaction(db.session) as session:
        conf, reg = lock_for_change(session, registration_id)
        if not reg.active or reg.venue_offer_expires_at is None:
            return False
        if leave_waiting_list(session, conf, reg):
            promote(session, conf, now)
        return True


def expire_offer(registration_id: int, now: datetime) -> int | None:
    """Expire one overdue offer and promote the next people; how many got an offer.

    None when the offer was not (or no longer) overdue.
    """
    with write_transaction(db.session) as session:
        conf, reg = lock_for_change(session, registration_id)
        due = reg.venue_offer_expires_at
        if not reg.active or not reg.holds_venue_place or due is None or due > now:
            return None
        expire_offer_locked(session, conf, reg)
        return promote(session, conf, now)


def fill_venue(conference_id: int, now: datetime) -> int:
    """Offer any free place to the waiting list (after a quota release or a settings change)."""
    with write_transaction(db.session) as session:
        conf = lock_conference(session, conference_id)
        return promote(session, conf, now)


def on_venue_capacity_raised(conf: Conference, *, session: Session, **_: Any) -> None:
    """More on-site places: offer them to the waiting list in the organiser's transaction."""
    promote(session, conf, utcnow())


def cancel_registration(registration_id: int, now: datetime | None = None) -> bool:
    """Cancel: free the place (the waiting list moves up), revoke ticket and tokens, tell them.

    False when it was already canceled.
    """
    now = now or utcnow()
    with write_transaction(db.session) as session:
        conf, reg = lock_for_change(session, registration_id)
        return cancel(session, conf, reg, now)


def resend_confirmation(registration_id: int) -> int:
    """Mail the confirmation again (help desk): a fresh manage link, the ticket, the calendar."""
    with write_transaction(db.session) as session:
        return notify.notify_confirmation_again(
            session, active_registration(session, registration_id)
        )


def active_registration(session: Session, registration_id: int) -> Registration:
    """A registration that is not canceled, or NotFound."""
    reg = session.get(Registration, registration_id)
    if reg is None or reg.status == "canceled":
        raise NotFound()
    return reg


# --- tickets ---------------------------------------------------------------------------------


def reissue_ticket(
    registration_id: int,
    *,
    actor: User | None,
    reason: str | None = None,
    conference_id: int | None = None,
) -> Ticket:
    """Replace a lost or shared ticket: revoke it, issue a new secret, mail it, audit who asked.

    The one rule behind the personal page, the people page, the help desk page and its API.
    `conference_id` keeps the help desk to its own conference; `actor` None is the system.
    """
    with write_transaction(db.session) as session:
        reg = _ticket_holder(session, registration_id, conference_id)
        old = reg.ticket
        ticket = issue_ticket(session, reg)
        notify.notify_ticket(session, reg.conference, reg, ticket, "reissued")
        audit.record(
            session,
            actor=actor,
            action="registration.reissue_ticket",
            target_type="registration",
            target_id=reg.id,
            before={"ticket_id": old.id if old else None},
            after={"ticket_id": ticket.id},
            reason=reason,
        )
    return ticket


def _ticket_holder(session: Session, registration_id: int, conference_id: int | None):
    """The registration, locked, if it is a confirmed on-site one (the only kind with a ticket)."""
    found = session.scalar(
        select(Registration.conference_id).where(Registration.id == registration_id)
    )
    if found is None or (conference_id is not None and found != conference_id):
        raise NotFound()
    reg = lock_registration(session, registration_id)
    if reg.status == "canceled":
        raise RegistrationCanceled()
    if reg.mode != "onsite":
        raise NotOnSite()
    if reg.status != "registered":
        raise NoTicket()
    return reg
