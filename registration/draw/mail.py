"""The draw's result mail: one per applicant, in their language, through the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from conference.mail.outbox import queue_mail
from conference.models import Conference
from registration.links import external_url, manage_url, watch_url
from registration.manage_links import issue_manage_link
from registration.models import Registration, Ticket
from registration.notify import QR_CID, person, ticket_attachments
from registration.tickets import ticket_url


def _context(session: Session, conf: Conference, reg: Registration) -> dict[str, Any]:
    name = conf.name_en if reg.language == "en" and conf.name_en else conf.name
    return {
        "conf": conf,
        "conf_name": name,
        "mail_language": reg.language,
        "person": person(reg),
        "manage_url": manage_url(issue_manage_link(session, reg.user_id)),
        "watch_url": watch_url(),
        "verify_url": external_url("draw.public"),
    }


def _queue(session: Session, reg: Registration, context: dict[str, Any], attachments=None):
    # One result per applicant: the key is the registration, whatever happens after.
    queue_mail(
        to=reg.email, template="draw_result", language=reg.language, context=context,
        kind="draw_result", dedupe_key=f"draw_result:{reg.id}", registration_id=reg.id,
        attachments=attachments, session=session,
    )  # fmt: skip


def notify_drawn(session: Session, conf: Conference, reg: Registration, ticket: Ticket) -> None:
    """Tell a drawn applicant: a place, with the ticket as a registration mail has it."""
    context = _context(session, conf, reg) | {
        "drawn": True,
        "ticket_url": ticket_url(ticket),
        "print_url": external_url("registration.ticket_print", secret=ticket.secret),
        "qr_cid": QR_CID,
    }
    _queue(session, reg, context, ticket_attachments(ticket.secret))


def notify_not_drawn(session: Session, conf: Conference, reg: Registration, position: int) -> None:
    """Tell an applicant not drawn: the place on the waiting list, and online access."""
    context = _context(session, conf, reg) | {"drawn": False, "position": position}
    _queue(session, reg, context)
