"""RFC 5545 checks for the calendar tests: parse with two libraries and check the rules we can.

`icalendar` parses the bytes and its TZIDs resolve through zoneinfo; `vobject` builds its time
zones from the VTIMEZONE in the file itself (dateutil), so agreeing instants also prove that the
VTIMEZONE we send is right.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import icalendar
import vobject

STATUSES = {"TENTATIVE", "CONFIRMED", "CANCELLED"}


def raw_lines(data: bytes) -> list[bytes]:
    """The content lines as sent (folded), checking CRLF endings and the 75-octet limit."""
    assert data.endswith(b"\r\n"), "the stream must end with CRLF"
    lines = data.split(b"\r\n")[:-1]
    for line in lines:
        assert b"\n" not in line and b"\r" not in line, f"bare LF/CR in {line!r}"
        assert len(line) <= 75, f"line longer than 75 octets: {line!r}"
    return lines


def unfolded(data: bytes) -> list[str]:
    """Content lines unfolded (RFC 5545 3.1)."""
    text = data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    return [line for line in text.split("\r\n") if line]


def check_rfc5545(data: bytes) -> icalendar.Calendar:
    """Parse, validate what RFC 5545 lets us check, cross-check with vobject; the icalendar tree."""
    raw_lines(data)
    lines = unfolded(data)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    stack: list[str] = []
    for line in lines:
        if line.startswith("BEGIN:"):
            stack.append(line[6:])
        elif line.startswith("END:"):
            assert stack and stack.pop() == line[4:], f"unbalanced {line}"
    assert not stack

    cal = icalendar.Calendar.from_ical(data)
    cal.validate()  # PRODID, VERSION, at least one component
    assert str(cal["VERSION"]) == "2.0"
    assert len([ln for ln in lines if ln.startswith("PRODID:")]) == 1

    timezones = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    for tz in cal.walk("VTIMEZONE"):
        parts = tz.walk("STANDARD") + tz.walk("DAYLIGHT")
        assert parts, "a VTIMEZONE needs STANDARD or DAYLIGHT"
        for part in parts:
            for prop in ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO"):
                assert prop in part, f"{prop} missing in {part.name}"
    # Every TZID parameter refers to a VTIMEZONE of this calendar.
    used = set(re.findall(r";TZID=([^:;]+)[:;]", "\n".join(lines)))
    assert used <= timezones, f"TZID without VTIMEZONE: {used - timezones}"

    events = cal.walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)), "UIDs must be unique in a calendar"
    for event in events:
        for prop in ("UID", "DTSTAMP", "DTSTART"):
            assert prop in event, f"{prop} missing"
        for prop in ("DTSTAMP", "LAST-MODIFIED"):
            if prop in event:
                value = event.decoded(prop)
                assert value.utcoffset().total_seconds() == 0, f"{prop} not in UTC"
                assert event[prop].to_ical().endswith(b"Z"), f"{prop} must be written in UTC"
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert not ("DTEND" in event and "DURATION" in event)
        for prop, value in (("DTSTART", start), ("DTEND", end)):
            assert isinstance(value, datetime) and value.tzinfo is not None, f"floating {prop}"
            assert "TZID" in event[prop].params, f"{prop} should carry a TZID"
        assert end > start
        assert int(event["SEQUENCE"]) >= 0
        assert str(event["STATUS"]) in STATUSES
        assert str(event["URL"]).startswith(("http://", "https://"))
        for alarm in event.walk("VALARM"):
            assert "ACTION" in alarm and "TRIGGER" in alarm
            if str(alarm["ACTION"]) == "DISPLAY":
                assert "DESCRIPTION" in alarm

    # The independent parser reads the same events at the same instants. vobject keeps parsed
    # VTIMEZONEs in a process-wide registry: forget them, so this document's own one is used.
    vobject.icalendar.__dict__["__tzidMap"].clear()
    vobject.icalendar.registerTzid("UTC", vobject.icalendar.utc)
    other = vobject.readOne(data.decode("utf-8"))
    assert other.vtimezone.tzid.value in timezones
    theirs = {
        ev.uid.value: (ev.dtstart.value.astimezone(UTC), ev.dtend.value.astimezone(UTC))
        for ev in getattr(other, "vevent_list", [])
    }
    ours = {
        str(e["UID"]): (e.decoded("DTSTART").astimezone(UTC), e.decoded("DTEND").astimezone(UTC))
        for e in events
    }
    assert theirs == ours
    for ev in getattr(other, "vevent_list", []):
        assert ev.dtstamp.value.utcoffset().total_seconds() == 0
    return cal


def events_by_uid(cal: icalendar.Calendar) -> dict[str, icalendar.Event]:
    """The VEVENTs keyed by UID."""
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def event_for(cal: icalendar.Calendar, activity_id: int) -> icalendar.Event | None:
    """The event of an activity (UIDs start with swc-a<id>-)."""
    prefix = f"swc-a{activity_id}-"
    return next((e for e in cal.walk("VEVENT") if str(e["UID"]).startswith(prefix)), None)
