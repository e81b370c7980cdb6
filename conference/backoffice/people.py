"""People: search, a person's whole file, and organiser actions that call the owners' services.

The registration services take no actor. So that each action's audit entry still commits in the
same transaction as the change, `audited()` hooks the session's commit of the service's write
transaction and adds the entry there (or nothing, if the service wrote nothing or failed).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, event, func, or_, select
from sqlalchemy.orm import Session

from conference import audit
from conference.db import _write_intent
from conference.errors import NotFound
from conference.extensions import db
from conference.models import AuditEntry, Conference, MailMessage
from registration import services as registration_services
from registration.account.login_links import request_login_link
from registration.models import Registration, Ticket
from sessions.programme.models import Activity, Block
from sessions.seats.models import Preference, Seat, WaitlistEntry

SNAPSHOT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "organisation",
    "profile",
    "sector",
    "mode",
    "status",
    "language",
    "accessibility_needs",
    "diet",
    "holds_venue_place",
    "venue_waitlisted_at",
)
EDIT_FIELDS = (
    "first_name",
    "last_name",
    "organisation",
    "profile",
    "sector",
    "language",
    "accessibility_needs",
    "diet",
)


@dataclass
class Filters:
    """A people search: free text plus filters."""

    q: str = ""
    mode: str = ""
    status: str = ""
    profile: str = ""
    activity: int | None = None

    @property
    def empty(self) -> bool:
        """Whether nothing narrows the search."""
        return not (self.q or self.mode or self.status or self.profile or self.activity)


ACCENTED = "áàâäãåéèêëíìîïóòôöõúùûüýÿçñ"
PLAIN = "aaaaaaeeeeiiiiooooouuuuyycn"


def fold(text: str) -> str:
    """Lower case without accents: 'Élise' and 'elise' match."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _folded(column: Any) -> Any:
    """The column folded like `fold()`, in SQL (a registered function on SQLite)."""
    value = func.coalesce(column, "")
    if db.engine.dialect.name == "sqlite":
        return func.bo_fold(value)
    return func.translate(func.lower(value), ACCENTED, PLAIN)


