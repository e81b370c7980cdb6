"""Registration use cases: view, change, cancel; `register` (in `signup.py`) is re-exported.

Each function owns its write transaction. The venue rules (cap, quotas, waiting list) live in
`registration.venue`; e-mails in `registration.notify`; tickets in `registration.tickets`; the
data export and erasure in `registration.personal_data`.

Higher packages plug in through `conference.hooks` (this package must not import them): the
seats and links of `GET /api/v1/me` (`seat_summary`, `me_links`), and the events of a cancel or a
change of mode, sent inside the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conference import hooks
from conference.clock import isoformat, utcnow
from conference.db import write_transaction
from conference.errors import Conflict, Invalid, NotFound
from conference.extensions import db
from conference.mail.outbox import add_new_mail
from conference.models import Conference, MailMessage
from registration import notify
from registration.errors import AlreadyRegistered, RegistrationClosed, VenueFull  # noqa: F401
from registration.manage_links import end_all_access, issue_manage_link
from registration.models import Registration, Ticket
from registration.signup import Registered, register  # noqa: F401  (the services' API)
from registration.tickets import issue_ticket, revoke_tickets, ticket_url
from registration.validation import clean_registration
from registration.venue import (
    fill_free_places,
    lock_conference,
    lock_registration,
    release_place,
    take_place,
    waiting_position,
)

PROFILE_LOCKED = _l(
    "Je profiel kan je niet meer zelf wijzigen nu je een plaats ter plaatse hebt of op de "
    "wachtlijst staat. Vraag het aan de organisatoren."
)


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
    }


# --- changes ---------------------------------------------------------------------------------


def _locked(session: Session, registration_id: int) -> tuple[Conference, Registration]:
    """Conference then registration, locked in that order (see venue.py)."""
    conference_id = session.scalar(
        select(Registration.conference_id).where(Registration.id == registration_id)
    )
    if conference_id is None:
        raise NotFound()
    conf = lock_conference(session, conference_id)
    reg = lock_registration(session, registration_id)
    return conf, reg


def _set_mode(session: Session, reg: Registration, mode: str) -> None:
    old = reg.mode
    reg.mode = mode
    if old != mode:
        session.flush()
        hooks.registration_mode_changed.send(reg, old_mode=old, new_mode=mode, session=session)


def _promote(session: Session, conf: Conference, now: datetime) -> int:
    offered = fill_free_places(session, conf, now)
    for person in offered:
        notify.notify_offer(session, conf, person)
    return len(offered)


def _confirm_place(session: Session, conf: Conference, reg: Registration, reason: str) -> None:
    """`reg` holds a place: make it a confirmed on-site registration with a ticket."""
    reg.status = "registered"
    reg.venue_waitlisted_at = None
    reg.venue_offer_expires_at = None
    _set_mode(session, reg, "onsite")
    ticket = issue_ticket(session, reg)
    notify.notify_ticket(session, conf, reg, ticket, reason)


def _leave_waiting_list(session: Session, conf: Conference, reg: Registration, now) -> bool:
    """Stop waiting (declining an offer gives the place to the next); True if a place freed."""
    freed = release_place(session, reg, conf) if reg.venue_offer_expires_at else False
    reg.venue_waitlisted_at = None
    reg.venue_offer_expires_at = None
    if reg.status == "waitlisted":
        # Not waiting any more: follow online rather than hold nothing at all.
        reg.status = "registered"
        _set_mode(session, reg, "online")
    return freed


def _go_onsite(session: Session, conf: Conference, reg: Registration, now: datetime) -> str:
    if reg.mode == "onsite" and reg.status == "registered":
        return "registered"
    if reg.holds_venue_place:  # an open offer: switching to on site confirms it
        _confirm_place(session, conf, reg, "offer_confirmed")
        return "registered"
    if take_place(session, reg, conf, now):
        _confirm_place(session, conf, reg, "mode_onsite")
        return "registered"
    if reg.venue_waitlisted_at is None:
        reg.venue_waitlisted_at = now
    return "waitlisted"


def _go_online(
    session: Session, conf: Conference, reg: Registration, now: datetime, keep_waiting: bool
) -> bool:
    freed = release_place(session, reg, conf)
    revoke_tickets(session, reg)
    reg.status = "registered"
    if keep_waiting:
        reg.venue_waitlisted_at = reg.venue_waitlisted_at or now
    else:
        reg.venue_waitlisted_at = None
    _set_mode(session, reg, "online")
    return freed


def update_registration(
    registration_id: int, data: dict[str, Any], now: datetime | None = None
) -> str | None:
    """Apply an attendee's changes (PATCH /me, the edit and mode pages).

    Returns the venue outcome when the mode or the waiting list was touched: `registered`
    (an on-site place), `waitlisted` (joined the waiting list), `online`; else None.
    """
    now = now or utcnow()
    clean = clean_registration(data, partial=True)
    with write_transaction(db.session) as session:
        conf, reg = _locked(session, registration_id)
        if not reg.active:
            raise NotFound()
        locked_profile = reg.holds_venue_place or reg.venue_waitlisted_at is not None
        if "profile" in clean and clean["profile"] != reg.profile and locked_profile:
            # Quotas count places per profile; a change then goes through the organisers.
            raise Invalid(fields={"profile": PROFILE_LOCKED})
        for key in (
            "first_name", "last_name", "organisation", "profile", "sector", "language",
            "accessibility_needs", "diet",
        ):  # fmt: skip
            if key in clean:
                setattr(reg, key, clean[key])
        if "language" in clean:
            reg.user.language = clean["language"]
        if "first_name" in clean or "last_name" in clean:
            reg.user.name = reg.full_name
        outcome = None
        freed = False
        wait = clean.get("venue_waitlist")
        if clean.get("mode") == "onsite":
            outcome = _go_onsite(session, conf, reg, now)
        elif clean.get("mode") == "online":
            freed = _go_online(session, conf, reg, now, keep_waiting=bool(wait))
            outcome = "online"
        elif wait is True and reg.venue_waitlisted_at is None and not reg.holds_venue_place:
            if reg.mode == "onsite" and reg.status == "registered":
                outcome = "registered"
            else:
                reg.venue_waitlisted_at = now
                session.flush()
                freed = True  # a free place (quota release, say) goes to the list now
                outcome = "waitlisted"
        elif wait is False and reg.venue_waitlisted_at is not None:
            freed = _leave_waiting_list(session, conf, reg, now)
            outcome = "online"
        if freed:
            _promote(session, conf, now)
        return outcome


def accept_offer(registration_id: int, now: datetime | None = None) -> str:
    """Confirm an offered place: `confirmed`, `expired` (too late) or `no_offer`."""
    now = now or utcnow()
    with write_transaction(db.session) as session:
        conf, reg = _locked(session, registration_id)
        if not reg.active or not reg.holds_venue_place or reg.venue_offer_expires_at is None:
            return "no_offer"
        if reg.venue_offer_expires_at <= now:
            _expire_offer(session, conf, reg)
            _promote(session, conf, now)
            return "expired"
        _confirm_place(session, conf, reg, "offer_confirmed")
        return "confirmed"


def decline_offer(registration_id: int, now: datetime | None = None) -> bool:
    """Give an offered place to the next person; False when there was no offer."""
    now = now or utcnow()
    with write_transaction(db.session) as session:
        conf, reg = _locked(session, registration_id)
        if not reg.active or reg.venue_offer_expires_at is None:
            return False
        if _leave_waiting_list(session, conf, reg, now):
            _promote(session, conf, now)
        return True


def _expire_offer(session: Session, conf: Conference, reg: Registration) -> None:
    deadline = reg.venue_offer_expires_at
    release_place(session, reg, conf)
    reg.venue_waitlisted_at = None
    if reg.status == "waitlisted":
        reg.status = "registered"
        _set_mode(session, reg, "online")
    notify.notify_offer_expired(session, conf, reg, deadline)


def expire_offer(registration_id: int, now: datetime) -> int | None:
    """Expire one overdue offer and promote the next people; how many got an offer.

    None when the offer was not (or no longer) overdue.
    """
    with write_transaction(db.session) as session:
        conf, reg = _locked(session, registration_id)
        due = reg.venue_offer_expires_at
        if not reg.active or not reg.holds_venue_place or due is None or due > now:
            return None
        _expire_offer(session, conf, reg)
        return _promote(session, conf, now)


def fill_venue(conference_id: int, now: datetime) -> int:
    """Offer any free place to the waiting list (after a quota release or a settings change)."""
    with write_transaction(db.session) as session:
        conf = lock_conference(session, conference_id)
        return _promote(session, conf, now)


def reissue_ticket(registration_id: int) -> Ticket:
    """Revoke the ticket and make a new one (lost or shared); the new one is mailed."""
    with write_transaction(db.session) as session:
        conf, reg = _locked(session, registration_id)
        if not reg.active or reg.ticket is None:
            raise Conflict(_l("Je hebt geen ticket om te vervangen."), code="no_ticket")
        ticket = issue_ticket(session, reg)
        notify.notify_ticket(session, conf, reg, ticket, "reissued")
        return ticket


def _cancel_locked(
    session: Session, conf: Conference, reg: Registration, now: datetime, notify_person: bool
) -> None:
    freed = release_place(session, reg, conf)
    reg.status = "canceled"
    reg.canceled_at = now
    reg.venue_waitlisted_at = None
    reg.venue_offer_expires_at = None
    revoke_tickets(session, reg)
    # Every way in ends: tokens, links in mails, browser sessions.
    end_all_access(session, reg.user_id, now)
    session.flush()
    hooks.registration_canceled.send(reg, session=session)
    if freed:
        _promote(session, conf, now)
    if notify_person:
        notify.notify_canceled(session, conf, reg)


def cancel_registration(registration_id: int, now: datetime | None = None) -> bool:
    """Cancel: free the place (the waiting list moves up), revoke ticket and tokens, tell them.

    False when it was already canceled.
    """
    now = now or utcnow()
    with write_transaction(db.session) as session:
        conf, reg = _locked(session, registration_id)
        if not reg.active:
            return False
        _cancel_locked(session, conf, reg, now, notify_person=True)
        return True


def on_venue_capacity_raised(conf: Conference, *, session: Session, **_: Any) -> None:
    """More on-site places: offer them to the waiting list in the organiser's transaction."""
    _promote(session, conf, utcnow())


def resend_confirmation(registration_id: int) -> int:
    """Mail the confirmation again (help desk): a fresh manage link, the ticket, the calendar."""
    with write_transaction(db.session) as session:
        reg = session.get(Registration, registration_id)
        if reg is None or reg.status == "canceled":
            raise NotFound()
        raw = issue_manage_link(session, reg.user_id)  # the older links stop working
        ticket = reg.ticket
        rendered, attachments = notify.render_confirmation(
            reg.conference, notify.person(reg), reg.language, raw, ticket.secret if ticket else None
        )
        attachments = [*attachments, *notify.confirmation_attachments(reg.id)]
        sent = session.scalar(
            select(func.count())
            .select_from(MailMessage)
            .where(
                MailMessage.registration_id == reg.id,
                MailMessage.kind.like("registration_confirmation%"),
            )
        )
        # A new key per resend: the first confirmation's key must not swallow this one.
        message = add_new_mail(
            session,
            to=reg.email,
            kind="registration_confirmation_resend",
            rendered=rendered,
            dedupe_key=f"confirmation:{reg.id}:resend:{sent}",
            registration_id=reg.id,
            attachments=attachments,
        )
    return message
