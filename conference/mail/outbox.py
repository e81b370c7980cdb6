"""The mail outbox: messages are rows written in the transaction of the change they report.

`queue_mail` renders a message in the recipient's language and adds it to the current
transaction; the sender (`conference.mail.delivery.deliver_due`, run by the scheduler) delivers
committed rows, once each, retrying failures.

Non-essential mails (see `conference/mail/policy.py`) are queued with an unsubscribe token: the
footer then carries the link, the sender adds the RFC 8058 headers, and a message whose person
opted out after it was queued is not sent but marked `suppressed`.
"""

from __future__ import annotations

import base64
from typing import Any

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference.clock import utcnow
from conference.extensions import db
from conference.mail import policy as mail_policy
from conference.models import MailMessage


def attachment(
    filename: str, content_type: str, data: bytes, cid: str | None = None
) -> dict[str, str]:
    """An attachment for `queue_mail`; with `cid` it is shown inline in the HTML part."""
    item = {
        "filename": filename,
        "content_type": content_type,
        "data": base64.b64encode(data).decode(),
    }
    if cid:
        item["cid"] = cid
    return item


def qr_attachment(filename: str, text: str, cid: str | None = None) -> dict[str, str]:
    """A PNG QR code of `text`, drawn by the sender at delivery (keeps the request fast)."""
    item = {"filename": filename, "content_type": "image/png", "qr": text}
    if cid:
        item["cid"] = cid
    return item


def deferred_attachment(kind: str, filename: str, content_type: str, **keys: Any) -> dict:
    """An attachment the sender draws at delivery (`conference.hooks.mail_attachment`, `kind`).

    A higher package renders it (the agenda's "ics": a person's calendar), so a mailing to
    thousands stays fast to queue and the file is current when it leaves.
    """
    return {"render": kind, "filename": filename, "content_type": content_type, **keys}


def render_mail(template: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, text and HTML of `templates/email/<template>.{subject.txt,txt,html}`.

    With `unsubscribe_url` in the context (news mails) both parts end with the unsubscribe
    footer: `email/base.html` shows it, and `email/base.txt` is added to the text.
    """
    with force_locale(language):
        subject = render_template(f"email/{template}.subject.txt", **context).strip()
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
        if context.get("unsubscribe_url"):
            footer = render_template("email/base.txt", **context).strip()
            text = f"{text.rstrip()}\n\n-- \n{footer}\n"
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
    rendered: tuple[str, str, str] | None = None,
    unsubscribe: str | None = None,
) -> MailMessage | None:
    """Add a rendered message to the current transaction; a dedupe key already queued adds nothing.

    `rendered` (subject, text, html from `render_mail`) lets a caller render before it takes a
    contended lock. `unsubscribe` (a `mail_policy.news_token`) makes the message news: it gets
    the unsubscribe footer and headers. Callers leave opted-out people out in the query that
    picks the recipients (one set-based filter, not a query per message); the sender drops a
    news message whose person opted out since it was queued.
    """
    _check_class(kind, unsubscribe)
    session = session or db.session
    if dedupe_key is not None and session.scalar(
        select(MailMessage.id).filter_by(dedupe_key=dedupe_key)
    ):
        return None
    if rendered is None:
        if unsubscribe is not None:
            link = mail_policy.unsubscribe_url(unsubscribe, language)
            context = {**context, "unsubscribe_url": link}
        rendered = render_mail(template, language, context)
    subject, text, html = rendered
    message = MailMessage(
        kind=kind,
        to_address=to,
        subject=subject,
        body_text=text,
        body_html=html,
        attachments=attachments or [],
        dedupe_key=dedupe_key,
        registration_id=registration_id,
        unsubscribe_token=unsubscribe,
    )
    # A savepoint, so a concurrent writer of the same key costs this message, not the change.
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return None
    return message


def _check_class(kind: str, unsubscribe: str | None) -> None:
    """News always carries an unsubscribe token; essential mail never does (it cannot be
    turned off, so offering that would mislead)."""
    if unsubscribe is None and mail_policy.is_news(kind):
        raise ValueError(f"a {kind!r} mail is news: queue it with an unsubscribe token")
    if unsubscribe is not None and kind in mail_policy.ESSENTIAL_KINDS:
        raise ValueError(f"a {kind!r} mail is essential: it has no unsubscribe link")


def new_mail_row(
    *,
    to: str,
    kind: str,
    rendered: tuple[str, str, str],
    dedupe_key: str | None = None,
    registration_id: int | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The outbox row of a rendered message, for `add_new_mail` and `add_new_mails`."""
    subject, text, html = rendered
    now = utcnow()
    return {
        "kind": kind, "to_address": to, "subject": subject, "body_text": text,
        "body_html": html, "attachments": attachments or [], "dedupe_key": dedupe_key,
        "registration_id": registration_id, "status": "pending", "attempts": 0,
        "next_attempt_at": now, "created_at": now,
    }  # fmt: skip


def add_new_mail(
    session: Session,
    *,
    to: str,
    kind: str,
    rendered: tuple[str, str, str],
    dedupe_key: str | None = None,
    registration_id: int | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> int:
    """Add a rendered message whose dedupe key cannot exist yet (it names a row made in this
    transaction): one INSERT, without the check and savepoint of `queue_mail`. Its id.
    """
    row = new_mail_row(
        to=to, kind=kind, rendered=rendered, dedupe_key=dedupe_key,
        registration_id=registration_id, attachments=attachments,
    )  # fmt: skip
    return session.execute(
        insert(MailMessage.__table__).returning(MailMessage.id), row
    ).scalar_one()


def add_new_mails(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add many `new_mail_row`s at once (a mailing of thousands): one batched INSERT."""
    if rows:
        session.execute(insert(MailMessage.__table__), rows)