def register_sql_functions(engine: Any) -> None:
    """Give every SQLite connection the `bo_fold` function the people search uses."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _add_fold(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.create_function(
            "bo_fold", 1, lambda v: fold(v) if isinstance(v, str) else v, deterministic=True
        )


def search_query(conf: Conference, f: Filters) -> Select:
    """Registrations matching every word of `q` (name, e-mail, organisation) and the filters."""
    query = select(Registration).where(Registration.conference_id == conf.id)
    columns = (
        Registration.first_name,
        Registration.last_name,
        Registration.email,
        Registration.organisation,
    )
    for word in fold(f.q).split()[:6]:
        query = query.where(or_(*(_folded(c).contains(word, autoescape=True) for c in columns)))
    if f.mode:
        query = query.where(Registration.mode == f.mode)
    if f.status:
        query = query.where(Registration.status == f.status)
    if f.profile:
        query = query.where(Registration.profile == f.profile)
    if f.activity:
        query = query.where(
            Registration.id.in_(select(Seat.registration_id).filter_by(activity_id=f.activity))
        )
    return query.order_by(Registration.last_name, Registration.first_name, Registration.id)


def get_person(conf: Conference, registration_id: int) -> Registration:
    """A registration of this conference, or 404."""
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg.conference_id != conf.id:
        raise NotFound()
    return reg


@dataclass
class PersonFile:
    """Everything the organisers know about a person."""

    registration: Registration
    seats: list[tuple[Seat, Activity]]
    waiting: list[tuple[WaitlistEntry, Activity]]
    preferences: list[tuple[Block, list[tuple[int, Activity]]]]
    tickets: list[Ticket]
    scans: list[Any]
    online: list[tuple[Activity, int]]
    mails: list[MailMessage]
    history: list[AuditEntry]
    venue_position: int | None = None
    notes: list[str] = field(default_factory=list)


def person_file(conf: Conference, registration_id: int) -> PersonFile:
    """A person's registration, seats, choices, tickets, scans, online presence, mails, history."""
    reg = get_person(conf, registration_id)
    seats = db.session.execute(
        select(Seat, Activity)
        .join(Activity, Activity.id == Seat.activity_id)
        .where(Seat.registration_id == reg.id)
        .order_by(Activity.starts_at)
    ).all()
    waiting = db.session.execute(
        select(WaitlistEntry, Activity)
        .join(Activity, Activity.id == WaitlistEntry.activity_id)
        .where(WaitlistEntry.registration_id == reg.id)
        .order_by(WaitlistEntry.created_at)
    ).all()
    prefs = db.session.execute(
        select(Preference, Block, Activity)
        .join(Block, Block.id == Preference.block_id)
        .join(Activity, Activity.id == Preference.activity_id)
        .where(Preference.registration_id == reg.id)
        .order_by(Block.starts_at, Preference.rank)
    ).all()
    by_block: dict[int, tuple[Block, list[tuple[int, Activity]]]] = {}
    for pref, block, act in prefs:
        by_block.setdefault(block.id, (block, []))[1].append((pref.rank, act))
    mails = db.session.scalars(
        select(MailMessage)
        .where(MailMessage.registration_id == reg.id)
        .order_by(MailMessage.created_at.desc())
        .limit(100)
    ).all()
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == "registration", AuditEntry.target_id == str(reg.id))
        .order_by(AuditEntry.created_at.desc())
        .limit(100)
    ).all()
    result = PersonFile(
        registration=reg,
        seats=[(s, a) for s, a in seats],
        waiting=[(w, a) for w, a in waiting],
        preferences=list(by_block.values()),
        tickets=list(reg.tickets),
        scans=_scans(reg),
        online=_online(reg),
        mails=list(mails),
        history=list(history),
    )
    try:
        from registration.venue import waiting_position

        result.venue_position = waiting_position(db.session, reg)
    except Exception:  # optional detail; never let it break the page
        db.session.rollback()
    return result


def _scans(reg: Registration) -> list[Any]:
    try:
        from registration.checkin.models import Scan
    except ImportError:
        return []
    return list(
        db.session.scalars(
            select(Scan).where(Scan.registration_id == reg.id).order_by(Scan.scanned_at.desc())
        )
    )


