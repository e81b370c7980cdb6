"""Scheduled work of the streaming package (plain functions the scheduler calls).

Two notices before an online activity starts, kept as two jobs on purpose: the join link of an
online workshop goes to the people with a seat and is essential (without it they cannot take
part), while "starting in 15 minutes" for a followed stream is news that people may turn off.
Different people, a different class of mail and their own line on the jobs page; followers of
an online workshop do not exist (only streams and the radio can be followed), so nobody gets
both for one activity.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import select

from conference.clock import utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.mail.outbox import queue_mail
from conference.mail.policy import news_token
from conference.models import Conference
from conference.services import current_conference
from registration.models import NOT_ATTENDING, Registration
from sessions.agenda.models import Follow
from sessions.agenda.services import FOLLOWABLE_KINDS
from sessions.programme.models import Activity
from sessions.seats.models import Seat
from streaming.access import join_opens_at
from streaming.models import StreamSettings
from streaming.services import online_activities, timetable_status

# How long before the start followers hear that a stream begins.
STARTING_SOON = timedelta(minutes=15)
BATCH = 200  # short write transactions: a popular stream must not hold the database


def _watch_url(activity_id: int) -> str:
    with current_app.test_request_context():
        path = url_for("streaming.watch", activity_id=activity_id)
    return current_app.config["BASE_URL"].rstrip("/") + path


def _conf_name(conf, language: str | None) -> str:
    return conf.name_en if language == "en" and conf.name_en else conf.name


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
            .where(Seat.activity_id == act.id, Registration.status.not_in(NOT_ATTENDING))
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
                        "conf_name": _conf_name(conf, person.language),
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


def _activity_url(act: Activity) -> str:
    with current_app.test_request_context():
        path = url_for("sessions.activity", slug=act.slug)
    return current_app.config["BASE_URL"].rstrip("/") + path


def _followers(conf: Conference, act: Activity) -> list[int]:
    """Active registrations following the activity that want news, by id."""
    return list(
        db.session.scalars(
            select(Registration.id)
            .join(Follow, Follow.registration_id == Registration.id)
            .where(
                Follow.activity_id == act.id,
                Registration.conference_id == conf.id,
                Registration.status.not_in(NOT_ATTENDING),
                Registration.news_opt_out_at.is_(None),
            )
            .order_by(Registration.id)
        )
    )


def _notify_followers(conf: Conference, act: Activity, ids: list[int]) -> int:
    """Queue "starting soon" for these followers, in short batches; how many were queued."""
    context = {
        "act": act,
        "conf": conf,
        "watch_url": _watch_url(act.id),
        "activity_url": _activity_url(act),
        "minutes": int(STARTING_SOON.total_seconds() // 60),
    }
    queued = 0
    for start in range(0, len(ids), BATCH):
        with write_transaction(db.session) as session:
            people = session.scalars(
                select(Registration).where(Registration.id.in_(ids[start : start + BATCH]))
            )
            for person in people:
                if person.status == "canceled" or person.news_opt_out_at is not None:
                    continue  # canceled or news turned off since the list was read
                language = person.language or "nl"
                message = queue_mail(
                    to=person.email,
                    template="stream_starting",
                    language=language,
                    context={
                        **context,
                        "person": person,
                        "conf_name": _conf_name(conf, language),
                    },
                    kind="stream_starting",
                    dedupe_key=f"stream-starting:{act.id}:{person.id}",
                    registration_id=person.id,
                    session=session,
                    unsubscribe=news_token("r", person.id),
                )
                queued += message is not None
    return queued


def followed_stream_notices(now: datetime | None = None) -> dict:
    """Mail each follower of a stream (or the radio) once, 15 minutes before it starts.

    News: canceled registrations and people who turned news off are left out. The dedupe key
    (activity, person) makes a second run, or a second scheduler at the same moment, add nothing.
    """
    now = now or utcnow()
    conf = current_conference(required=False)
    if conf is None:
        return {"starting_mails": 0, "streams": 0}
    overrides = {
        row.activity_id: row.status_override for row in db.session.scalars(select(StreamSettings))
    }
    queued = streams = 0
    for act in online_activities(conf, FOLLOWABLE_KINDS):
        if not act.starts_at - STARTING_SOON <= now < act.starts_at:
            continue
        if overrides.get(act.id) == "ended":
            continue  # called off by the organisers: no "starting soon"
        streams += 1
        queued += _notify_followers(conf, act, _followers(conf, act))
    db.session.commit()
    return {"starting_mails": queued, "streams": streams}
