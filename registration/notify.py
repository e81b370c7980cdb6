"""The e-mails of registration, queued in the outbox inside the transaction of the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conference import hooks
from conference.mail.outbox import add_new_mail, qr_attachment, queue_mail, render_mail
from conference.models import Conference, MailMessage
from registration.journey import next_steps
from registration.links import external_url, manage_url, watch_url
from registration.manage_links import issue_manage_link
from registration.models import Registration, Ticket
from registration.tickets import ticket_url

QR_CID = "ticket-qr"


def person(reg: Registration) -> dict[str, Any]:
    """What a mail template may show of a registration."""
    return {
        "first_name": reg.first_name,
        "full_name": reg.full_name,
        "status": reg.status,
        "mode": reg.mode,
        "waiting": reg.venue_waitlisted_at is not None and not reg.holds_venue_place,
    }


def _base_context(conf: Conference, language: str) -> dict[str, Any]:
    name = conf.name_en if language == "en" and conf.name_en else conf.name
    return {"conf": conf, "conf_name": name, "mail_language": language}


def confirmation_attachments(reg_id: int) -> list[dict[str, Any]]:
    """What higher packages add to the confirmation (the agenda adds the person's `.ics`).

    Cheap by contract: asked inside the registration's transaction, they return attachments the
    mail sender draws at delivery (`conference.mail.outbox.deferred_attachment`).
    """
    return hooks.gather(hooks.calendar_attachments, reg_id)


def ticket_attachments(secret: str) -> list[dict[str, str]]:
    """The ticket's QR code twice: inline in the HTML (cid) and as a file to print or show."""
    url = ticket_url(secret)
    return [
        qr_attachment("ticket-qr.png", url, cid=QR_CID),
        qr_attachment("ticket.png", url),
    ]


# Stand-ins for the personal parts of a cached confirmation (URL-safe, never in real text).
_NAME_MARK = "swcfirstnamezq"
_LINK_MARK = "swcmanagelinkzq"
_TICKET_MARK = "swcticketzq"


def render_confirmation(
    conf: Any, info: dict[str, Any], language: str, link_token: str, secret: str | None
) -> tuple[tuple[str, str, str], list[dict[str, str]]]:
    """The confirmation mail for a registration in the state `info` (see `person`).

    In a rush every confirmation of one kind is the same text but for the name and two secrets,
    so it is rendered once per kind with stand-ins, cached, and filled in (HTML-escaped in the
    HTML part). The cache key holds everything else the text shows.
    """
    steps = tuple(
        next_steps(
            conf, status=info["status"], mode=info["mode"], waiting=bool(info.get("waiting"))
        )
    )
    key = (
        conf.id, conf.name, conf.name_en, conf.starts_at, conf.venue, language,
        info["status"], info["mode"], bool(info.get("waiting")), secret is not None,
        current_app.config["BASE_URL"], steps,
    )  # fmt: skip
    cache = current_app.extensions.setdefault("registration.confirmation_cache", {})
    template = cache.get(key)
    if template is None:
        context = _base_context(conf, language) | {
            "person": {**info, "first_name": _NAME_MARK},
            "manage_url": manage_url(_LINK_MARK),
            "ticket_url": ticket_url(_TICKET_MARK) if secret else None,
            "print_url": (
                external_url("registration.ticket_print", secret=_TICKET_MARK) if secret else None
            ),
            "watch_url": watch_url(),
            "qr_cid": QR_CID,
            "steps": steps,
        }
        template = render_mail("registration_confirmation", language, context)
        if len(cache) > 256:
            cache.clear()
        cache[key] = template
    subject, text, html = template
    # The secrets first, the name last: a name cannot smuggle in a stand-in.
    plain = {_LINK_MARK: link_token, _TICKET_MARK: secret or "", _NAME_MARK: info["first_name"]}
    escaped = {**plain, _NAME_MARK: str(escape(info["first_name"]))}

    def fill(value: str, values: dict[str, str]) -> str:
        for stand_in, real in values.items():
            value = value.replace(stand_in, real)
        return value

    rendered = (fill(subject, plain), fill(text, plain), fill(html, escaped))
    return rendered, ticket_attachments(secret) if secret else []


def _send(
    session: Session,
    reg: Registration,
    template: str,
    context: dict[str, Any],
    dedupe_key: str | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> None:
    """Queue `template` for the person, in their language, inside the caller's transaction."""
    queue_mail(
        to=reg.email,
        template=template,
        language=reg.language,
        context=context,
        kind=template,
        dedupe_key=dedupe_key,
        registration_id=reg.id,
        attachments=attachments,
        session=session,
    )


def notify_ticket(
    session: Session, conf: Conference, reg: Registration, ticket: Ticket, reason: str
) -> None:
    """Send a new ticket: after an offer was confirmed, a switch to on site, or a reissue."""
    raw = issue_manage_link(session, reg.user_id)
    context = _base_context(conf, reg.language) | {
        "person": person(reg),
        "reason": reason,
        "manage_url": manage_url(raw),
        "ticket_url": ticket_url(ticket),
        "print_url": external_url("registration.ticket_print", secret=ticket.secret),
        "qr_cid": QR_CID,
    }
    _send(
        session,
        reg,
        "ticket",
        context,
        dedupe_key=f"ticket:{ticket.id}",
        attachments=ticket_attachments(ticket.secret),
    )


def notify_offer(session: Session, conf: Conference, reg: Registration) -> None:
    """Tell a person from the waiting list that a place is theirs if they confirm in time."""
    raw = issue_manage_link(session, reg.user_id)
    deadline: datetime = reg.venue_offer_expires_at
    context = _base_context(conf, reg.language) | {
        "person": person(reg),
        "deadline": deadline,
        "manage_url": manage_url(raw),
    }
    _send(
        session,
        reg,
        "venue_offer",
        context,
        dedupe_key=f"venue_offer:{reg.id}:{deadline.isoformat()}",
    )


def notify_offer_expired(
    session: Session, conf: Conference, reg: Registration, deadline: datetime
) -> None:
    """Tell a person that the place they did not confirm went to the next one."""
    context = _base_context(conf, reg.language) | {
        "person": person(reg),
        "manage_url": external_url("registration.manage"),
        "watch_url": watch_url(),
    }
    _send(
        session,
        reg,
        "venue_offer_expired",
        context,
        dedupe_key=f"venue_offer_expired:{reg.id}:{deadline.isoformat()}",
    )


def notify_canceled(session: Session, conf: Conference, reg: Registration) -> None:
    """Confirm a cancellation."""
    context = _base_context(conf, reg.language) | {
        "person": person(reg),
        "register_url": external_url("registration.register"),
    }
    _send(session, reg, "registration_canceled", context, dedupe_key=f"canceled:{reg.id}")


def notify_login_link(
    session: Session, conf: Conference, reg: Registration, url: str, minutes: int
) -> None:
    """Send a login link."""
    context = _base_context(conf, reg.language) | {
        "person": person(reg),
        "link_url": url,
        "minutes": minutes,
    }
    _send(session, reg, "login_link", context)


def notify_confirmation_again(session: Session, reg: Registration) -> int:
    """Queue the confirmation once more (help desk): a fresh manage link, the ticket, the calendar.

    Returns the id of the queued mail.
    """
    raw = issue_manage_link(session, reg.user_id)
    ticket = reg.ticket
    rendered, attachments = render_confirmation(
        reg.conference, person(reg), reg.language, raw, ticket.secret if ticket else None
    )
    attachments = [*attachments, *confirmation_attachments(reg.id)]
    sent = session.scalar(
        select(func.count())
        .select_from(MailMessage)
        .where(
            MailMessage.registration_id == reg.id,
            MailMessage.kind.like("registration_confirmation%"),
        )
    )
    # A new key per resend: the first confirmation's key must not swallow this one.
    return add_new_mail(
        session,
        to=reg.email,
        kind="registration_confirmation_resend",
        rendered=rendered,
        dedupe_key=f"confirmation:{reg.id}:resend:{sent}",
        registration_id=reg.id,
        attachments=attachments,
    )
