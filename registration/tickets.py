"""Tickets: a random secret per confirmed on-site registration, shown as a QR code of a URL.

The QR code encodes `BASE_URL/t/<secret>` and nothing else: no name, no e-mail. A ticket can be
revoked (cancel, switch to online) and reissued (a lost or shared ticket, through
`services.reissue_ticket`); the old secret then stops working at the door.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from conference.clock import utcnow
from registration.models import Registration, Ticket, new_ticket_secret


def ticket_url(ticket: Ticket | str) -> str:
    """The URL a ticket's QR code encodes (staff scanners read the secret from its path)."""
    secret = ticket if isinstance(ticket, str) else ticket.secret
    return f"{current_app.config['BASE_URL'].rstrip('/')}/t/{secret}"


def issue_ticket(session: Session, reg: Registration, secret: str | None = None) -> Ticket:
    """A new active ticket for `reg`, revoking any ticket it had."""
    revoke_tickets(session, reg)
    ticket = Ticket(registration=reg, secret=secret or new_ticket_secret(), status="active")
    session.add(ticket)
    session.flush()
    return ticket


def revoke_tickets(session: Session, reg: Registration) -> int:
    """Revoke every active ticket of `reg`; the number revoked."""
    if reg.id is None:
        return 0
    done = session.execute(
        update(Ticket)
        .where(Ticket.registration_id == reg.id, Ticket.status == "active")
        .values(status="revoked", revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    ).rowcount
    return done


def active_ticket(session: Session, secret: str) -> Ticket | None:
    """The active ticket with this secret, of an active registration."""
    ticket = session.scalar(select(Ticket).filter_by(secret=secret))
    if ticket is None or ticket.status != "active" or not ticket.registration.active:
        return None
    return ticket
