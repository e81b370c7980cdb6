"""Agenda items that are no programme activity (a networking meeting, a themed table place).

Higher packages add them through `conference.hooks.agenda_extras`; the agenda page, the API,
the `.ics` file and the feed all show them, and the feed's fingerprint covers them, so a new
or cancelled meeting reaches subscribed calendars at their next refresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event
from sqlalchemy.orm import Session

from conference import hooks
from conference.clock import isoformat
from conference.extensions import db
from registration.models import Registration


@dataclass(frozen=True)
class AgendaExtra:
    """One extra item of a person's day, in one language."""

    key: str  # unique in the person's agenda ("meeting-12"); part of the event's UID
    kind: str  # "meeting" | "table"
    activity_id: int  # the programme moment it happens in (lunch, reception)
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str | None
    description: str
    url: str
    changed_at: datetime
    join_url: str | None = None


def extras_for(
    registration: Registration, session: Session | None = None, language: str | None = None
) -> list[AgendaExtra]:
    """The person's extra items in time order (none without a receiver)."""
    found = hooks.gather(
        hooks.agenda_extras,
        registration,
        session=session or db.session,
        language=language or registration.language or "nl",
    )
    return sorted(found, key=lambda x: (x.starts_at, x.key))


def extra_json(extra: AgendaExtra, tz: str) -> dict[str, Any]:
    """An extra item as `GET /api/v1/me/agenda` shows it (beside the activities)."""
    item: dict[str, Any] = {
        "activity_id": extra.activity_id,
        "kind": extra.kind,
        "title": extra.title,
        "starts_at": isoformat(extra.starts_at, tz),
        "ends_at": isoformat(extra.ends_at, tz),
        "location": extra.location,
        "reason": "networking",
        "url": extra.url,
    }
    if extra.join_url:
        item["join_url"] = extra.join_url
    return item


def extra_event(extra: AgendaExtra, uid: str, tz: str, alarm: int | None) -> Event:
    """One VEVENT of an extra item."""
    zone = ZoneInfo(tz)
    stamp = extra.changed_at.astimezone(UTC)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", 0)
    event.add("dtstart", extra.starts_at.astimezone(zone))
    event.add("dtend", extra.ends_at.astimezone(zone))
    event.add("summary", extra.title)
    if extra.location:
        event.add("location", extra.location)
    event.add("description", extra.description)
    event.add("url", extra.url)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    if alarm:
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", extra.title)
        reminder.add("trigger", timedelta(minutes=-alarm))
        event.add_component(reminder)
    return event


def add_extra_events(
    cal: Calendar, registration: Registration, *, tag: str, host: str, tz: str, alarm: int | None
) -> None:
    """Add the person's extra items to their calendar (UIDs tied to the item and the person)."""
    for extra in extras_for(registration):
        cal.add_component(extra_event(extra, f"swc-{extra.key}-{tag}@{host}", tz, alarm))


def extras_fingerprint(registration: Registration) -> list[Any]:
    """What of the extra items a feed shows, for its fingerprint."""
    return [
        (x.key, x.title, x.location, x.starts_at.isoformat(), x.ends_at.isoformat(),
         x.changed_at.isoformat(), x.join_url, x.description)
        for x in extras_for(registration)
    ]  # fmt: skip
