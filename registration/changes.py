"""The steps of a change to a registration, run inside the caller's write transaction.

The use cases in `services.py` (and the organisers' in `admin/services.py`) open the transaction
and call these, so an organiser's change and its audit entry commit together. Lock order, as in
`venue.py`: the conference row first, then the registration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from conference import hooks
from conference.errors import Invalid, NotFound
from conference.models import Conference
from registration import notify
from registration.draw.applying import draw_pending
from registration.manage_links import end_all_access
from registration.models import Registration, Ticket
from registration.tickets import issue_ticket, revoke_tickets
from registration.venue import (
    fill_free_places,
    lock_conference,
    lock_registration,
    release_place,
    take_place,
)

PROFILE_LOCKED = _l(
    "Je profiel kan je niet meer zelf wijzigen nu je een plaats ter plaatse hebt of op de "
    "wachtlijst staat. Vraag het aan de organisatoren."
)
# What a person (or an organiser for them) may change directly, besides mode and waiting list.
DETAIL_FIELDS = (
    "first_name", "last_name", "organisation", "profile", "sector", "language",
    "accessibility_needs", "diet",
)  # fmt: skip


def lock_for_change(session: Session, registration_id: int) -> tuple[Conference, Registration]:
    """Conference then registration, locked in that order; NotFound for an unknown id."""
    conference_id = session.scalar(
        select(Registration.conference_id).where(Registration.id == registration_id)
    )
    if conference_id is None:
        raise NotFound()
    conf = lock_conference(session, conference_id)
    reg = lock_registration(session, registration_id)
    return conf, reg


def set_mode(session: Session, reg: Registration, mode: str) -> None:
    """On site <-> online; the higher packages drop what no longer fits (seats of the mode)."""
    old = reg.mode
    reg.mode = mode
    if old != mode:
        session.flush()
        hooks.registration_mode_changed.send(reg, old_mode=old, new_mode=mode, session=session)


def promote(session: Session, conf: Conference, now: datetime) -> int:
    """Offer free on-site places to the waiting list and mail the people; how many got one."""
    offered = fill_free_places(session, conf, now)
    for person in offered:
        notify.notify_offer(session, conf, person)
    return len(offered)


def confirm_place(session: Session, conf: Conference, reg: Registration, reason: str) -> None:
    """`reg` holds a place: make it a confirmed on-site registration with a ticket."""
    reg.status = "registered"
    reg.venue_waitlisted_at = None
    reg.venue_offer_expires_at = None
    set_mode(session, reg, "onsite")
    ticket = issue_ticket(session, reg)
    notify.notify_ticket(session, conf, reg, ticket, reason)


def leave_waiting_list(session: Session, conf: Conference, reg: Registration) -> bool:
    """Stop waiting (declining an offer gives the place to the next); True if a place freed."""
    freed = release_place(session, reg, conf) if reg.venue_offer_expires_at else False
    reg.venue_waitlisted_at = None
    reg.venue_offer_expires_at = None
    if reg.status == "waitlisted":
        # Not waiting any more: follow online rather than hold nothing at all.
        reg.status = "registered"
        set_mode(session, reg, "online")
    return freed


def _go_onsite(session: Session, conf: Conference, reg: Registration, now: datetime) -> str:
    if reg.mode == "onsite" and reg.status in ("registered", "applied"):
        return reg.status
    if not reg.holds_venue_place and draw_pending(conf):
        # Before the draw, on site is an application, however one asks for it.
        reg.status = "applied"
        reg.venue_waitlisted_at = None
        set_mode(session, reg, "onsite")
        return "applied"
    if reg.holds_venue_place:  # an open offer: switching to on site confirms it
        confirm_place(session, conf, reg, "offer_confirmed")
        return "registered"
    if take_place(session, reg, conf, now):
        confirm_place(session, conf, reg, "mode_onsite")
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
    set_mode(session, reg, "online")
    return freed


def _set_details(reg: Registration, clean: dict[str, Any]) -> None:
    """Names, profile, language and the rest; the profile is locked while a place is at stake."""
    locked_profile = reg.holds_venue_place or reg.venue_waitlisted_at is not None
    if "profile" in clean and clean["profile"] != reg.profile and locked_profile:
        # Quotas count places per profile; a change then goes through the organisers.
        raise Invalid(fields={"profile": PROFILE_LOCKED})
    for key in DETAIL_FIELDS:
        if key in clean:
            setattr(reg, key, clean[key])
    if "language" in clean:
        reg.user.language = clean["language"]
    if "first_name" in clean or "last_name" in clean:
        reg.user.name = reg.full_name


def _follow_venue_wish(
    session: Session, conf: Conference, reg: Registration, clean: dict[str, Any], now: datetime
) -> tuple[str | None, bool]:
    """Apply a change of mode or of the waiting list: (outcome, whether a place came free)."""
    wait = clean.get("venue_waitlist")
    if clean.get("mode") == "onsite":
        return _go_onsite(session, conf, reg, now), False
    if clean.get("mode") == "online":
        return "online", _go_online(session, conf, reg, now, keep_waiting=bool(wait))
    if wait is True and reg.venue_waitlisted_at is None and not reg.holds_venue_place:
        if reg.mode == "onsite" and reg.status == "registered":
            return "registered", False
        reg.venue_waitlisted_at = now
        session.flush()
        return "waitlisted", True  # a free place (quota release, say) goes to the list now
    if wait is False and reg.venue_waitlisted_at is not None:
        return "online", leave_waiting_list(session, conf, reg)
    return None, False


def change_registration(
    session: Session, conf: Conference, reg: Registration, clean: dict[str, Any], now: datetime
) -> str | None:
    """Apply validated changes to a locked registration; the venue outcome or None.

    The outcome, when the mode or the waiting list was touched: `registered` (an on-site place),
    `waitlisted` (joined the waiting list), `online`.
    """
    if not reg.active:
        raise NotFound()
    _set_details(reg, clean)
    outcome, freed = _follow_venue_wish(session, conf, reg, clean, now)
    if freed:
        promote(session, conf, now)
    return outcome


def expire_offer_locked(session: Session, conf: Conference, reg: Registration) -> None:
    """The offer ran out: give the place back, follow online, and tell the person."""
    deadline = reg.venue_offer_expires_at
    release_place(session, reg, conf)
    reg.venue_waitlisted_at = None
    if reg.status == "waitlisted":
        reg.status = "registered"
        set_mode(session, reg, "online")
    notify.notify_offer_expired(session, conf, reg, deadline)


def cancel_locked(
    session: Session, conf: Conference, reg: Registration, now: datetime, notify_person: bool
) -> None:
    """Cancel a locked registration: free its place, revoke ticket and tokens, tell the others."""
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
        promote(session, conf, now)
    if notify_person:
        notify.notify_canceled(session, conf, reg)


def cancel(session: Session, conf: Conference, reg: Registration, now: datetime) -> bool:
    """Cancel a locked registration and tell the person; False when it was already canceled."""
    if not reg.active:
        return False
    cancel_locked(session, conf, reg, now, notify_person=True)
    return True


def active_ticket_id(session: Session, registration_id: int) -> int | None:
    """The id of the registration's valid ticket, as this transaction sees it."""
    return session.scalar(
        select(Ticket.id).where(
            Ticket.registration_id == registration_id, Ticket.status == "active"
        )
    )
