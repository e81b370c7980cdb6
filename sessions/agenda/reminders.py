"""The day-before reminder: each registered person gets their day, once, in their language."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from conference.db import write_transaction
from conference.extensions import db
from conference.mail.outbox import qr_attachment, queue_mail
from conference.models import Conference
from registration.models import Registration
from registration.tickets import ticket_url
from sessions.agenda.services import entry_json, load_agenda

BATCH = 200  # short transactions: the rush of a mailing must not hold the database
QR_CID = "ticket-qr"


def _due(conf: Conference, now: datetime) -> bool:
    """Inside the reminder window: from `reminder_hours_before` the start until the start."""
    hours = conf.setting("reminder_hours_before") or 24
    return conf.starts_at - timedelta(hours=hours) <= now < conf.starts_at


def _message(reg: Registration, now: datetime) -> dict[str, Any]:
    snap, entries = load_agenda(reg, now)
    items = [entry_json(e, snap.timezone) for e in entries if not e.cancelled]
    base = current_app.config["BASE_URL"].rstrip("/")
    context: dict[str, Any] = {
        "conf": reg.conference,
        "conf_name": reg.conference.name_en
        if reg.language == "en" and reg.conference.name_en
        else reg.conference.name,
        "person": reg,
        "items": items,
        "onsite": reg.mode == "onsite" and reg.status == "registered",
        "agenda_url": f"{base}/agenda",
        "practical_url": f"{base}/praktisch",
        "online_url": f"{base}/online",
        "qr_cid": QR_CID,
        "ticket_url": None,
    }
    attachments = []
    if context["onsite"] and reg.ticket is not None:
        url = ticket_url(reg.ticket)
        context["ticket_url"] = url
        attachments.append(qr_attachment("ticket-qr.png", url, cid=QR_CID))
    return {"context": context, "attachments": attachments}


def send_day_before_reminders(now: datetime) -> dict[str, Any]:
    """Queue one reminder per registered person of a conference that starts within the window."""
    queued = 0
    for conf in db.session.scalars(select(Conference)):
        if not _due(conf, now):
            continue
        ids = db.session.scalars(
            select(Registration.id)
            .where(Registration.conference_id == conf.id, Registration.status == "registered")
            .order_by(Registration.id)
        ).all()
        db.session.rollback()
        for start in range(0, len(ids), BATCH):
            with write_transaction(db.session) as session:
                for reg in session.scalars(
                    select(Registration).where(Registration.id.in_(ids[start : start + BATCH]))
                ):
                    if reg.status != "registered":
                        continue  # canceled since the list was read
                    parts = _message(reg, now)
                    # The key makes a second run (or a second scheduler) add nothing.
                    message = queue_mail(
                        to=reg.email,
                        template="reminder",
                        language=reg.language or "nl",
                        context=parts["context"],
                        kind="reminder",
                        dedupe_key=f"reminder:{conf.id}:{reg.id}",
                        registration_id=reg.id,
                        attachments=parts["attachments"],
                        session=session,
                    )
                    queued += message is not None
    return {"queued": queued}