def _online(reg: Registration) -> list[tuple[Activity, int]]:
    try:
        from streaming.models import StreamPresence
    except ImportError:
        return []
    rows = db.session.execute(
        select(Activity, StreamPresence.attended_seconds)
        .join(StreamPresence, StreamPresence.activity_id == Activity.id)
        .where(StreamPresence.registration_id == reg.id)
        .order_by(Activity.starts_at)
    ).all()
    return [(act, seconds // 60) for act, seconds in rows]


# --- actions -------------------------------------------------------------------------------


def snapshot(registration_id: int) -> dict[str, Any]:
    """The audited fields of a registration as the current transaction sees them."""
    reg = db.session.get(Registration, registration_id, populate_existing=True)
    if reg is None:
        return {}
    values = {name: getattr(reg, name) for name in SNAPSHOT_FIELDS}
    values["ticket_id"] = db.session.scalar(
        select(Ticket.id).where(Ticket.registration_id == reg.id, Ticket.status == "active")
    )
    return values


@contextmanager
def audited(
    *,
    actor: Any,
    action: str,
    target_id: Callable[[], Any] | Any,
    state: Callable[[], dict[str, Any]],
    reason: str | None = None,
    always: bool = False,
) -> Iterator[None]:
    """Add one audit entry to the commit of the next write transaction (the service's)."""
    session: Session = db.session()

    def target() -> Any:
        return target_id() if callable(target_id) else target_id

    before = state() if target() is not None else {}
    done = False

    def on_commit(sess: Session) -> None:
        nonlocal done
        # Only the service's write transaction: not a read snapshot it ends, nor a savepoint.
        if done or not _write_intent.get() or sess.in_nested_transaction():
            return
        done = True
        after = state()
        old, new = audit.changed(audit.jsonable(before), audit.jsonable(after))
        if new or always:
            audit.record(
                sess,
                actor=actor,
                action=action,
                target_type="registration",
                target_id=target(),
                before=(old or None) if before else None,
                after=new or None,
                reason=reason,
            )

    event.listen(session, "before_commit", on_commit)
    try:
        yield
    finally:
        event.remove(session, "before_commit", on_commit)


def edit_person(
    reg_id: int, data: dict[str, Any], *, actor: Any, reason: str | None = None
) -> None:
    """Change a person's data through the registration service."""
    changes = {k: v for k, v in data.items() if k in EDIT_FIELDS}
    with audited(
        actor=actor,
        action="registration.edit",
        target_id=reg_id,
        state=lambda: snapshot(reg_id),
        reason=reason,
    ):
        registration_services.update_registration(reg_id, changes)


def change_mode(reg_id: int, mode: str, *, actor: Any, reason: str | None = None) -> str | None:
    """On site <-> online through the registration service (venue cap and waiting list apply)."""
    with audited(
        actor=actor,
        action="registration.mode",
        target_id=reg_id,
        state=lambda: snapshot(reg_id),
        reason=reason,
    ):
        return registration_services.update_registration(reg_id, {"mode": mode})


def cancel_person(reg_id: int, *, actor: Any, reason: str | None = None) -> bool:
    """Cancel a registration through the registration service (seats and place are freed)."""
    with audited(
        actor=actor,
        action="registration.cancel",
        target_id=reg_id,
        state=lambda: snapshot(reg_id),
        reason=reason,
    ):
        return registration_services.cancel_registration(reg_id)


def reissue_ticket(reg_id: int, *, actor: Any, reason: str | None = None) -> Ticket:
    """Revoke the ticket and send a new one, through the registration service."""
    with audited(
        actor=actor,
        action="registration.reissue_ticket",
        target_id=reg_id,
        state=lambda: snapshot(reg_id),
        reason=reason,
    ):
        return registration_services.reissue_ticket(reg_id)


def send_login_link(reg: Registration, *, actor: Any) -> bool:
    """Mail the person a login link to their personal page (the registration service's)."""
    reg_id = reg.id
    with audited(
        actor=actor,
        action="registration.send_login_link",
        target_id=reg_id,
        state=dict,
        always=True,
    ):
        return request_login_link(reg.email)


def resend_confirmation(reg: Registration, *, actor: Any) -> int:
    """Mail the confirmation again through the registration service, audited."""
    from registration.services import resend_confirmation as resend

    reg_id = reg.id
    with audited(
        actor=actor,
        action="registration.resend_confirmation",
        target_id=reg_id,
        state=dict,
        always=True,
    ):
        return resend(reg_id)


def move_seat(
    reg_id: int, activity_id: int, *, actor: Any, override: bool = False, reason: str | None = None
) -> Seat:
    """Move a person to an activity with the seats engineer's capacity-checked move (it audits)."""
    from sessions.seats.services import move_person

    return move_person(
        reg_id, activity_id, actor_id=actor.id, override=override, reason=reason or None
    )


def register_by_hand(
    data: dict[str, Any], *, venue_choice: str | None, actor: Any, reason: str | None = None
) -> Any:
    """Register someone who phoned in, through the registration service."""
    email = (data.get("email") or "").strip().lower()

    def find() -> Any:
        return db.session.scalar(
            select(Registration.id).where(
                Registration.email == email, Registration.status != "canceled"
            )
        )

    def state() -> dict[str, Any]:
        reg_id = find()
        return snapshot(reg_id) if reg_id else {}

    with audited(
        actor=actor,
        action="registration.create_by_organiser",
        target_id=find,
        state=state,
        reason=reason,
    ):
        return registration_services.register(
            data, venue_choice=venue_choice, language=data.get("language") or "nl"
        )
