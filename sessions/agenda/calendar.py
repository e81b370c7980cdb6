"""iCalendar (RFC 5545) for agendas: the `.ics` download, the private feed, and its links.

Every event has a UID tied to the activity and the person (no name or e-mail in it) on the host
of BASE_URL; DTSTAMP and LAST-MODIFIED are when the event's content last changed (UTC), so the
same data always gives the same bytes; SEQUENCE is the activity's sequence plus the person's
own revision (see `sessions.agenda_history`); times carry TZID with a VTIMEZONE.

Feeds are cached per app by a fingerprint of everything they show; the fingerprint is the
ETag, so a conditional request with an unchanged feed costs three small queries and no
rendering.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event, Timezone
from sqlalchemy import select
from sqlalchemy.orm import Session

from conference.clock import local, utcnow
from conference.extensions import db
from conference.mail.outbox import attachment, deferred_attachment
from conference.models import Conference
from registration.models import Registration
from sessions.agenda.extras import add_extra_events, extras_fingerprint
from sessions.agenda.services import (
    FOLLOWABLE_KINDS,
    ActivityInfo,
    AgendaEntry,
    ProgrammeSnapshot,
    agenda_cache,
    agenda_for,
    external_url,
    in_write_transaction,
    person_states,
    snapshot,
    watch_url,
)
from sessions.programme.models import Activity

FORMAT = 3  # bump when the rendering changes, so every cached feed and ETag renews
PRODID = "-//Vlaams Platform Sterk Sociaal Werk//Sociaalwerkconferentie agenda//NL"
DEFAULT_ALARM_MINUTES = 15


# --- Building the calendar -------------------------------------------------------------------


@lru_cache(maxsize=16)
def _vtimezone(tzid: str, first: date, last: date) -> Timezone:
    """The VTIMEZONE of a zone over a few years (shared: components are only serialised)."""
    return Timezone.from_tzid(tzid, first_date=first, last_date=last)


def vtimezone_for(tzid: str, first: datetime, last: datetime | None = None) -> Timezone:
    """A VTIMEZONE from the year before the first event to the year after the last."""
    last = last or first
    return _vtimezone(tzid, date(first.year - 1, 1, 1), date(last.year + 2, 1, 1))


def host_name() -> str:
    """The host of BASE_URL, for UIDs."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def person_tag(registration: Registration) -> str:
    """A stable, opaque tag of the person for UIDs (no name, e-mail or plain id)."""
    seed = f"{registration.conference_id}:{registration.id}:{registration.created_at.isoformat()}"
    return hashlib.sha256(seed.encode()).hexdigest()[:20]


def event_uid(activity_id: int, tag: str, host: str) -> str:
    """The UID of one activity in one person's calendar."""
    return f"swc-a{activity_id}-{tag}@{host}"


def alarm_minutes(conf: Conference) -> int | None:
    """Minutes before an event for the reminder (setting `calendar_alarm_minutes`; None = off)."""
    settings = conf.settings or {}
    value = settings.get("calendar_alarm_minutes", DEFAULT_ALARM_MINUTES)
    return int(value) if value else None


def _hhmm(moment: datetime, tz: str) -> str:
    return local(moment, tz).strftime("%H:%M")


def _location(act: ActivityInfo, onsite: bool, language: str) -> str:
    if act.online or (act.kind in FOLLOWABLE_KINDS) or (act.mode == "hybrid" and not onsite):
        return _("Online")
    place = act.place or ""
    if act.room_floor and act.room_name and place == act.room_name:
        place = f"{place} ({act.room_floor})"
    return place


def _description(entry: AgendaEntry, onsite: bool, language: str, tz: str) -> str:
    act = entry.activity
    lines: list[str] = []
    if entry.cancelled:
        lines.append(_("Dit staat niet meer in je agenda: je hebt hier geen plaats meer."))
    if act.theme_name:
        lines.append(_("Thema: %(name)s", name=act.text("theme_name", language)))
    if act.speakers:
        names = ", ".join(s.name for s in act.speakers)
        lines.append(_("Met: %(names)s", names=names))
    summary = act.text("summary", language)
    if summary:
        lines.append(summary)
    if not entry.cancelled:
        if act.kind == "visit":
            if act.place:
                lines.append(_("Verzamelen: %(place)s", place=act.place))
            lines.append(_("Terug om %(time)s.", time=_hhmm(act.ends_at, tz)))
        elif onsite and not act.online and act.kind not in FOLLOWABLE_KINDS:
            directions = act.text("directions", language)
            if directions:
                lines.append(_("Weg: %(directions)s", directions=directions))
        if entry.join_url:
            lines.append(_("Deelnemen: %(url)s", url=entry.join_url))
        elif entry.join_opens_at:
            lines.append(
                _("De link om deel te nemen staat vanaf %(time)s in je agenda.",
                  time=_hhmm(entry.join_opens_at, tz))
            )  # fmt: skip
        if act.kind in FOLLOWABLE_KINDS or (act.kind == "plenary" and not onsite):
            lines.append(_("Kijken: %(url)s", url=watch_url(act)))
    lines.append(_("Meer info: %(url)s", url=external_url("sessions.activity", slug=act.slug)))
    return "\n\n".join(lines)


