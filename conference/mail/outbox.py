"""The mail outbox: messages are rows written in the transaction of the change they report.

`queue_mail` renders a message in the recipient's language and adds it to the current
transaction; the sender (`deliver_due`, run by the scheduler) delivers committed rows. A row is
claimed with one conditional UPDATE before it is sent, so two senders never send it twice; a
failed delivery is retried later with exponential backoff, so nothing is lost.

Non-essential mails (see `conference/mail_policy.py`) are queued with an unsubscribe token: the
footer then carries the link, the sender adds the RFC 8058 headers, and a message whose person
opted out after it was queued is not sent but marked `suppressed`.
"""

from __future__ import annotations

import base64
import io
import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference.clock import utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.mail import policy as mail_policy
from conference.models import MailMessage

log = logging.getLogger(__name__)

# A claimed row is left alone by other senders this long (a sender that died releases it).
CLAIM_SECONDS = 300
# Retries: 1, 2, 4, … minutes, at most 6 hours apart; after MAX_ATTEMPTS the row is `failed`.
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
MAX_ATTEMPTS = 12


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


def qr_png(text: str, box: int = 8) -> bytes:
    """A PNG QR code (error correction M, quiet zone of 4 modules) of `text`."""
    import qrcode
    from qrcode.image.pil import PilImage

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box, border=4)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(image_factory=PilImage).save(out)
    return out.getvalue()


# Attachments made at delivery by a higher package: kind -> renderer(item) -> bytes. Sessions
# registers "ics" (a person's calendar), so a mailing to thousands stays fast to queue and the
# file is current when it leaves.
attachment_renderers: dict[str, Callable[[dict[str, str]], bytes]] = {}


def deferred_attachment(kind: str, filename: str, content_type: str, **keys: Any) -> dict:
    """An attachment that the sender renders at delivery with `attachment_renderers[kind]`."""
    return {"render": kind, "filename": filename, "content_type": content_type, **keys}


def attachment_bytes(item: dict[str, str]) -> bytes:
    """The content of an attachment as queued (stored data, a QR code or a deferred render)."""
    if "qr" in item:
        return qr_png(item["qr"])
    if "render" in item:
        return attachment_renderers[item["render"]](item)
    return base64.b64decode(item["data"])


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
    subject, text, html = rendered
    return session.execute(
        insert(MailMessage.__table__).returning(MailMessage.id),
        {
            "kind": kind,
            "to_address": to,
            "subject": subject,
            "body_text": text,
            "body_html": html,
            "attachments": attachments or [],
            "dedupe_key": dedupe_key,
            "registration_id": registration_id,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": utcnow(),
            "created_at": utcnow(),
        },
    ).scalar_one()


# --- delivery ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to deliver: parsed from SMTP_URL."""

    host: str
    port: int
    ssl: bool
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """smtp://user:pass@host:port, smtps:// for TLS from the start, ?starttls=1 to upgrade."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {parts.scheme!r}")
        query = parse_qs(parts.query)
        secure = parts.scheme == "smtps"
        starttls = query.get("starttls", ["0"])[0].lower() in {"1", "true", "yes", "on"}
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or (465 if secure else 25),
            ssl=secure,
            starttls=starttls and not secure,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def connect(self) -> smtplib.SMTP:
        """An open, authenticated SMTP connection."""
        if self.ssl:
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=30, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=30)
            if self.starttls:
                conn.starttls(context=ssl.create_default_context())
        if self.username:
            conn.login(self.username, self.password or "")
        return conn


def build_message(row: MailMessage, sender: str) -> EmailMessage:
    """The MIME message of an outbox row: text, HTML with inline images, attachments."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(localtime=False)
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "localhost"
    # A stable id per row: should a crash ever make us send a row again, receivers see one mail.
    msg["Message-ID"] = make_msgid(idstring=f"outbox-{row.id}", domain=domain)
    if row.unsubscribe_token:
        # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to this address. (The
        # relay's DKIM signature must cover both headers for the big providers to show it.)
        msg["List-Unsubscribe"] = f"<{mail_policy.one_click_url(row.unsubscribe_token)}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(row.body_text)
    items = row.attachments or []
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html")
        html_part = msg.get_payload()[-1]
        for item in items:
            if item.get("cid"):
                maintype, _, subtype = item["content_type"].partition("/")
                html_part.add_related(
                    attachment_bytes(item),
                    maintype=maintype,
                    subtype=subtype,
                    cid=f"<{item['cid']}>",
                    filename=item["filename"],
                    disposition="inline",
                )
    for item in items:
        if item.get("cid") and row.body_html:
            continue
        maintype, _, subtype = item["content_type"].partition("/")
        msg.add_attachment(
            attachment_bytes(item), maintype=maintype, subtype=subtype, filename=item["filename"]
        )
    return msg


