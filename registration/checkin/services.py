"""Check-in use cases: redeem a ticket at a checkpoint, and online presence as a check-in.

Checkpoints and secret hashing live in `checkpoints.py`, the help desk in `desk.py`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference.clock import isoformat, utcnow
from conference.db import write_transaction
from conference.errors import Conflict, Invalid, NotFound
from conference.extensions import db
from conference.models import Conference, User
from conference.validation import as_id, parse_time
from registration.checkin.checkpoints import extract_secret, resolve_checkpoint
from registration.checkin.models import Presence, Scan
from registration.checkin.registry import ENTRANCE, Checkpoint, activity_checkpoints
from registration.models import Registration, Ticket

# A device clock further ahead than this is refused (offline scans can only be in the past).
CLOCK_SKEW = timedelta(minutes=5)

REASON_MESSAGES = {
    "invalid": _l("Onbekend ticket: deze code hoort bij geen enkele inschrijving."),
    "already_redeemed": _l("Al gescand: deze persoon is al binnen."),
    "canceled": _l("Deze inschrijving is geannuleerd."),
    "revoked": _l(
        "Dit ticket is vervangen door een nieuw ticket. Stuur de persoon naar de infobalie."
    ),
    "product": _l("Dit ticket geeft geen toegang tot deze plaats."),
    "invalid_time": _l("Deze controlepost is nu niet open."),
}
DETAIL_MESSAGES = {
    "online": _l("Deze persoon is online ingeschreven, niet ter plaatse."),
    "waitlisted": _l("Deze persoon staat nog op de wachtlijst voor een plaats ter plaatse."),
    "no_seat": _l("Deze persoon heeft geen plaats in deze activiteit."),
    "full": _l("Er is geen vrije plaats meer in deze activiteit."),
    "standby_closed": _l("Vrijgekomen plaatsen worden pas later uitgedeeld."),
    "standby_off": _l("Op deze conferentie worden plaatsen van wie niet kwam niet vrijgegeven."),
    "conflict": _l("Deze persoon zit al in een andere activiteit op hetzelfde moment."),
}


# --- participants ----------------------------------------------------------------------------


def seats_for(registration_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each registration's seats as the scanner shows them (empty without the sessions package)."""
    provider = activity_checkpoints()
    return provider.seats_of(registration_ids) if provider and registration_ids else {}


def participant_json(reg: Registration, seats: list[dict[str, Any]] | None = None) -> dict:
    """What a volunteer needs to see: name, mode, profile, seats; no e-mail, no secret."""
    if seats is None:
        seats = seats_for([reg.id]).get(reg.id, [])
    return {
        "id": reg.id,
        "name": reg.full_name,
        "mode": reg.mode,
        "profile": reg.profile,
        "status": reg.status,
        "seats": seats,
    }


# --- redeem ----------------------------------------------------------------------------------


@dataclass
class RedeemResult:
    """The answer to a scan: an HTTP status and the JSON body of API.md."""

    http_status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        """Whether the person may go in (or out)."""
        return self.body["status"] == "ok"


def _dialect_insert(session: Session, table):
    name = session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(table)


def _presence_where(reg_id: int, cp_key: str):
    return (Presence.registration_id == reg_id, Presence.checkpoint == cp_key)


def _enter(
    session: Session, reg: Registration, cp: Checkpoint, at: datetime, now
) -> datetime | None:
    """Mark the person inside; None if done, else the time of the entry that is still open.

    One statement: insert the (registration, checkpoint) row inside, or, if it exists, update it
    only WHERE it is not inside. Concurrent entries queue on the row, so exactly one wins.
    """
    table = Presence.__table__
    stmt = _dialect_insert(session, table).values(
        conference_id=reg.conference_id,
        registration_id=reg.id,
        checkpoint=cp.key,
        activity_id=cp.activity_id,
        inside=True,
        entries=1,
        exits=0,
        first_entry_at=at,
        last_entry_at=at,
        updated_at=now,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["registration_id", "checkpoint"],
        set_={
            "inside": True,
            "entries": table.c.entries + 1,
            # An offline scan uploaded late may be the earliest arrival.
            "first_entry_at": case(
                (table.c.first_entry_at.is_(None), at),
                (table.c.first_entry_at > at, at),
                else_=table.c.first_entry_at,
            ),
            "last_entry_at": at,
            "updated_at": now,
        },
        where=table.c.inside.is_(False),
    )
    # RETURNING, not rowcount: with an implicit RETURNING psycopg reports no rowcount.
    if session.execute(stmt.returning(table.c.id)).first() is not None:
        return None
    return session.scalar(select(Presence.last_entry_at).where(*_presence_where(reg.id, cp.key)))


