"""Scheduled check-in work: release the seats of workshop no-shows (off by default)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from conference.db import write_transaction
from conference.extensions import db
from conference.models import Conference
from registration.checkin.registry import activity_checkpoints


def release_no_shows(now: datetime) -> dict:
    """Free the seats of people not scanned at their workshop's door in time (if configured)."""
    provider = activity_checkpoints()
    totals = {"conferences": 0, "activities": 0, "released": 0}
    if provider is None:
        return totals
    conference_ids = db.session.scalars(select(Conference.id).order_by(Conference.id)).all()
    for conference_id in conference_ids:
        conf = db.session.get(Conference, conference_id)
        if conf is None or conf.setting("no_show_release_minutes") is None:
            continue
        # One transaction per conference, so one conference's failure does not undo another's.
        with write_transaction(db.session) as session:
            conf = session.get(Conference, conference_id)
            report = provider.release_no_shows(session, conf, now)
        totals["conferences"] += 1
        totals["activities"] += report["activities"]
        totals["released"] += report["released"]
    return totals
