"""Mails about seats: confirmation, waiting-list offer, allocation result (queued in the outbox)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from conference.mail.outbox import queue_mail
from registration.models import Registration


def absolute_url(endpoint: str, **values: Any) -> str:
    """An absolute link for a mail, also outside a request (the scheduler)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return base + current_app.url_map.bind("localhost").build(endpoint, values)


def queue_seat_mail(
    session: Session,
    registration: Registration,
    template: str,
    *,
    dedupe_key: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    **context: Any,
) -> None:
    """Render `templates/email/<template>.*` in the person's language and queue it."""
    conf = registration.conference
    context.update(
        reg=registration,
        conf=conf,
        conf_name=conf.name,
        seats_url=absolute_url("seats.my_seats"),
        choices_url=absolute_url("seats.choices"),
        programme_url=absolute_url("sessions.programme"),
    )
    if "token" in context:
        context["offer_url"] = absolute_url("seats.offer", token=context["token"])
    queue_mail(
        to=registration.email,
        template=template,
        language=registration.language or "nl",
        context=context,
        kind=template,
        dedupe_key=dedupe_key,
        registration_id=registration.id,
        attachments=attachments,
        session=session,
    )