def _exit(session: Session, reg: Registration, cp: Checkpoint, at: datetime, now) -> bool:
    """Mark the person outside; False when they were not inside (the exit is still recorded)."""
    result = session.execute(
        update(Presence)
        .where(*_presence_where(reg.id, cp.key), Presence.inside.is_(True))
        .values(inside=False, exits=Presence.exits + 1, last_exit_at=at, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _admission(reg: Registration, ticket: Ticket | None, cp: Checkpoint, at: datetime, kind: str):
    """The rule an entry breaks, as (reason, detail), or (None, None)."""
    if reg.status == "canceled":
        return "canceled", None
    if ticket is not None and ticket.status == "revoked":
        return "revoked", None
    if not cp.is_open(at):
        return "invalid_time", None
    if reg.mode != "onsite":
        return "product", "online"
    if reg.status != "registered":
        return "product", "waitlisted"
    if cp.key != ENTRANCE:
        provider = activity_checkpoints()
        if provider is None or not provider.admits(cp, reg):
            if kind != "standby":
                return "product", "no_seat"
            if cp.standby_from is None:
                return "product", "standby_off"
            return ("product", "standby") if cp.standby_open(at) else ("product", "standby_closed")
    return None, None


def _answer(scan: Scan, reg: Registration | None, cp_label: str) -> RedeemResult:
    """The API answer for a recorded scan; a nonce replay rebuilds exactly this."""
    body: dict[str, Any] = {"status": scan.status, "checkpoint": scan.checkpoint}
    if scan.status == "error":
        body["reason"] = scan.reason
        message = REASON_MESSAGES[scan.reason]
        if scan.detail in DETAIL_MESSAGES:
            message = DETAIL_MESSAGES[scan.detail]
        body["message"] = str(message)
        if scan.detail:
            body["detail"] = scan.detail
    if reg is not None:
        body["participant"] = participant_json(reg)
    if scan.first_scan_at is not None:
        body["first_scan_at"] = isoformat(scan.first_scan_at)
        if scan.reason == "already_redeemed" and scan.status == "error":
            body["message"] = str(
                _l(
                    "Al gescand om %(time)s: deze persoon is al binnen.",
                    time=format_time(scan.first_scan_at, "HH:mm"),
                )
            )
    body.update(
        checkpoint_label=cp_label,
        type=scan.type,
        scan_id=scan.id,
        scanned_at=isoformat(scan.scanned_at),
        forced=scan.forced,
        flagged=scan.flagged,
    )
    if scan.flagged:
        body["flag_reason"] = scan.flag_reason
    status = 201 if scan.status == "ok" else (404 if scan.reason == "invalid" else 400)
    return RedeemResult(status, body)


def _replay(session: Session, nonce: str, conf_id: int) -> RedeemResult | None:
    """The answer recorded for a nonce, rebuilt; None if the nonce is new."""
    session.rollback()  # a fresh snapshot: the other upload has committed
    scan = session.scalar(select(Scan).where(Scan.nonce == nonce))
    if scan is None:
        return None
    if scan.conference_id != conf_id:
        raise Conflict(_l("Deze nonce werd al gebruikt."), code="nonce_reused")
    label = scan.checkpoint
    conf = session.get(Conference, conf_id)
    with contextlib.suppress(Invalid):
        label = resolve_checkpoint(conf, scan.checkpoint).label
    return _answer(scan, scan.registration, label)


def parse_scan_time(value: Any, now: datetime) -> datetime:
    """The device's scan time (default: now); a time in the future is refused."""
    if value in (None, ""):
        return now
    moment = parse_time(value, "scanned_at")
    if moment > now + CLOCK_SKEW:
        raise Invalid(fields={"scanned_at": _l("dit tijdstip ligt in de toekomst")})
    return moment


def redeem(
    conf: Conference,
    *,
    checkpoint: Any,
    secret: Any = None,
    registration_id: Any = None,
    type: str = "entry",
    nonce: str | None = None,
    scanned_at: Any = None,
    force: bool = False,
    staff: User | None = None,
    device: str | None = None,
) -> RedeemResult:
    """Check a ticket (or, at the help desk, a registration) in or out at a checkpoint."""
    errors: dict[str, Any] = {}
    if type not in ("entry", "exit", "standby"):
        errors["type"] = _l("kies entry, exit of standby")
    if nonce is not None and (not isinstance(nonce, str) or not 1 <= len(nonce) <= 64):
        errors["nonce"] = _l("maximaal 64 tekens")
    if device is not None and (not isinstance(device, str) or len(device) > 64):
        errors["device"] = _l("maximaal 64 tekens")
    if not isinstance(force, bool):
        errors["force"] = _l("true of false")
    if (secret is None) == (registration_id is None):
        errors["secret"] = _l("geef de code van het ticket")
    if registration_id is not None and (
        not isinstance(registration_id, int) or isinstance(registration_id, bool)
    ):
        errors["registration_id"] = _l("geef een getal")
    if errors:
        raise Invalid(fields=errors)
    cp = resolve_checkpoint(conf, checkpoint)
    if type == "standby" and cp.key == ENTRANCE:
        raise Invalid(fields={"type": _l("standby kan alleen aan de deur van een activiteit")})
    now = utcnow()
    at = parse_scan_time(scanned_at, now)

    # Read before the write transaction: its start ends this request's read snapshot.
    conf_id, staff_id, label = conf.id, (staff.id if staff is not None else None), cp.label
    try:
        with write_transaction(db.session) as session:
            reg, ticket = _find(session, conf_id, secret, registration_id)
            scan = Scan(
                conference_id=conf_id,
                registration_id=reg.id if reg else None,
                ticket_id=ticket.id if ticket else None,
                checkpoint=cp.key,
                activity_id=cp.activity_id,
                type=type,
                method="qr" if secret is not None else "manual",
                status="error",
                scanned_at=at,
                recorded_at=now,
                nonce=nonce,
                staff_user_id=staff_id,
                device=device,
                forced=force,
            )
            if reg is None:
                scan.reason = "invalid"
                if force:
                    scan.flagged, scan.flag_reason = True, "invalid"
            elif type == "exit":
                _exit(session, reg, cp, at, now)
                scan.status = "ok"
            else:
                _decide_entry(session, scan, reg, ticket, cp, at, now, force)
            session.add(scan)
            # A nonce seen before fails here, and the whole transaction (presence too) rolls back.
            session.flush()
            return _answer(scan, reg, label)
    except IntegrityError:
        replayed = _replay(db.session, nonce, conf_id) if nonce is not None else None
        if replayed is None:
            raise
        return replayed


def _find(session: Session, conf_id: int, secret: Any, registration_id: Any):
    """The registration and ticket behind a scanned code or a registration id (or Nones)."""
    if secret is not None:
        code = extract_secret(secret)
        if code is None:
            return None, None
        row = session.execute(
            select(Registration, Ticket)
            .join(Registration, Ticket.registration_id == Registration.id)
            .where(Ticket.secret == code, Registration.conference_id == conf_id)
        ).first()
        return (row[0], row[1]) if row is not None else (None, None)
    # An id no row can have (2**63, say) finds nothing, as in the database it would fail.
    reg = session.get(Registration, registration_id) if as_id(registration_id) else None
    if reg is None or reg.conference_id != conf_id:
        return None, None
    return reg, reg.ticket


def _decide_entry(session, scan, reg, ticket, cp, at, now, force) -> None:
    reason, detail = _admission(reg, ticket, cp, at, scan.type)
    if reason == "product" and detail == "standby" and not force:
        provider = activity_checkpoints()
        try:
            provider.standby(session, cp, reg, now)
            reason, detail = None, None
        except Conflict as exc:
            detail = "conflict" if exc.code == "conflict" else "full"
    if reason is not None and not force:
        scan.reason, scan.detail = reason, detail
        return
    open_entry = _enter(session, reg, cp, at, now)
    if open_entry is not None and not force:
        scan.reason, scan.first_scan_at = "already_redeemed", open_entry
        return
    scan.status = "ok"
    if force and (reason is not None or open_entry is not None):
        # Let in by an offline device although a rule said no: keep it, show it to organisers.
        scan.flagged = True
        scan.flag_reason = reason or "already_redeemed"
        scan.first_scan_at = open_entry


# --- online presence (for the streaming package) ---------------------------------------------


def online_checkpoint_key(activity_id: int) -> str:
    """The checkpoint of an online activity."""
    return f"online:{activity_id}"


def record_online_presence(
    session: Session, registration_id: int, activity_id: int, at: datetime
) -> None:
    """Record online attendance as a check-in at `online:<activity_id>`; once per person."""
    conference_id = session.scalar(
        select(Registration.conference_id).where(Registration.id == registration_id)
    )
    if conference_id is None:
        raise NotFound()
    key = online_checkpoint_key(activity_id)
    stmt = _dialect_insert(session, Presence.__table__).values(
        conference_id=conference_id,
        registration_id=registration_id,
        checkpoint=key,
        activity_id=activity_id,
        inside=False,
        entries=1,
        exits=0,
        first_entry_at=at,
        last_entry_at=at,
        updated_at=utcnow(),
    )
    inserted = session.execute(
        stmt.on_conflict_do_nothing(index_elements=["registration_id", "checkpoint"]).returning(
            Presence.__table__.c.id
        )
    ).first()
    if inserted is None:
        return
    scan = Scan(
        conference_id=conference_id,
        registration_id=registration_id,
        checkpoint=key,
        activity_id=activity_id,
        type="entry",
        method="online",
        status="ok",
        scanned_at=at,
        recorded_at=utcnow(),
        nonce=f"{key}:{registration_id}",
    )
    try:
        with session.begin_nested():
            session.add(scan)
    except IntegrityError:
        pass