def _backoff(attempts: int) -> timedelta:
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _claim(row_id: int, now: datetime) -> bool:
    """Take a due row for this sender: one conditional UPDATE, so no other sender gets it."""
    with write_transaction(db.session) as session:
        result = session.execute(
            update(MailMessage)
            .where(
                MailMessage.id == row_id,
                MailMessage.status == "pending",
                MailMessage.next_attempt_at <= now,
                or_(MailMessage.claimed_until.is_(None), MailMessage.claimed_until < now),
            )
            .values(
                claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
                attempts=MailMessage.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def _finish(row_id: int, **values: Any) -> None:
    with write_transaction(db.session) as session:
        session.execute(
            update(MailMessage)
            .where(MailMessage.id == row_id, MailMessage.status == "pending")
            .values(claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )


def _permanent(error: Exception) -> bool:
    """A refusal that a retry will not fix (5xx), unlike a 4xx or a lost connection."""
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in error.recipients.values()]
        code = min(codes) if codes else None
    return isinstance(code, int) and 500 <= code < 600


def deliver_due(limit: int = 100, now: datetime | None = None) -> dict[str, int]:
    """Send up to `limit` due outbox rows once each; failures are retried later with backoff.

    Without SMTP_URL the message is written to the log instead, so a laptop works offline.
    """
    now = now or utcnow()
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("deliver_due needs a session without unsaved changes")
    db.session.rollback()  # a fresh snapshot: see rows committed since this session last read
    due = db.session.scalars(
        select(MailMessage.id)
        .where(
            MailMessage.status == "pending",
            MailMessage.next_attempt_at <= now,
            or_(MailMessage.claimed_until.is_(None), MailMessage.claimed_until < now),
        )
        .order_by(MailMessage.next_attempt_at, MailMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0, "suppressed": 0}
    url = current_app.config.get("SMTP_URL") or ""
    settings = SmtpSettings.from_url(url) if url else None
    sender = current_app.config.get("MAIL_FROM", "noreply@localhost")
    conn: smtplib.SMTP | None = None
    try:
        for row_id in due:
            if not _claim(row_id, now):
                counts["skipped"] += 1  # another sender has it
                continue
            row = db.session.get(MailMessage, row_id, populate_existing=True)
            if row.unsubscribe_token and mail_policy.opted_out(row.unsubscribe_token):
                # Opted out after this news mail was queued: keep the row, say why it stayed.
                _finish(row_id, status="suppressed", last_error=None)
                counts["suppressed"] += 1
                continue
            try:
                message = build_message(row, sender)
                if settings is None and current_app.config.get("MAIL_LOG_BODIES"):
                    # `make run` on a laptop: the developer clicks the links from the log.
                    log.info(
                        "mail (no SMTP_URL, not sent) to=%s subject=%s\n%s",
                        row.to_address, row.subject, row.body_text,
                    )  # fmt: skip
                elif settings is None:
                    # Anywhere else the log must hold no personal data or secrets.
                    log.info("mail %s (%s) not sent: no SMTP_URL", row.id, row.kind)
                else:
                    if conn is None:
                        conn = settings.connect()
                    conn.send_message(message)
            except Exception as exc:  # any failure: keep the row, try again later
                attempts = row.attempts
                failed = _permanent(exc) or attempts >= MAX_ATTEMPTS
                log.warning(
                    "mail %s to %s failed (attempt %d): %s", row_id, row.to_address, attempts, exc
                )
                _finish(
                    row_id,
                    status="failed" if failed else "pending",
                    next_attempt_at=now + _backoff(attempts),
                    last_error=f"{type(exc).__name__}: {exc}"[:2000],
                )
                counts["failed" if failed else "retry"] += 1
                if _connection_lost(exc):
                    # The server is gone or unreachable: the other rows wait for the next run.
                    if conn is not None:
                        _close(conn)
                        conn = None
                    break
                continue
            _finish(row_id, status="sent", sent_at=utcnow(), last_error=None)
            counts["sent"] += 1
    finally:
        if conn is not None:
            _close(conn)
    return counts


def _connection_lost(error: Exception) -> bool:
    """No usable connection (as opposed to one message refused): stop this run."""
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    # smtplib's errors are OSErrors too; a plain OSError is a socket that failed.
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _close(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except Exception:  # the server may already be gone
        conn.close()
