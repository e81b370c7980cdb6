"""Check-in use cases: redeem a ticket at a checkpoint, and online presence as a check-in.

A scan goes through named steps: check the request, find the ticket, decide (the rules of
`admission`, then the presence row), record the scan, answer. Checkpoints and secret hashing
live in `checkpoints.py`, the ticket's holder in `holders.py`, presence rows in `presence.py`,
the answer's words in `answers.py`; a lost ticket is replaced by
`registration.services.reissue_ticket`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference import live
from conference.auth import TokenCaller
from conference.clock import utcnow
from conference.db import dialect_insert, write_transaction
from conference.errors import Invalid, NotFound
from conference.extensions import db
from conference.models import Conference, User
from conference.validation import parse_time
from registration.checkin.answers import RedeemResult, answer
from registration.checkin.checkpoints import resolve_checkpoint
from registration.checkin.errors import NonceReused, StandbyRefused
from registration.checkin.holders import Holder, find_holder
from registration.checkin.models import Presence, Scan
from registration.checkin.presence import enter, leave
from registration.checkin.registry import ENTRANCE, Checkpoint, activity_checkpoints
from registration.checkin.updates import ALL_ARRIVALS, arrivals_topic
from registration.models import Registration

# A device clock further ahead than this is refused (offline scans can only be in the past).
CLOCK_SKEW = timedelta(minutes=5)
SCAN_TYPES = ("entry", "exit", "standby")
# The audit log's reason for a ticket replaced at the help desk (the API and the scanner page).
DESK_REASON = "help desk"


@dataclass(frozen=True)
class ScanRequest:
    """One scan as a device (or the help desk) sent it, checked."""

    conference_id: int
    checkpoint: Checkpoint
    secret: Any
    registration_id: int | None
    type: str
    nonce: str | None
    at: datetime  # when the device scanned
    now: datetime  # when the server records it
    force: bool
    staff_id: int | None
    device: str | None


def parse_scan_time(value: Any, now: datetime) -> datetime:
    """The device's scan time (default: now); a time in the future is refused."""
    if value in (None, ""):
        return now
    moment = parse_time(value, "scanned_at")
    if moment > now + CLOCK_SKEW:
        raise Invalid(fields={"scanned_at": _l("dit tijdstip ligt in de toekomst")})
    return moment


def _field_errors(
    type: Any, nonce: Any, device: Any, force: Any, secret: Any, registration_id: Any
) -> dict[str, Any]:
    """What is wrong with the fields of a scan (empty when nothing)."""
    errors: dict[str, Any] = {}
    if type not in SCAN_TYPES:
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
    return errors


def redeem(
    conf: Any,
    *,
    checkpoint: Any,
    secret: Any = None,
    registration_id: Any = None,
    type: str = "entry",
    nonce: str | None = None,
    scanned_at: Any = None,
    force: bool = False,
    staff: User | TokenCaller | None = None,
    device: str | None = None,
) -> RedeemResult:
    """Check a ticket (or, at the help desk, a registration) in or out at a checkpoint.

    `conf` is the conference row or its snapshot (`conference.snapshot`).
    """
    errors = _field_errors(type, nonce, device, force, secret, registration_id)
    if errors:
        raise Invalid(fields=errors)
    cp = resolve_checkpoint(conf, checkpoint)
    if type == "standby" and cp.key == ENTRANCE:
        raise Invalid(fields={"type": _l("standby kan alleen aan de deur van een activiteit")})
    now = utcnow()
    # Read before the write transaction: its start ends this request's read snapshot.
    request = ScanRequest(
        conference_id=conf.id,
        checkpoint=cp,
        secret=secret,
        registration_id=registration_id,
        type=type,
        nonce=nonce,
        at=parse_scan_time(scanned_at, now),
        now=now,
        force=force,
        staff_id=staff.id if staff is not None else None,
        device=device,
    )
    try:
        with write_transaction(db.session) as session:
            return _record(session, request)
    except IntegrityError:
        replayed = _replay(db.session, nonce, request.conference_id) if nonce is not None else None
        if replayed is None:
            raise
        return replayed


INSERT_SCAN = insert(Scan.__table__).returning(Scan.__table__.c.id)


@dataclass
class ScanDraft:
    """A scan's row before it is written (the columns of `Scan`), and its id after."""

    conference_id: int
    registration_id: int | None
    ticket_id: int | None
    checkpoint: str
    activity_id: int | None
    type: str
    method: str
    scanned_at: datetime
    recorded_at: datetime
    nonce: str | None
    staff_user_id: int | None
    device: str | None
    forced: bool
    status: str = "error"
    reason: str | None = None
    detail: str | None = None
    first_scan_at: datetime | None = None
    flagged: bool = False
    flag_reason: str | None = None
    id: int | None = None


