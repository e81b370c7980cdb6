"""What scanners and organisers read: the offline list, figures, manual search, flagged scans."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from conference.clock import isoformat, local, utcnow
from conference.errors import Invalid
from conference.extensions import db
from conference.models import Conference
from conference.validation import tidy_search
from registration.checkin.answers import seats_for
from registration.checkin.checkpoints import (
    HASH_CHARS,
    entrance_checkpoint,
    list_hash_key,
    secret_hash,
)
from registration.checkin.models import Presence, Scan
from registration.checkin.registry import ENTRANCE, Checkpoint, activity_checkpoints
from registration.models import Registration, Ticket

# Changes committed a little after a list was read may carry an earlier timestamp: overlap.
SYNC_OVERLAP = timedelta(seconds=30)
SEARCH_LIMIT = 20


def checkpoint_json(cp: Checkpoint) -> dict[str, Any]:
    """A checkpoint as the scanner and the API show it."""
    return {
        "key": cp.key,
        "label": cp.label,
        "label_en": cp.label_en,
        "kind": cp.kind,
        "activity_id": cp.activity_id,
        "location": cp.location,
        "starts_at": isoformat(cp.starts_at),
        "opens_at": isoformat(cp.opens_at),
        "closes_at": isoformat(cp.closes_at),
        "seated": cp.seated,
        "standby_from": isoformat(cp.standby_from),
    }


def entry_status(
    reg: Registration, ticket: Ticket | None, cp: Checkpoint, holders: set[int] | None
) -> tuple[str, str | None]:
    """What an entry scan would answer, rules only (no time, no presence): status and detail."""
    if reg.status == "canceled":
        return "canceled", None
    if ticket is not None and ticket.status == "revoked":
        return "revoked", None
    if reg.mode != "onsite":
        return "product", "online"
    if reg.status != "registered":
        return "product", "waitlisted"
    if holders is not None and reg.id not in holders:
        return "product", "no_seat"
    return "ok", None


def _holders(cp: Checkpoint) -> set[int] | None:
    """Registrations with a seat at a seated activity; None where no seat is needed."""
    if cp.key == ENTRANCE or not cp.seated:
        return None
    provider = activity_checkpoints()
    return provider.holder_ids(cp) if provider else set()


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def parse_since(value: Any) -> datetime | None:
    """The `since` version stamp (milliseconds) of an incremental list, or None."""
    if value in (None, ""):
        return None
    try:
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise Invalid(fields={"since": _l("geef de version van een eerdere lijst")}) from None


def _changed_since(conf: Conference, cp: Checkpoint, since: datetime) -> set[int]:
    session = db.session
    ids = set(
        session.scalars(
            select(Registration.id).where(
                Registration.conference_id == conf.id, Registration.updated_at > since
            )
        )
    )
    ids |= set(
        session.scalars(
            select(Ticket.registration_id)
            .join(Registration, Ticket.registration_id == Registration.id)
            .where(
                Registration.conference_id == conf.id,
                or_(Ticket.created_at > since, Ticket.revoked_at > since),
            )
        )
    )
    ids |= set(
        session.scalars(
            select(Presence.registration_id).where(
                Presence.conference_id == conf.id,
                Presence.checkpoint == cp.key,
                Presence.updated_at > since,
            )
        )
    )
    provider = activity_checkpoints()
    if provider is not None:
        ids |= provider.changed_since(conf, since)
    return ids


def checkin_list(conf: Conference, cp: Checkpoint, since: datetime | None = None) -> dict:
    """Everything a scanner needs to decide offline at `cp`: keyed hashes, never raw secrets."""
    now = utcnow()
    query = (
        select(Ticket, Registration)
        .join(Registration, Ticket.registration_id == Registration.id)
        .where(Registration.conference_id == conf.id)
        .order_by(Ticket.id)
    )
    if since is not None:
        changed = _changed_since(conf, cp, since)
        query = query.where(Registration.id.in_(changed or {-1}))
    rows = db.session.execute(query).all()
    reg_ids = sorted({reg.id for _, reg in rows})
    presence = {
        p.registration_id: p
        for p in db.session.scalars(
            select(Presence).where(
                Presence.checkpoint == cp.key, Presence.registration_id.in_(reg_ids or [-1])
            )
        )
    }
    seats = seats_for(reg_ids)
    holders = _holders(cp)
    key = list_hash_key(conf)
    entries = []
    for ticket, reg in rows:
        status, detail = entry_status(reg, ticket, cp, holders)
        seen = presence.get(reg.id)
        entries.append(
            {
                "h": secret_hash(key, ticket.secret),
                "registration_id": reg.id,
                "name": reg.full_name,
                "profile": reg.profile,
                "mode": reg.mode,
                "status": status,
                "detail": detail,
                "seats": seats.get(reg.id, []),
                "inside": bool(seen and seen.inside),
                "last_entry_at": isoformat(seen.last_entry_at) if seen else None,
            }
        )
    return {
        "checkpoint": checkpoint_json(cp),
        "version": _millis(now - SYNC_OVERLAP),
        "since": _millis(since) if since else None,
        "full": since is None,
        "server_time": isoformat(now),
        "hash": {"algorithm": "HMAC-SHA256", "key": key.hex(), "length": HASH_CHARS},
        "count": len(entries),
        "entries": entries,
    }


def _quarter(moment: datetime, tz: str) -> datetime:
    moment = local(moment, tz)
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def per_quarter_hour(arrivals: list[datetime], tz: str) -> list[dict[str, Any]]:
    """First arrivals per quarter hour (local time), with empty quarters filled in."""
    if not arrivals:
        return []
    counts = Counter(_quarter(a, tz) for a in arrivals)
    start, end = min(counts), max(counts)
    result = []
    while start <= end:
        result.append({"start": start.isoformat(), "arrivals": counts.get(start, 0)})
        start = local(start + timedelta(minutes=15), tz)
    return result


def _expected_onsite(conf: Conference) -> set[int]:
    return set(
        db.session.scalars(
            select(Registration.id).where(
                Registration.conference_id == conf.id,
                Registration.status == "registered",
                Registration.mode == "onsite",
            )
        )
    )


def stats(conf: Conference, cp: Checkpoint) -> dict[str, Any]:
    """Expected, checked in, inside now and arrivals per quarter hour at a checkpoint."""
    holders = _holders(cp)
    expected = holders if holders is not None else _expected_onsite(conf)
    rows = db.session.execute(
        select(Presence.registration_id, Presence.first_entry_at, Presence.inside).where(
            Presence.conference_id == conf.id,
            Presence.checkpoint == cp.key,
            Presence.first_entry_at.is_not(None),
        )
    ).all()
    arrived = {row.registration_id for row in rows}
    flagged = db.session.scalar(
        select(func.count(Scan.id)).where(
            Scan.conference_id == conf.id, Scan.checkpoint == cp.key, Scan.flagged.is_(True)
        )
    )
    return {
        "checkpoint": cp.key,
        "expected": len(expected),
        "checked_in": len(arrived),
        "inside": sum(1 for row in rows if row.inside),
        "no_shows": len(expected - arrived),
        "flagged": flagged or 0,
        "per_quarter_hour": per_quarter_hour([row.first_entry_at for row in rows], conf.timezone),
    }


def activity_figures(conf: Conference) -> list[dict[str, Any]]:
    """Per activity checkpoint: expected, checked in, inside, no-shows (for the live page)."""
    provider = activity_checkpoints()
    if provider is None:
        return []
    presence: dict[str, list] = {}
    for row in db.session.execute(
        select(Presence.checkpoint, Presence.registration_id, Presence.inside).where(
            Presence.conference_id == conf.id,
            Presence.first_entry_at.is_not(None),
            Presence.checkpoint != ENTRANCE,
        )
    ):
        presence.setdefault(row.checkpoint, []).append(row)
    figures = []
    for cp in provider.checkpoints(conf):
        rows = presence.get(cp.key, [])
        arrived = {row.registration_id for row in rows}
        # Open activities (plenary, film) expect nobody in particular: no no-shows there.
        expected = provider.holder_ids(cp) if cp.seated else None
        figures.append(
            {
                "checkpoint": cp,
                "expected": len(expected) if expected is not None else None,
                "checked_in": len(arrived),
                "inside": sum(1 for row in rows if row.inside),
                "no_shows": len(expected - arrived) if expected is not None else None,
            }
        )
    return figures


def mask_email(email: str) -> str:
    """`j***@example.org`: enough to tell two namesakes apart at the desk."""
    name, _, domain = email.partition("@")
    return f"{name[:1]}***@{domain}"


def search(conf: Conference, cp: Checkpoint, query: str) -> list[dict[str, Any]]:
    """Registrations whose name or e-mail matches, with what an entry at `cp` would answer."""
    text = tidy_search(query).lower()
    if len(text) < 2:
        raise Invalid(fields={"q": _l("typ minstens 2 tekens")})
    full_name = func.lower(Registration.first_name + " " + Registration.last_name)
    email = func.lower(Registration.email)
    # Every word somewhere in the name or the address: "jans", "lotte jans", "jans lotte",
    # "@caw" and "lotte.j" all find Lotte Janssens <lotte.janssens@caw.be>.
    condition = and_(
        *(
            or_(full_name.contains(word, autoescape=True), email.contains(word, autoescape=True))
            for word in text.split()
        )
    )
    regs = db.session.scalars(
        select(Registration)
        .where(Registration.conference_id == conf.id, condition)
        .order_by(
            Registration.status == "canceled", Registration.last_name, Registration.first_name
        )
        .limit(SEARCH_LIMIT)
    ).all()
    ids = [r.id for r in regs]
    presence = {
        p.registration_id: p
        for p in db.session.scalars(
            select(Presence).where(
                Presence.checkpoint == cp.key, Presence.registration_id.in_(ids or [-1])
            )
        )
    }
    seats = seats_for(ids)
    holders = _holders(cp)
    results = []
    for reg in regs:
        status, detail = entry_status(reg, None, cp, holders)
        seen = presence.get(reg.id)
        results.append(
            {
                "registration_id": reg.id,
                "name": reg.full_name,
                "email": mask_email(reg.email),
                "organisation": reg.organisation,
                "profile": reg.profile,
                "mode": reg.mode,
                "status": status,
                "detail": detail,
                "has_ticket": reg.ticket is not None,
                "inside": bool(seen and seen.inside),
                "last_entry_at": isoformat(seen.last_entry_at) if seen else None,
                "seats": seats.get(reg.id, []),
            }
        )
    return results


def flagged_scans(conf: Conference, limit: int = 200) -> list[Scan]:
    """Forced scans that broke a rule (duplicates across offline devices), newest first."""
    return list(
        db.session.scalars(
            select(Scan)
            .where(Scan.conference_id == conf.id, Scan.flagged.is_(True))
            .order_by(Scan.scanned_at.desc())
            .limit(limit)
        )
    )


def entrance_stats(conf: Conference) -> dict[str, Any]:
    """Shortcut: the entrance figures."""
    return stats(conf, entrance_checkpoint(conf))
