"""What networking adds to lower packages, connected at app start by `streaming.networking.setup`.

- the agenda shows accepted meetings and themed-table places (`agenda_extras`);
- a cancelled or erased registration leaves the directory at once, its meetings end and its
  table places go free (`registration_canceled`, `registration_erased`);
- the personal data export lists the profile and the meetings (`personal_data`).
"""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from conference.clock import isoformat
from conference.extensions import db
from registration.links import external_url
from registration.models import Registration
from sessions.agenda.extras import AgendaExtra
from streaming.networking.links import video_url
from streaming.networking.meetings import end_meeting
from streaming.networking.models import (
    Meeting,
    NetworkBlock,
    NetworkProfile,
    NetworkSlot,
    TableBooking,
    ThemeTable,
)
from streaming.networking.profiles import withdraw_requests
from streaming.networking.tables import release


def _meeting_extra(meeting: Meeting, me: int, language: str) -> AgendaExtra:
    other = meeting.invitee if meeting.requester_id == me else meeting.requester
    act = meeting.slot.activity
    who = other.full_name + (f" ({other.organisation})" if other.organisation else "")
    if meeting.table_no is not None:
        where = _("Tafel %(number)s", number=meeting.table_no)
        where += f", {act.place}" if act.place else ""
    else:
        where = _("Online")
    lines = [_("Afspraak met %(name)s.", name=who)]
    if meeting.room:
        lines.append(_("Videoruimte: %(url)s", url=video_url(meeting.room)))
    return AgendaExtra(
        key=f"m{meeting.id}",
        kind="meeting",
        activity_id=act.id,
        title=_("Afspraak met %(name)s", name=other.full_name),
        starts_at=act.starts_at,
        ends_at=act.ends_at,
        location=where,
        description="\n\n".join(lines),
        url=external_url("networking.meetings_page"),
        changed_at=meeting.answered_at or meeting.created_at,
        join_url=video_url(meeting.room) if meeting.room else None,
    )


def _table_extra(booking: TableBooking, language: str) -> AgendaExtra:
    table = booking.table
    act = table.slot.activity
    title = (table.title_en if language == "en" else None) or table.title
    theme = (table.theme.name_en if language == "en" else None) or table.theme.name
    return AgendaExtra(
        key=f"t{booking.id}",
        kind="table",
        activity_id=act.id,
        title=_("Tafelgesprek: %(title)s", title=title),
        starts_at=act.starts_at,
        ends_at=act.ends_at,
        location=act.place,
        description=_("Thema: %(name)s", name=theme),
        url=external_url("networking.tables_page"),
        changed_at=booking.created_at,
    )


def agenda_extras(
    registration: Registration, *, session: Session, language: str, **_: Any
) -> list[AgendaExtra]:
    """The person's accepted meetings and table places, as agenda items."""
    meetings = session.scalars(
        select(Meeting).where(
            Meeting.status == "accepted",
            or_(Meeting.requester_id == registration.id, Meeting.invitee_id == registration.id),
        )
    ).all()
    bookings = session.scalars(
        select(TableBooking).filter_by(registration_id=registration.id)
    ).all()
    if not meetings and not bookings:
        return []
    with force_locale(language):
        items = [_meeting_extra(m, registration.id, language) for m in meetings]
        items += [_table_extra(b, language) for b in bookings]
    return items


def on_registration_canceled(registration: Registration, *, session: Session, **_: Any) -> None:
    """Leave the directory, end the meetings and free the table places of a cancellation."""
    profile = session.get(NetworkProfile, registration.id)
    if profile is not None:
        profile.visible = False
    withdraw_requests(session, registration.id)
    accepted = session.scalars(
        select(Meeting).where(
            Meeting.status == "accepted",
            or_(Meeting.requester_id == registration.id, Meeting.invitee_id == registration.id),
        )
    ).all()
    for meeting in sorted(accepted, key=lambda m: m.slot_id):
        end_meeting(session, meeting)
    for booking in session.scalars(
        select(TableBooking).filter_by(registration_id=registration.id)
    ).all():
        release(session, booking)
    session.flush()


def on_registration_erased(registration: Registration, *, session: Session, **_: Any) -> None:
    """Forget the profile, the blocks and the meetings of an erased registration."""
    rid = registration.id
    session.execute(delete(NetworkProfile).filter_by(registration_id=rid))
    session.execute(
        delete(NetworkBlock).where(
            or_(NetworkBlock.blocker_id == rid, NetworkBlock.blocked_id == rid)
        )
    )
    session.execute(
        delete(Meeting).where(or_(Meeting.requester_id == rid, Meeting.invitee_id == rid))
    )


def personal_data(registration: Registration) -> dict[str, Any]:
    """The person's networking profile, meetings and table places, for their data export."""
    tz = registration.conference.timezone
    profile = db.session.get(NetworkProfile, registration.id)
    meetings = db.session.scalars(
        select(Meeting).where(
            or_(
                Meeting.requester_id == registration.id,
                (Meeting.invitee_id == registration.id) & Meeting.silenced.is_(False),
            )
        )
    ).all()
    tables = db.session.execute(
        select(ThemeTable.title, NetworkSlot.activity_id)
        .join(TableBooking, TableBooking.table_id == ThemeTable.id)
        .join(NetworkSlot, NetworkSlot.id == ThemeTable.slot_id)
        .where(TableBooking.registration_id == registration.id)
    ).all()
    return {
        "networking": {
            "profile": None
            if profile is None
            else {
                "visible": profile.visible,
                "sector": profile.sector,
                "region": profile.region,
                "themes": [t.name for t in profile.themes],
                "ask_me_about": profile.ask_me_about,
            },
            "meetings": [
                {
                    "with": (
                        m.invitee if m.requester_id == registration.id else m.requester
                    ).full_name,
                    "status": m.status,
                    "mode": m.mode,
                    "requested_at": isoformat(m.created_at, tz),
                }
                for m in meetings
            ],
            "table_talks": [title for title, _activity in tables],
        }
    }