def _record(session: Session, request: ScanRequest) -> RedeemResult:
    """Find the ticket, decide, record the scan and answer; in the caller's transaction."""
    holder, seats = find_holder(
        session, request.secret, request.registration_id, request.conference_id
    )
    scan = _new_scan(request, holder)
    if holder is None:
        scan.reason = "invalid"
        if request.force:
            scan.flagged, scan.flag_reason = True, "invalid"
    elif request.type == "exit":
        leave(session, holder, request.checkpoint, request.at, request.now)
        scan.status = "ok"
    else:
        _decide_entry(session, scan, holder, request)
    values = {name: value for name, value in vars(scan).items() if name != "id"}  # flat: no asdict
    # A nonce seen before fails here, and the whole transaction (presence too) rolls back.
    scan.id = session.connection().execute(INSERT_SCAN, values).scalar_one()
    live.mark(session, arrivals_topic(scan.checkpoint), ALL_ARRIVALS)
    if request.type == "standby":
        seats = None  # a seat may have been taken at the door: the answer reads them again
    return answer(scan, holder, request.checkpoint.label, seats)


def _new_scan(request: ScanRequest, holder: Holder | None) -> ScanDraft:
    """The scan's row, refused until a decision says otherwise."""
    return ScanDraft(
        conference_id=request.conference_id,
        registration_id=holder.id if holder else None,
        ticket_id=holder.ticket_id if holder else None,
        checkpoint=request.checkpoint.key,
        activity_id=request.checkpoint.activity_id,
        type=request.type,
        method="qr" if request.secret is not None else "manual",
        scanned_at=request.at,
        recorded_at=request.now,
        nonce=request.nonce,
        staff_user_id=request.staff_id,
        device=request.device,
        forced=request.force,
    )


def admission(
    reg: Holder, cp: Checkpoint, at: datetime, kind: str
) -> tuple[str | None, str | None]:
    """The rule an entry breaks, as (reason, detail), or (None, None)."""
    if reg.status == "canceled":
        return "canceled", None
    if reg.ticket_status == "revoked":
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
            return "product", _without_seat(cp, at, kind)
    return None, None


def _without_seat(cp: Checkpoint, at: datetime, kind: str) -> str:
    """The detail for a person without a seat at a seated door: standby, if it is open."""
    if kind != "standby":
        return "no_seat"
    if cp.standby_from is None:
        return "standby_off"
    return "standby" if cp.standby_open(at) else "standby_closed"


def _standby(
    session: Session, holder: Holder, request: ScanRequest
) -> tuple[str | None, str | None]:
    """Seat a person waiting at the door: (None, None), or the refusal as (reason, detail)."""
    provider = activity_checkpoints()
    reg = session.get(Registration, holder.id)  # the seats need the row itself
    try:
        provider.standby(session, request.checkpoint, reg, request.now)
    except StandbyRefused as refused:
        return "product", refused.detail
    return None, None


def _decide_entry(session: Session, scan: ScanDraft, reg: Holder, request: ScanRequest) -> None:
    """Apply the rules and the presence row to an entry (or standby) scan."""
    cp, force = request.checkpoint, request.force
    reason, detail = admission(reg, cp, request.at, request.type)
    if (reason, detail) == ("product", "standby") and not force:
        reason, detail = _standby(session, reg, request)
    if reason is not None and not force:
        scan.reason, scan.detail = reason, detail
        return
    open_entry = enter(session, reg, cp, request.at, request.now)
    if open_entry is not None and not force:
        scan.reason, scan.first_scan_at = "already_redeemed", open_entry
        return
    scan.status = "ok"
    if force and (reason is not None or open_entry is not None):
        # Let in by an offline device although a rule said no: keep it, show it to organisers.
        scan.flagged = True
        scan.flag_reason = reason or "already_redeemed"
        scan.first_scan_at = open_entry


def _replay(session: Session, nonce: str, conf_id: int) -> RedeemResult | None:
    """The answer recorded for a nonce, rebuilt; None if the nonce is new."""
    session.rollback()  # a fresh snapshot: the other upload has committed
    scan = session.scalar(select(Scan).where(Scan.nonce == nonce))
    if scan is None:
        return None
    if scan.conference_id != conf_id:
        raise NonceReused()
    label = scan.checkpoint
    conf = session.get(Conference, conf_id)
    with contextlib.suppress(Invalid):
        label = resolve_checkpoint(conf, scan.checkpoint).label
    return answer(scan, reg=scan.registration, cp_label=label)


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
    stmt = dialect_insert(session, Presence.__table__).values(
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
