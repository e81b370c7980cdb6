"""Changes reach people: one mail per person with a seat (or following) when an activity moves.

Connected at app start to `conference.hooks.activity_changed` (sent inside the organiser's write
transaction), so the mails go into the outbox with the change or not at all. The dedupe key
(activity, sequence, person) makes a repeated signal harmless. The mail carries the person's
updated event as an `.ics` with the same UID, so a calendar app updates the existing event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from conference.mail.outbox import attachment, queue_mail
from registration.models import NOT_ATTENDING, Registration
from sessions.agenda.calendar import render_calendar
from sessions.agenda.history import record_marks, record_retakes, record_revision
from sessions.agenda.models import Follow
from sessions.agenda.services import agenda_for, external_url, on_site, person_states
from sessions.agenda.snapshot import activity_info, snapshot
from sessions.programme.models import Activity
from sessions.seats.models import Seat

MAIL_KIND = "activity_changed"


def people_concerned(session: Session, activity_id: int) -> list[Registration]:
    """Active registrations with a seat at, or following, the activity."""
    ids = union(
        select(Seat.registration_id).where(Seat.activity_id == activity_id),
        select(Follow.registration_id).where(Follow.activity_id == activity_id),
    ).subquery()
    return list(
        session.scalars(
            select(Registration)
            .where(Registration.id.in_(select(ids.c.registration_id)))
            .where(Registration.status.not_in(NOT_ATTENDING))
            .order_by(Registration.id)
        )
    )


def on_activity_changed(
    activity: Activity, *, changes: dict[str, tuple[Any, Any]], session: Session, **_: Any
) -> int:
    """Record the new revision and queue one mail per person concerned; the number queued."""
    record_revision(session.connection(), activity.id, activity_info(activity).content_hash)
    people = people_concerned(session, activity.id)
    if not people:
        return 0
    conf = activity.conference
    snap = snapshot(conf, session)
    states = person_states(session, [p.id for p in people], activity.id)
    context_base = {
        "act": activity,
        "conf": conf,
        "conf_name": conf.name,
        "changes": changes,
        "agenda_url": external_url("sessions.agenda"),
        "activity_url": external_url("sessions.activity", slug=activity.slug),
    }
    queued = 0
    for reg in people:
        entries = agenda_for(reg, snap, states[reg.id], conf, only=activity.id)
        files = []
        if entries:
            data = render_calendar(reg, conf, snap, entries, feed=False)
            files.append(attachment(f"{activity.slug}.ics", "text/calendar; charset=utf-8", data))
        message = queue_mail(
            to=reg.email,
            template="activity_changed",
            language=reg.language or "nl",
            context={**context_base, "reg": reg},
            kind=MAIL_KIND,
            dedupe_key=f"{MAIL_KIND}:{activity.id}:{activity.sequence}:{reg.id}",
            registration_id=reg.id,
            attachments=files,
            session=session,
        )
        queued += message is not None
    return queued


def on_mode_changed(registration: Registration, *, session: Session, **kwargs: Any) -> None:
    """On site <-> online: breaks leave or join the agenda; plenaries change place (online)."""
    old_mode = kwargs.get("old_mode")
    if old_mode is None or old_mode == registration.mode:
        return
    snap = snapshot(registration.conference, session)
    plenaries = {a.id for a in snap.activities.values() if a.published and a.kind == "plenary"}
    breaks = {
        a.id
        for a in snap.activities.values()
        if a.published and a.kind == "networking" and not snap.overlaps_block(a)
    }
    was_onsite = old_mode == "onsite" and registration.status == "registered"
    now_onsite = on_site(registration)
    conn = session.connection()
    pairs = lambda ids: [(registration.id, aid) for aid in ids]  # noqa: E731
    record_marks(conn, pairs(plenaries), before_present=True, after_present=True)
    if was_onsite and not now_onsite:
        record_marks(conn, pairs(breaks), before_present=True, after_present=False)
    elif now_onsite and not was_onsite:
        record_retakes(conn, pairs(breaks))
