"""Attendance certificates: who took part (on site or online), in which parts, for how long."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conference.clock import isoformat, utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.models import Conference
from registration.checkin.models import Scan
from registration.links import external_url
from registration.models import Registration
from sessions.programme.models import Activity
from sessions.seats.models import Seat
from streaming.errors import CertificateNotMade, CertificateNotYet, NoAttendance
from streaming.models import Certificate, StreamPresence
from streaming.presence import online_seconds

# Crockford's base32: no I, L, O or U, so a code read aloud or typed over is unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 random bits
# A part counts from this many attended minutes (a quick look is not taking part).
MIN_ONLINE_MINUTES = 5
MIN_ONSITE_MINUTES = 5
# On site, these parts count for everyone who came in; seated ones need a seat (and a door
# scan where the door was scanned at all).
ONSITE_OPEN_KINDS = ("plenary",)
ONSITE_SEATED_KINDS = ("workshop", "visit")


@dataclass
class Part:
    """One part of the day a person attended."""

    activity_id: int
    title: str
    title_en: str | None
    kind: str
    mode: str  # "onsite" or "online"
    starts_at: str
    ends_at: str
    minutes: int


# -- codes -----------------------------------------------------------------------------------


def new_code() -> str:
    """A random certificate code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str | None) -> str | None:
    """A typed code in canonical form (case, dashes, spaces and look-alikes forgiven), or None."""
    if not raw:
        return None
    code = "".join(ch for ch in raw.upper() if ch not in " -_.")
    code = code.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def format_code(code: str) -> str:
    """The code in groups of four, as printed."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def verify_url(code: str) -> str:
    """The public page that confirms a certificate."""
    return external_url("streaming.verify", code=format_code(code))


# -- attendance ------------------------------------------------------------------------------


def entrance_presence(conf: Conference, registration_id: int) -> list[tuple[datetime, datetime]]:
    """When the person was inside: each entrance entry to the next exit (or the day's end)."""
    rows = db.session.execute(
        select(Scan.type, Scan.scanned_at)
        .where(
            Scan.conference_id == conf.id,
            Scan.registration_id == registration_id,
            Scan.checkpoint == "entrance",
            Scan.status == "ok",
            Scan.type.in_(("entry", "exit")),
        )
        .order_by(Scan.scanned_at, Scan.id)
    ).all()
    spans: list[tuple[datetime, datetime]] = []
    inside_since = None
    for kind, at in rows:
        if kind == "entry" and inside_since is None:
            inside_since = at
        elif kind == "exit" and inside_since is not None:
            spans.append((inside_since, at))
            inside_since = None
    if inside_since is not None:  # no exit scanned: inside until the day ends
        spans.append((inside_since, max(conf.ends_at, inside_since)))
    return spans


def activity_door_scans(
    conference_id: int, registration_id: int, activity_ids: list[int]
) -> tuple[set[int], dict[int, datetime]]:
    """(activities whose door was scanned at all, {activity: when this person was let in})."""
    if not activity_ids:
        return set(), {}
    where = (
        Scan.conference_id == conference_id,
        Scan.activity_id.in_(activity_ids),
        Scan.status == "ok",
        Scan.type.in_(("entry", "standby")),
    )
    scanned = set(db.session.scalars(select(Scan.activity_id).where(*where).distinct()))
    mine = db.session.execute(
        select(Scan.activity_id, func.min(Scan.scanned_at))
        .where(*where, Scan.registration_id == registration_id)
        .group_by(Scan.activity_id)
    )
    return scanned, dict(mine.all())


def overlap_minutes(start: datetime, end: datetime, spans: list[tuple[datetime, datetime]]) -> int:
    """Whole minutes of [start, end) covered by the (disjoint) spans of presence."""
    seconds = sum(
        max((min(end, until) - max(start, since)).total_seconds(), 0) for since, until in spans
    )
    return int(seconds // 60)


def _duration(act: Activity) -> int:
    return int((act.ends_at - act.starts_at).total_seconds() // 60)


def _part(act: Activity, mode: str, minutes: int, tz: str) -> Part:
    return Part(
        act.id,
        act.title,
        act.title_en,
        act.kind,
        mode,
        isoformat(act.starts_at, tz),
        isoformat(act.ends_at, tz),
        minutes,
    )


def attendance(conf: Conference, registration: Registration) -> list[Part]:
    """The parts a registration attended, with the minutes of each.

    Online: the minutes a watch page was open while the part was live (from heartbeats).
    On site: the overlap of the part with the person's time inside (entrance entry to exit),
    from their own door scan on where the door was scanned: a late arrival or an early leave
    counts only the time that was really there.
    """
    tz = conf.timezone
    parts: dict[int, Part] = {}
    # Online: attended minutes from heartbeats, never more than the part lasted.
    rows = db.session.execute(
        select(StreamPresence, Activity)
        .join(Activity, Activity.id == StreamPresence.activity_id)
        .where(StreamPresence.registration_id == registration.id, Activity.conference_id == conf.id)
    ).all()
    for presence, act in rows:
        minutes = min(presence.attended_seconds // 60, _duration(act))
        if minutes >= MIN_ONLINE_MINUTES:
            parts[act.id] = _part(act, "online", minutes, tz)
    # On site: only after a check-in at the entrance, for the time inside.
    spans = entrance_presence(conf, registration.id)
    if spans:
        open_acts = db.session.scalars(
            select(Activity).where(
                Activity.conference_id == conf.id,
                Activity.published.is_(True),
                Activity.kind.in_(ONSITE_OPEN_KINDS),
            )
        ).all()
        seated = db.session.scalars(
            select(Activity)
            .join(Seat, Seat.activity_id == Activity.id)
            .where(Seat.registration_id == registration.id, Activity.kind.in_(ONSITE_SEATED_KINDS))
        ).all()
        scanned, arrived = activity_door_scans(conf.id, registration.id, [a.id for a in seated])
        present = [(act, None) for act in open_acts] + [
            (a, arrived.get(a.id)) for a in seated if a.id not in scanned or a.id in arrived
        ]
        for act, door in present:
            start = max(act.starts_at, door) if door is not None else act.starts_at
            minutes = overlap_minutes(start, act.ends_at, spans)
            if minutes >= MIN_ONSITE_MINUTES:
                parts[act.id] = _part(act, "onsite", minutes, tz)
    return sorted(parts.values(), key=lambda p: (p.starts_at, p.activity_id))


def _covered_minutes(parts: list[Part]) -> int:
    """Minutes spanned by the parts' time slots together (overlaps once)."""
    spans = sorted(
        (datetime.fromisoformat(p.starts_at), datetime.fromisoformat(p.ends_at)) for p in parts
    )
    covered = 0.0
    start = end = None
    for s, e in spans:
        if end is None or s > end:
            if end is not None:
                covered += (end - start).total_seconds()
            start, end = s, e
        else:
            end = max(end, e)
    if end is not None:
        covered += (end - start).total_seconds()
    return int(covered // 60)


def total_minutes(parts: list[Part], online_minutes: int | None = None) -> int:
    """Minutes in total, never claiming time twice.

    Online parts add up to at most the person's online time over all streams together (two
    streams in two tabs count once); everything together is at most the time the parts span.
    """
    online = sum(p.minutes for p in parts if p.mode == "online")
    if online_minutes is not None:
        online = min(online, online_minutes)
    onsite = sum(p.minutes for p in parts if p.mode == "onsite")
    return min(onsite + online, _covered_minutes(parts))


def person_total(registration: Registration, parts: list[Part]) -> int:
    """A registration's total minutes (see `total_minutes`)."""
    return total_minutes(parts, online_seconds(registration.id) // 60)


def available(conf: Conference, now: datetime | None = None) -> bool:
    """Certificates can be downloaded once the conference day has ended."""
    return (now or utcnow()) >= conf.ends_at


def issue(conf: Conference, registration: Registration, now: datetime | None = None) -> Certificate:
    """The registration's certificate, made on first request and brought up to date after."""
    if not available(conf, now):
        raise CertificateNotYet()
    parts = attendance(conf, registration)
    if not parts:
        raise NoAttendance()
    snapshot = {
        "full_name": registration.full_name,
        "event_date": conf.starts_at,
        "minutes": person_total(registration, parts),
        "parts": [asdict(p) for p in parts],
        "updated_at": utcnow(),
    }
    with write_transaction(db.session) as session:
        cert = session.scalar(select(Certificate).filter_by(registration_id=registration.id))
        for _attempt in range(3):
            if cert is not None:
                break
            try:
                with session.begin_nested():
                    cert = Certificate(
                        registration_id=registration.id,
                        conference_id=conf.id,
                        code=new_code(),
                        **snapshot,
                    )
                    session.add(cert)
            except IntegrityError:
                # Another request made it first (or, once in 2^80, the code was taken).
                cert = session.scalar(
                    select(Certificate).filter_by(registration_id=registration.id)
                )
        if cert is None:
            raise CertificateNotMade()
        for key, value in snapshot.items():
            setattr(cert, key, value)
    return cert


def find(code: str | None) -> Certificate | None:
    """The certificate with this code, if any."""
    code = normalize_code(code)
    if code is None:
        return None
    return db.session.scalar(select(Certificate).filter_by(code=code))


def summary(
    conf: Conference, registration: Registration, now: datetime | None = None
) -> dict[str, Any]:
    """What the attendee's certificate page and GET /api/v1/me/certificate show."""
    parts = attendance(conf, registration)
    cert = db.session.scalar(select(Certificate).filter_by(registration_id=registration.id))
    return {
        "available": available(conf, now),
        "available_from": conf.ends_at,
        "eligible": bool(parts),
        "minutes": person_total(registration, parts),
        "parts": parts,
        "code": cert.code if cert else None,
    }
