"""Meeting requests between visible colleagues at a networking moment, and their answers.

On site a meeting gets a numbered table: the slot's counter rises by one conditional UPDATE
(never past its tables, which also queues two acceptances on the slot's row) and the number is
UNIQUE per slot. Online it gets a video room with an unguessable name. A person's commitment per
slot is UNIQUE, so nobody is in two meetings (or a meeting and a table talk) at one moment.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference.clock import isoformat, utcnow
from conference.db import write_transaction
from conference.errors import Invalid, NotFound
from conference.extensions import db
from conference.validation import text_field
from registration.models import Registration
from streaming.networking.errors import Busy, NoTableFree, NotPending, WrongMode
from streaming.networking.links import video_url
from streaming.networking.mail import queue_meeting_mail
from streaming.networking.models import MEETING_MODES, Meeting, NetworkSlot, SlotCommitment
from streaming.networking.profiles import is_blocked, require_visible, visible_person
from streaming.networking.slots import get_slot, require_open

NOTE_MAX = 300


class _NoTable(Exception):
    """Raised inside the savepoint so it rolls back."""


def on_site(registration: Registration) -> bool:
    """Whether the person comes to the venue."""
    return registration.mode == "onsite" and registration.status == "registered"


def _mode(data: dict[str, Any], requester: Registration, invitee: Registration, slot) -> str:
    both_here = on_site(requester) and on_site(invitee)
    mode = data.get("mode")
    if mode is None:
        return "onsite" if both_here and slot.tables > 0 else "online"
    if mode not in MEETING_MODES:
        raise Invalid(fields={"mode": _l("kies ter plaatse of online")})
    if mode == "onsite" and not both_here:
        raise WrongMode()
    return mode


def request_meeting(requester: Registration, data: dict[str, Any]) -> Meeting:
    """Ask a visible colleague to meet at a slot; a blocked sender's request stays silent."""
    require_visible(requester)
    errors: dict[str, Any] = {}
    note = text_field(data.get("note"), "note", NOTE_MAX, errors, multiline=True)
    if errors:
        raise Invalid(fields=errors)
    conf = requester.conference
    with write_transaction(db.session) as session:
        invitee = visible_person(conf.id, data.get("with"), session)
        if invitee.id == requester.id:
            raise Invalid(fields={"with": _l("kies iemand anders dan jezelf")})
        slot = get_slot(conf, data.get("slot"), session)
        require_open(slot)
        mode = _mode(data, requester, invitee, slot)
        same = session.scalar(
            select(Meeting).filter_by(
                slot_id=slot.id,
                requester_id=requester.id,
                invitee_id=invitee.id,
                status="requested",
            )
        )
        if same is not None:  # asking twice changes nothing
            return same
        silenced = is_blocked(session, invitee.id, requester.id)
        meeting = Meeting(
            slot_id=slot.id,
            requester_id=requester.id,
            invitee_id=invitee.id,
            mode=mode,
            note=note,
            silenced=silenced,
        )
        session.add(meeting)
        session.flush()
        if not silenced:
            queue_meeting_mail(session, meeting, invitee, requester, "meeting_request")
    return meeting


def _pending_for(session: Session, invitee: Registration, meeting_id: int) -> Meeting:
    """The invitee's open request, locked (a silenced one does not exist for them)."""
    meeting = session.scalar(
        select(Meeting).filter_by(id=meeting_id).with_for_update(),
        execution_options={"populate_existing": True},
    )
    if meeting is None or meeting.invitee_id != invitee.id or meeting.silenced:
        raise NotFound(_l("Dat verzoek bestaat niet."))
    if meeting.status != "requested":
        raise NotPending()
    return meeting


def _commit_both(session: Session, meeting: Meeting) -> None:
    """One commitment per person and slot: a second meeting or table at that moment fails."""
    try:
        with session.begin_nested():
            session.add_all(
                SlotCommitment(
                    slot_id=meeting.slot_id,
                    registration_id=rid,
                    kind="meeting",
                    meeting_id=meeting.id,
                )
                for rid in (meeting.requester_id, meeting.invitee_id)
            )
            session.flush()
    except IntegrityError:
        raise Busy() from None


