"""Scheduled work of the streaming package (plain functions the scheduler calls)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import select

from conference.clock import utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.mail import queue_mail
from conference.services import current_conference
from registration.models import Registration
from sessions.models import Activity, Seat
from streaming.access import join_opens_at
from streaming.models import StreamSettings
from streaming.services import online_activities, timetable_status


def _watch_url(activity_id: int) -> str:
    with current_app.test_request_context():
        path = url_for("streaming.watch", activity_id=activity_id)
    return current_app.config["BASE_URL"].rstrip("/") + path


def stream_status_notices(now: datetime | None = None) -> dict:
    """Mail each participant of an online workshop once when its join link is released.

    Also reports overrides that still say "live" after the timetable ended, for organisers.
    """
    now = now or utcnow()
    conf = current_conference(required=False)
    if conf is None:
        return {"join_link_mails": 0, "workshops": 0, "stale_live_overrides": []}
    queued = workshops = 0
    for act in online_activities(conf, ("online_workshop",)):
        if not act.join_url or not join_opens_at(conf, act) <= now < act.ends_at:
            continue
        workshops += 1
        people = db.session.scalars(
            select(Registration)
            .join(Seat, Seat.registration_id == Registration.id)
            .where(Seat.activity_id == act.id, Registration.status != "canceled")
            .order_by(Registration.id)
        ).all()
        watch_url = _watch_url(act.id)
        with write_transaction(db.session) as session:
            for person in people:
                message = queue_mail(
                    to=person.email,
                    template="streaming_join_link",
                    language=person.language or "nl",
                    context={
                        "act": act,
                        "person": person,
                        "conf": conf,
                        "watch_url": watch_url,
                        "conf_name": conf.name,
                    },
                    kind="join_link",
                    dedupe_key=f"join-link:{act.id}:{person.id}",
                    registration_id=person.id,
                    session=session,
                )
                queued += message is not None
    stale = [
        act.id
        for act in db.session.scalars(
            select(Activity)
            .join(StreamSettings, StreamSettings.activity_id == Activity.id)
            .where(Activity.conference_id == conf.id, StreamSettings.status_override == "live")
        )
        if timetable_status(act, now) == "ended"
    ]
    db.session.commit()
    return {"join_link_mails": queued, "workshops": workshops, "stale_live_overrides": stale}
