"""The one clock of the application: UTC in, Europe/Brussels out."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


def utcnow() -> datetime:
    """The current time, aware, in UTC (tests move it with time-machine)."""
    return datetime.now(UTC)


def local(value: datetime, tz: str | ZoneInfo = BRUSSELS) -> datetime:
    """A stored UTC time in the conference's time zone."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return value.astimezone(zone)


def at_local(day: date, clock_time: time, tz: str | ZoneInfo = BRUSSELS) -> datetime:
    """A wall-clock moment on a day in the conference's zone, as aware UTC."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return datetime.combine(day, clock_time, tzinfo=zone).astimezone(UTC)


def isoformat(value: datetime | None, tz: str | ZoneInfo = BRUSSELS) -> str | None:
    """ISO 8601 with the local offset, as the API promises."""
    return None if value is None else local(value, tz).isoformat()