def build_event(
    entry: AgendaEntry,
    *,
    uid: str,
    tz: str,
    language: str,
    onsite: bool,
    alarm: int | None,
    note: str | None = None,
) -> Event:
    """One VEVENT (call inside `force_locale(language)`)."""
    act = entry.activity
    zone = ZoneInfo(tz)
    stamp = entry.changed_at.astimezone(UTC)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("sequence", entry.sequence)
    event.add("dtstart", act.starts_at.astimezone(zone))
    event.add("dtend", act.ends_at.astimezone(zone))
    event.add("summary", act.text("title", language))
    location = _location(act, onsite, language)
    if location:
        event.add("location", location)
    description = _description(entry, onsite, language, tz)
    event.add("description", f"{description}\n\n{note}" if note else description)
    event.add("url", external_url("sessions.activity", slug=act.slug))
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE" if entry.reason in ("seat", "programme") else "TRANSPARENT")
    if alarm and not entry.cancelled:
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", act.text("title", language))
        reminder.add("trigger", timedelta(minutes=-alarm))
        event.add_component(reminder)
    return event


def new_calendar(
    name: str, tz: str, first: datetime, last: datetime | None = None, *, feed: bool
) -> Calendar:
    """A VCALENDAR with its VTIMEZONE and the names calendar apps show."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tz)
    if feed:
        # How often subscribed apps should look again (RFC 7986, and the older Apple/MS name).
        cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
    cal.add_component(vtimezone_for(tz, first, last))
    return cal


def render_calendar(
    registration: Registration,
    conf: Conference,
    snap: ProgrammeSnapshot,
    entries: list[AgendaEntry],
    *,
    feed: bool = True,
) -> bytes:
    """The person's calendar as RFC 5545 bytes."""
    language = registration.language or "nl"
    onsite = registration.mode == "onsite" and registration.status == "registered"
    tag, host, tz = person_tag(registration), host_name(), snap.timezone
    alarm = alarm_minutes(conf)
    with force_locale(language):
        name = conf.name_en if language == "en" and conf.name_en else conf.name
        starts = [e.activity.starts_at for e in entries] or [conf.starts_at]
        ends = [e.activity.ends_at for e in entries] or [conf.ends_at]
        cal = new_calendar(name, tz, min(starts), max(ends), feed=feed)
        for entry in entries:
            cal.add_component(
                build_event(
                    entry,
                    uid=event_uid(entry.activity.id, tag, host),
                    tz=tz,
                    language=language,
                    onsite=onsite,
                    alarm=alarm,
                )
            )
        add_extra_events(cal, registration, tag=tag, host=host, tz=tz, alarm=alarm)
    return cal.to_ical()


# --- Feeds with a fingerprint ------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    """A rendered feed with its validators."""

    body: bytes
    etag: str
    last_modified: datetime


def fingerprint(
    registration: Registration,
    conf: Conference,
    snap: ProgrammeSnapshot,
    entries: list[AgendaEntry],
) -> str:
    """A digest of everything the feed shows: equal fingerprints give equal bytes."""
    data = [
        FORMAT,
        current_app.config["BASE_URL"],
        snap.version,
        conf.name,
        conf.name_en,
        conf.setting("join_link_lead_minutes"),
        alarm_minutes(conf),
        registration.id,
        registration.status,
        registration.mode,
        registration.language,
        [
            (e.activity.id, e.reason, e.cancelled, e.sequence, e.changed_at.isoformat(),
             e.join_url is not None)
            for e in entries
        ],
        extras_fingerprint(registration),
    ]  # fmt: skip
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()[:32]


def last_modified(entries: list[AgendaEntry], conf: Conference) -> datetime:
    """The latest change of any event (HTTP Last-Modified)."""
    stamps = [e.changed_at for e in entries] or [conf.created_at or utcnow()]
    return max(stamps).astimezone(UTC).replace(microsecond=0)