def _take_table(session: Session, slot: NetworkSlot) -> int:
    """Count a table taken (never past the slot's tables) and give the lowest free number."""
    try:
        with session.begin_nested():
            done = session.execute(
                update(NetworkSlot)
                .where(NetworkSlot.id == slot.id, NetworkSlot.tables_taken < NetworkSlot.tables)
                .values(tables_taken=NetworkSlot.tables_taken + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not done:
                raise _NoTable()
    except _NoTable:
        raise NoTableFree() from None
    # The UPDATE holds the slot's row, so no other acceptance numbers a table meanwhile; the
    # UNIQUE (slot, table) constraint stays the last word.
    used = set(
        session.scalars(
            select(Meeting.table_no).where(
                Meeting.slot_id == slot.id, Meeting.table_no.is_not(None)
            )
        )
    )
    number = next((n for n in range(1, slot.tables + 1) if n not in used), None)
    if number is None:
        raise NoTableFree()
    return number


def accept(invitee: Registration, meeting_id: int) -> Meeting:
    """Accept a request: a table on site or a video room online; both agendas show it."""
    with write_transaction(db.session) as session:
        meeting = _pending_for(session, invitee, meeting_id)
        slot = meeting.slot
        require_open(slot)
        requester = meeting.requester
        if requester.status != "registered":
            raise NotPending()
        if meeting.mode == "onsite" and not (on_site(requester) and on_site(invitee)):
            raise WrongMode()
        _commit_both(session, meeting)
        if meeting.mode == "onsite":
            meeting.table_no = _take_table(session, slot)
        else:
            meeting.room = "swc-" + secrets.token_urlsafe(16)  # 128 random bits
        meeting.status, meeting.answered_at = "accepted", utcnow()
        try:
            session.flush()
        except IntegrityError:
            raise NoTableFree() from None
        queue_meeting_mail(session, meeting, requester, invitee, "meeting_accepted")
    return meeting


def decline(invitee: Registration, meeting_id: int) -> Meeting:
    """Decline a request (the sender sees it declined; no mail)."""
    with write_transaction(db.session) as session:
        meeting = _pending_for(session, invitee, meeting_id)
        meeting.status, meeting.answered_at = "declined", utcnow()
    return meeting


def end_meeting(session: Session, meeting: Meeting) -> None:
    """Cancel a meeting inside the caller's transaction: its table and commitments go free."""
    if meeting.status == "accepted":
        session.execute(delete(SlotCommitment).filter_by(meeting_id=meeting.id))
        if meeting.table_no is not None:
            session.execute(
                update(NetworkSlot)
                .where(NetworkSlot.id == meeting.slot_id)
                .values(tables_taken=NetworkSlot.tables_taken - 1)
                .execution_options(synchronize_session=False)
            )
    meeting.status, meeting.table_no, meeting.answered_at = "canceled", None, utcnow()


def cancel(person: Registration, meeting_id: int) -> Meeting:
    """Withdraw a request or cancel an accepted meeting (either of the two may)."""
    with write_transaction(db.session) as session:
        meeting = session.scalar(select(Meeting).filter_by(id=meeting_id).with_for_update())
        mine = meeting is not None and (
            meeting.requester_id == person.id
            or (meeting.invitee_id == person.id and not meeting.silenced)
        )
        if not mine:
            raise NotFound(_l("Die afspraak bestaat niet."))
        if meeting.status not in ("requested", "accepted"):
            raise NotPending()
        end_meeting(session, meeting)
    return meeting


def meetings_of(person: Registration) -> list[Meeting]:
    """Every meeting the person sent, and those they received (never a silenced one)."""
    return list(
        db.session.scalars(
            select(Meeting)
            .where(
                or_(
                    Meeting.requester_id == person.id,
                    and_(Meeting.invitee_id == person.id, Meeting.silenced.is_(False)),
                )
            )
            .order_by(Meeting.created_at.desc(), Meeting.id.desc())
        )
    )


def meeting_json(meeting: Meeting, viewer: Registration, tz: str) -> dict[str, Any]:
    """A meeting as one of the two sees it: the other's name, never an address."""
    mine = meeting.requester_id == viewer.id
    other = meeting.invitee if mine else meeting.requester
    act = meeting.slot.activity
    body: dict[str, Any] = {
        "id": meeting.id,
        "slot": meeting.slot_id,
        "direction": "sent" if mine else "received",
        "with": {"id": other.id, "name": other.full_name, "organisation": other.organisation},
        "mode": meeting.mode,
        # A silenced request looks to its sender like one that waits for an answer.
        "status": meeting.status,
        "note": meeting.note,
        "starts_at": isoformat(act.starts_at, tz),
        "ends_at": isoformat(act.ends_at, tz),
    }
    if meeting.status == "accepted":
        if meeting.table_no is not None:
            body["table"] = meeting.table_no
            body["location"] = act.place
        if meeting.room:
            body["join_url"] = video_url(meeting.room)
    return body
