"""Presence: heartbeats from watch pages folded into attended minutes, and live viewer counts.

A watch page sends a heartbeat every minute. Each heartbeat is timed by the server's clock (a
client's clock may be off by hours) and credits the time since the person's previous heartbeat
at that activity, when that gap is short (the page was open all along) and the stream was live.
So two tabs of one person count once (they share the row and its last heartbeat), a gap (closed
laptop, lost network) counts nothing, and a late or out-of-order heartbeat adds nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import and_, case, func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference.clock import utcnow
from conference.db import dialect_insert, write_transaction
from conference.errors import Forbidden
from conference.extensions import db
from conference.models import Conference
from registration.checkin.services import record_online_presence
from sessions.programme.models import Activity
from streaming.access import Viewer
from streaming.models import OnlineAttendance, StreamPresence
from streaming.updates import StatusFacts, status_facts

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 60
# The longest gap between two heartbeats that still counts as presence: one lost heartbeat
# or a throttled background tab is tolerated, a closed laptop is not.
GRACE_SECONDS = 150
# A person counts as a viewer now when their last heartbeat is this recent.
VIEWER_WINDOW_SECONDS = 90
# Attended time after which the online attendance is recorded as a check-in.
CHECKIN_AFTER_SECONDS = 5 * 60


def epoch(moment: datetime) -> int:
    """Whole seconds since 1970 (UTC)."""
    return int(moment.timestamp())


def live_window(facts: StatusFacts, t: int) -> tuple[int, int]:
    """The live stretch a heartbeat at `t` may credit, as epoch seconds [from, until).

    The timetable by default; staff who set "live" early or late move its edges, "ended" cuts
    it short, and "delayed" means nothing is live yet.
    """
    start, end = epoch(facts.starts_at), epoch(facts.ends_at)
    override = facts.override
    moment = epoch(facts.override_at) if facts.override_at else t
    if override == "live":
        return min(start, moment), t
    if override == "ended":
        return start, min(end, moment)
    if override == "delayed":
        return start, start
    return start, end


def _credit_update(row, conditions, t: int, window: tuple[int, int]):
    """One UPDATE that folds a heartbeat at `t` into a row, atomically on both databases.

    It credits the overlap of (previous heartbeat, t] with the live window, when the previous
    heartbeat is recent enough; the previous heartbeat only ever moves forward.
    """
    live_from, live_until = window
    until = min(t, live_until)
    start = case((row.last_seen_s > live_from, row.last_seen_s), else_=live_from)
    credit = case(
        (
            and_(row.last_seen_s < t, literal(t) - row.last_seen_s <= GRACE_SECONDS, start < until),
            literal(until) - start,
        ),
        else_=0,
    )
    return (
        update(row)
        .where(*conditions)
        .values(
            beats=row.beats + 1,
            last_seen_s=case((row.last_seen_s < t, t), else_=row.last_seen_s),
            attended_seconds=row.attended_seconds + credit,
        )
        .returning(row.attended_seconds)
        .execution_options(synchronize_session=False)
    )


def _record_checkin(
    session: Session, registration_id: int, activity_id: int, now: datetime
) -> bool:
    """Hand the attendance to the check-in service once, after enough attended time."""
    try:
        with session.begin_nested():
            claimed = session.execute(
                update(StreamPresence)
                .where(
                    StreamPresence.registration_id == registration_id,
                    StreamPresence.activity_id == activity_id,
                    StreamPresence.checkin_recorded_at.is_(None),
                    StreamPresence.attended_seconds >= CHECKIN_AFTER_SECONDS,
                )
                .values(checkin_recorded_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed:
                record_online_presence(session, registration_id, activity_id, now)
            return bool(claimed)
    except Exception:
        # Attendance minutes are kept; the check-in is tried again on the next heartbeat.
        log.exception("recording online presence as a check-in failed")
        return False


def heartbeat(activity_id: int, viewer: Viewer, now: datetime | None = None) -> bool:
    """Record a heartbeat of the viewer at a stream; False when there is nobody to record."""
    now = now or utcnow()
    facts = status_facts(activity_id)  # 404 for no published stream; kept while its stamp stands
    if facts.kind == "online_workshop" and not (viewer.staff or viewer.has_seat(activity_id)):
        raise Forbidden()
    if viewer.registration is None:
        return False  # staff previewing a stream: not attendance
    registration_id = viewer.registration.id
    t = epoch(now)
    window = live_window(facts, t)
    rows = [
        (
            StreamPresence,
            (
                StreamPresence.registration_id == registration_id,
                StreamPresence.activity_id == activity_id,
            ),
            {"registration_id": registration_id, "activity_id": activity_id},
        ),
        (
            OnlineAttendance,
            (OnlineAttendance.registration_id == registration_id,),
            {"registration_id": registration_id},
        ),
    ]
    attended = 0
    with write_transaction(db.session) as session:
        for index, (model, conditions, keys) in enumerate(rows):
            seconds = session.execute(_credit_update(model, conditions, t, window)).scalar()
            if seconds is None:  # the first heartbeat here: one INSERT, no savepoint
                table = model.__table__
                first = dialect_insert(session, table).values(
                    **keys, first_seen_s=t, last_seen_s=t, beats=1, attended_seconds=0
                )
                # RETURNING tells whether it inserted (rowcount is -1 with psycopg here).
                first = first.on_conflict_do_nothing(index_elements=list(keys))
                if session.execute(first.returning(*table.primary_key.columns)).first():
                    seconds = 0
                else:  # the person's other tab created the row at the same moment
                    again = _credit_update(model, conditions, t, window)
                    seconds = session.execute(again).scalar() or 0
            if index == 0:
                attended = seconds
        # Tried only once it may be due; it claims itself atomically, so it happens once.
        if window[0] < t and attended >= CHECKIN_AFTER_SECONDS:
            _record_checkin(session, registration_id, activity_id, now)
    return True


def record_join(
    conf: Conference, activity_id: int, viewer: Viewer, now: datetime | None = None
) -> None:
    """Note that the viewer opened the video room of an online workshop (first time kept)."""
    now = now or utcnow()
    if viewer.registration is None:
        return
    t = epoch(now)
    registration_id = viewer.registration.id
    with write_transaction(db.session) as session:
        done = session.execute(
            update(StreamPresence)
            .where(
                StreamPresence.registration_id == registration_id,
                StreamPresence.activity_id == activity_id,
            )
            .values(joined_at=func.coalesce(StreamPresence.joined_at, now))
            .execution_options(synchronize_session=False)
        ).rowcount
        if not done:
            try:
                with session.begin_nested():
                    session.add(
                        StreamPresence(
                            registration_id=registration_id,
                            activity_id=activity_id,
                            first_seen_s=t,
                            last_seen_s=t,
                            beats=0,
                            joined_at=now,
                        )
                    )
            except IntegrityError:
                pass  # a heartbeat created it meanwhile; the join moment is a detail


def live_viewer_counts(conf: Conference, now: datetime | None = None) -> dict[int, int]:
    """People watching each activity now (a person with two tabs counts once)."""
    cut = epoch(now or utcnow()) - VIEWER_WINDOW_SECONDS
    rows = db.session.execute(
        select(StreamPresence.activity_id, func.count())
        .join(Activity, Activity.id == StreamPresence.activity_id)
        .where(Activity.conference_id == conf.id, StreamPresence.last_seen_s >= cut)
        .group_by(StreamPresence.activity_id)
    )
    return dict(rows.all())


def attended_minutes(registration_id: int) -> dict[int, int]:
    """Whole minutes attended per activity for one registration."""
    rows = db.session.execute(
        select(StreamPresence.activity_id, StreamPresence.attended_seconds).where(
            StreamPresence.registration_id == registration_id
        )
    )
    return {activity_id: seconds // 60 for activity_id, seconds in rows}


def online_seconds(registration_id: int) -> int:
    """A person's online time over all streams together (two at once count once)."""
    value = db.session.scalar(
        select(OnlineAttendance.attended_seconds).where(
            OnlineAttendance.registration_id == registration_id
        )
    )
    return value or 0


def presence_of(registration_id: int) -> list[StreamPresence]:
    """The presence rows of a registration."""
    return list(
        db.session.scalars(select(StreamPresence).filter_by(registration_id=registration_id))
    )
