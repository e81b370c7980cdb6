"""Who attended a part of the day, the one rule behind every evaluation's audience.

On site: a check-in at the activity's checkpoint (for a plenary, which has no door of its own,
an entrance check-in before it ended counts too); for the day, a check-in at the entrance.
Online: at least `evaluation_stream_minutes` watched minutes of that stream (for the day: of
all streams together, two at once counting once).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from conference.models import Conference
from registration.checkin.models import Presence
from registration.models import Registration
from streaming.certificates import ONSITE_OPEN_KINDS
from streaming.evaluation.defaults import DEFAULT_MINUTES, MINUTES_SETTING
from streaming.evaluation.models import Evaluation
from streaming.models import OnlineAttendance, StreamPresence


def stream_seconds(conf: Conference) -> int:
    """Watched seconds that count as attending (the organisers' setting in minutes)."""
    minutes = (conf.settings or {}).get(MINUTES_SETTING, DEFAULT_MINUTES)
    return max(int(minutes or 0), 1) * 60


def attended(conf: Conference, ev: Evaluation) -> ColumnElement[bool]:
    """A condition on `Registration.id`: the person attended what `ev` evaluates."""
    checked_in = select(Presence.registration_id).where(
        Presence.conference_id == conf.id, Presence.entries > 0
    )
    seconds = stream_seconds(conf)
    act = ev.activity
    if act is None:
        onsite = checked_in.where(Presence.checkpoint == "entrance")
        online = select(OnlineAttendance.registration_id).where(
            OnlineAttendance.attended_seconds >= seconds
        )
    else:
        door = Presence.checkpoint == str(act.id)
        if act.kind in ONSITE_OPEN_KINDS:
            entrance = (Presence.checkpoint == "entrance") & (Presence.first_entry_at < act.ends_at)
            door = or_(door, entrance)
        onsite = checked_in.where(door)
        online = select(StreamPresence.registration_id).where(
            StreamPresence.activity_id == act.id, StreamPresence.attended_seconds >= seconds
        )
    return or_(Registration.id.in_(onsite), Registration.id.in_(online))


def attendees(conf: Conference, ev: Evaluation):
    """A SELECT of the ids of the active registrations that attended."""
    return select(Registration.id).where(
        Registration.conference_id == conf.id,
        Registration.status != "canceled",
        attended(conf, ev),
    )


def has_attended(conf: Conference, ev: Evaluation, registration_id: int, session) -> bool:
    """Whether this registration attended what `ev` evaluates."""
    found = session.scalar(attendees(conf, ev).where(Registration.id == registration_id))
    return found is not None
