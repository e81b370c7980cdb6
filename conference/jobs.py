"""Kernel job bodies, run by the scheduler process (`conference/scheduler.py`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from conference.db import write_transaction
from conference.extensions import db
from conference.mail.delivery import deliver_due
from conference.mail.outbox import queue_mail
from conference.mail.policy import news_token
from conference.models import Conference, User

# A notice about a moment older than this is not sent any more (e.g. after a long outage).
NOTICE_WINDOW = timedelta(days=2)
WINDOW_EVENTS = (
    ("registration_opens_at", "registration_opened"),
    ("registration_closes_at", "registration_closed"),
    ("choice_opens_at", "choice_opened"),
    ("choice_closes_at", "choice_closed"),
)


def flush_outbox(now: datetime) -> dict[str, Any]:
    """Deliver the committed mails that are due, with retries and backoff."""
    return deliver_due(now=now)


def window_notices(now: datetime) -> dict[str, Any]:
    """Tell the organisers once when registration or the choice round opens or closes.

    A notice is news: organisers who turned these mails off are left out.
    """
    sent = 0
    for conf in db.session.scalars(select(Conference)):
        organisers = db.session.scalars(
            select(User).filter_by(role="organiser", active=True, news_opt_out_at=None)
        ).all()
        for field, event in WINDOW_EVENTS:
            moment = getattr(conf, field)
            if moment is None or not (now - NOTICE_WINDOW <= moment <= now):
                continue
            with write_transaction(db.session) as session:
                for user in organisers:
                    if user.news_opt_out_at is not None:
                        continue  # turned off since the list was read (read again: expired)
                    # The key carries the moment: a window moved later gets its own notice.
                    key = f"window:{conf.id}:{event}:{moment.isoformat()}:{user.id}"
                    queued = queue_mail(
                        to=user.email,
                        template="window_notice",
                        language=user.language or "nl",
                        context={"conf": conf, "event": event, "moment": moment, "user": user},
                        kind="window_notice",
                        dedupe_key=key,
                        session=session,
                        unsubscribe=news_token("u", user.id),
                    )
                    sent += queued is not None
    return {"queued": sent}