def feed_validators(
    registration: Registration, now: datetime | None = None, session: Session | None = None
) -> tuple[str, datetime, Any]:
    """ETag, Last-Modified and a builder for the body (called only when it must be sent)."""
    session = session or db.session
    conf = registration.conference
    snap = snapshot(conf, session)
    state = person_states(session, [registration.id])[registration.id]
    entries = agenda_for(registration, snap, state, conf, now)
    etag = fingerprint(registration, conf, snap, entries)
    modified = last_modified(entries, conf)

    def body() -> bytes:
        cache = agenda_cache()
        hit = cache.get_feed(etag)
        if hit is not None:
            return hit[0]
        data = render_calendar(registration, conf, snap, entries, feed=True)
        if not in_write_transaction():
            cache.put_feed(etag, (data, modified))
        return data

    return etag, modified, body


def feed_for_registration(registration: Registration, now: datetime | None = None) -> Feed:
    """The feed of a registration (from the cache when nothing changed)."""
    etag, modified, body = feed_validators(registration, now)
    return Feed(body(), etag, modified)


def ics_for_registration(
    registration: Registration, now: datetime | None = None, session: Session | None = None
) -> bytes:
    """The person's agenda as an `.ics` file, e.g. for the confirmation or allocation mail.

    Works inside the caller's write transaction (pass its session): it then sees the seats
    just given and writes nothing itself.
    """
    session = session or db.session
    conf = registration.conference
    snap = snapshot(conf, session)
    state = person_states(session, [registration.id])[registration.id]
    entries = agenda_for(registration, snap, state, conf, now)
    return render_calendar(registration, conf, snap, entries, feed=False)


def ics_attachment(
    registration: Registration, session: Session | None = None, filename: str = "agenda.ics"
) -> dict[str, str]:
    """`ics_for_registration` as an attachment for `conference.mail.queue_mail`."""
    data = ics_for_registration(registration, session=session)
    return attachment(filename, "text/calendar; charset=utf-8", data)


def ics_for_entry(
    registration: Registration,
    activity_id: int,
    *,
    session: Session,
    snap: ProgrammeSnapshot | None = None,
    now: datetime | None = None,
) -> bytes | None:
    """One person's event of one activity (for a change mail), or None if it is not theirs."""
    conf = registration.conference
    snap = snap or snapshot(conf, session)
    state = person_states(session, [registration.id], activity_id)[registration.id]
    entries = agenda_for(registration, snap, state, conf, now, only=activity_id)
    if not entries:
        return None
    return render_calendar(registration, conf, snap, entries, feed=False)


def ics_for_activity(activity: Activity, session: Session | None = None) -> bytes:
    """One activity as an `.ics` for its speakers and guides (no person in it)."""
    session = session or db.session
    conf = activity.conference
    snap = snapshot(conf, session)
    act = snap.activities[activity.id]
    entry = AgendaEntry(
        activity=act,
        reason="programme",
        cancelled=not act.published,
        sequence=act.sequence,
        changed_at=act.changed_at or act.created_at,
    )
    language = "nl"
    with force_locale(language):
        cal = new_calendar(conf.name, snap.timezone, act.starts_at, act.ends_at, feed=False)
        note = None
        if act.kind in ("workshop", "visit", "online_workshop"):
            taken = session.scalar(select(Activity.taken).where(Activity.id == act.id))
            note = _("Plaatsen ingenomen: %(n)s", n=taken)
        event = build_event(
            entry,
            uid=f"swc-a{act.id}-team@{host_name()}",
            tz=snap.timezone,
            language=language,
            onsite=act.mode != "online",
            alarm=None,
            note=note,
        )
        cal.add_component(event)
    return cal.to_ical()


def calendar_attachment(registration_id: int, filename: str = "agenda.ics") -> dict[str, Any]:
    """The person's `.ics`, drawn by the mail sender at delivery (fast to queue, current)."""
    return deferred_attachment(
        "ics", filename, "text/calendar; charset=utf-8", registration_id=registration_id
    )


def render_calendar_attachment(_kind: str, *, item: dict[str, Any]) -> bytes:
    """`conference.hooks.mail_attachment` for "ics": the calendar of the item's registration."""
    registration = db.session.get(Registration, item["registration_id"])
    if registration is None:  # erased since the mail was queued: an empty calendar
        return b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//swc//agenda//NL\r\nEND:VCALENDAR\r\n"
    return ics_for_registration(registration)
