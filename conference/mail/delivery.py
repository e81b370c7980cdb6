"""The sender: delivers committed outbox rows over SMTP, once each, with retries and backoff.

`deliver_due` (run by the scheduler) claims a due row with one conditional UPDATE before it is
sent, so two senders never send it twice; a failed delivery is retried later with exponential
backoff, so nothing is lost. A news mail whose person opted out since it was queued is not sent
but marked `suppressed`. Attachments queued as a QR text or a deferred render are drawn here.

Delivery is at least once. A sender that dies after the SMTP server accepted a message but
before the row says `sent` (a short window: the next statement after the server's answer)
leaves the row claimed; once the claim expires, another run sends it again. Every send of a row
carries the Message-ID fixed when the row was written (`MailMessage.message_id`), so receivers
and relays that drop duplicates by Message-ID show one mail; others may show two.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from sqlalchemy import or_, select, update

from conference import hooks
from conference.clock import utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.mail import policy as mail_policy
from conference.mail.qr import qr_png
from conference.models import MailMessage

log = logging.getLogger(__name__)

# A claimed row is left alone by other senders this long (a sender that died releases it).
CLAIM_SECONDS = 300
# Retries: 1, 2, 4, … minutes, at most 6 hours apart; after MAX_ATTEMPTS the row is `failed`.
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
MAX_ATTEMPTS = 12
OUTCOMES = ("sent", "retry", "failed", "skipped", "suppressed")


def attachment_bytes(item: dict[str, str]) -> bytes:
    """The content of an attachment as queued (stored data, a QR code or a deferred render)."""
    if "qr" in item:
        return qr_png(item["qr"])
    if "render" in item:
        # A higher package draws it now (the agenda's `.ics`), so it is current when it leaves.
        rendered = hooks.first(hooks.mail_attachment, item["render"], item=item)
        if rendered is None:
            raise LookupError(f"no renderer for {item['render']!r} attachments")
        return rendered
    return base64.b64decode(item["data"])


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
    # Fixed when the row was written: a row sent again (see the module's docstring) carries the
    # same id, so receivers and relays that drop duplicates by Message-ID show one mail.
    msg["Message-ID"] = row.message_id
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


def _due_ids(limit: int, now: datetime) -> list[int]:
    """The rows due now, oldest first, read in a fresh snapshot."""
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
    return list(due)


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


@dataclass
class _Run:
    """One run of the sender: its settings, its SMTP connection (opened on first use), counts."""

    now: datetime
    settings: SmtpSettings | None
    sender: str
    log_bodies: bool
    conn: smtplib.SMTP | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    def send(self, row: MailMessage) -> None:
        """Hand one message to the SMTP server (or, without SMTP_URL, to the log)."""
        message = build_message(row, self.sender)
        if self.settings is None and self.log_bodies:
            # `make run` on a laptop: the developer clicks the links from the log.
            log.info(
                "mail (no SMTP_URL, not sent) to=%s subject=%s\n%s",
                row.to_address, row.subject, row.body_text,
            )  # fmt: skip
        elif self.settings is None:
            # Anywhere else the log must hold no personal data or secrets.
            log.info("mail %s (%s) not sent: no SMTP_URL", row.id, row.kind)
        else:
            if self.conn is None:
                self.conn = self.settings.connect()
            self.conn.send_message(message)

    def failed(self, row: MailMessage, exc: Exception) -> bool:
        """Record a failed attempt (retry later, or give up); True when the run must stop."""
        attempts = row.attempts
        failed = _permanent(exc) or attempts >= MAX_ATTEMPTS
        log.warning("mail %s to %s failed (attempt %d): %s", row.id, row.to_address, attempts, exc)
        _finish(
            row.id,
            status="failed" if failed else "pending",
            next_attempt_at=self.now + _backoff(attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        self.counts["failed" if failed else "retry"] += 1
        if not _connection_lost(exc):
            return False
        # The server is gone or unreachable: the other rows wait for the next run.
        self.close()
        return True

    def close(self) -> None:
        """Close the SMTP connection, if one was opened."""
        if self.conn is not None:
            _close(self.conn)
            self.conn = None


def _deliver_one(run: _Run, row_id: int) -> bool:
    """Claim, check and send one row; True when the run must stop (the server is gone)."""
    if not _claim(row_id, run.now):
        run.counts["skipped"] += 1  # another sender has it
        return False
    row = db.session.get(MailMessage, row_id, populate_existing=True)
    if row.unsubscribe_token and mail_policy.opted_out(row.unsubscribe_token):
        # Opted out after this news mail was queued: keep the row, say why it stayed.
        _finish(row_id, status="suppressed", last_error=None)
        run.counts["suppressed"] += 1
        return False
    try:
        run.send(row)
    except Exception as exc:  # any failure: keep the row, try again later
        return run.failed(row, exc)
    _finish(row_id, status="sent", sent_at=utcnow(), last_error=None)
    run.counts["sent"] += 1
    return False


def deliver_due(limit: int = 100, now: datetime | None = None) -> dict[str, int]:
    """Send up to `limit` due outbox rows once each; failures are retried later with backoff.

    Without SMTP_URL the message is written to the log instead, so a laptop works offline.
    """
    now = now or utcnow()
    due = _due_ids(limit, now)
    url = current_app.config.get("SMTP_URL") or ""
    run = _Run(
        now=now,
        settings=SmtpSettings.from_url(url) if url else None,
        sender=current_app.config.get("MAIL_FROM", "noreply@localhost"),
        log_bodies=bool(current_app.config.get("MAIL_LOG_BODIES")),
    )
    try:
        for row_id in due:
            if _deliver_one(run, row_id):
                break
    finally:
        run.close()
    return run.counts
