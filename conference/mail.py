"""The mail outbox: messages are rows written in the transaction of the change they report.

`queue_mail` renders a message in the recipient's language and adds it to the current
transaction; the sender (`deliver_due`, run by the scheduler) delivers committed rows.
"""

from __future__ import annotations

import base64
from typing import Any

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference.extensions import db
from conference.models import MailMessage


def attachment(filename: str, content_type: str, data: bytes, cid: str | None = None) -> dict[str, str]:
    """An attachment for `queue_mail`; with `cid` it is shown inline in the HTML part."""
    item = {"filename": filename, "content_type": content_type, "data": base64.b64encode(data).decode()}
    if cid:
        item["cid"] = cid
    return item


def render_mail(template: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, text and HTML of `templates/email/<template>.{subject.txt,txt,html}`."""
    with force_locale(language):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    return " ".join(subject.split()), text, html


def queue_mail(
    *,
    to: str,
    template: str,
    language: str,
    context: dict[str, Any],
    kind: str,
    dedupe_key: str | None = None,
    registration_id: int | None = None,
    attachments: list[dict[str, str]] | None = None,
    session: Session | None = None,
) -> MailMessage | None:
    """Add a rendered message to the current transaction; a dedupe key already queued adds nothing."""
    session = session or db.session
    if dedupe_key is not None and session.scalar(
        select(MailMessage.id).filter_by(dedupe_key=dedupe_key)
    ):
        return None
    subject, text, html = render_mail(template, language, context)
    message = MailMessage(
        kind=kind,
        to_address=to,
        subject=subject,
        body_text=text,
        body_html=html,
        attachments=attachments or [],
        dedupe_key=dedupe_key,
        registration_id=registration_id,
    )
    # A savepoint, so a concurrent writer of the same key costs this message, not the change.
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return None
    return message
