"""People: the search, and a person's whole file as the organisers see it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, event, false, func, or_, select
from sqlalchemy.engine import Engine

from conference import hooks
from conference.errors import NotFound
from conference.extensions import db
from conference.models import AuditEntry, Conference, MailMessage
from registration.admin.sections import PersonSection
from registration.checkin.models import Scan
from registration.models import Registration, Ticket
from registration.questions.services import registrations_answering
from registration.reconfirm import services as reconfirm
from registration.venue import waiting_position


@dataclass
class Filters:
    """A people search: free text plus filters."""

    q: str = ""
    mode: str = ""
    status: str = ""
    profile: str = ""
    activity: int | None = None
    answer: tuple[str, str] | None = None  # (question key, answer): registration.questions
    reconfirm: str = ""  # "unconfirmed": places kept without an answer after the deadline

    @property
    def empty(self) -> bool:
        """Whether nothing narrows the search."""
        narrowing = (
            self.q, self.mode, self.status, self.profile, self.activity, self.answer,
            self.reconfirm,
        )  # fmt: skip
        return not any(narrowing)


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


def register_sql_functions(engine: Engine) -> None:
    """Give every SQLite connection the `bo_fold` function the people search uses."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _add_fold(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.create_function(
            "bo_fold", 1, lambda v: fold(v) if isinstance(v, str) else v, deterministic=True
        )


def activity_choices(conf: Conference) -> list[tuple[str, str]]:
    """The activities the search can filter on, from the packages that own seats."""
    return hooks.gather(hooks.seated_activities, conf)


def _with_seat_in(activity_id: int) -> Any:
    """People with a seat in the activity (nobody, when no package keeps seats)."""
    holders = [q for q in hooks.collect(hooks.seat_holders, activity_id) if q is not None]
    if not holders:
        return false()
    return or_(*(Registration.id.in_(q) for q in holders))


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
        query = query.where(_with_seat_in(f.activity))
    if f.answer:
        query = query.where(Registration.id.in_(registrations_answering(conf.id, *f.answer)))
    if f.reconfirm == "unconfirmed":
        query = query.where(Registration.id.in_(reconfirm.unconfirmed_places(conf.id)))
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
    tickets: list[Ticket]
    scans: list[Scan]
    mails: list[MailMessage]
    history: list[AuditEntry]
    venue_position: int | None = None
    # The reconfirmation: asked, answered, or left unconfirmed after the deadline.
    reconfirm: dict[str, Any] | None = None
    # Seats, choices, online presence: drawn by the packages that own them.
    sections: list[PersonSection] = field(default_factory=list)


def person_file(
    conf: Conference, registration_id: int, forms: dict[str, Any] | None = None
) -> PersonFile:
    """A person's registration, tickets, scans, mails, history, and the higher packages' parts."""
    reg = get_person(conf, registration_id)
    mails = db.session.scalars(
        select(MailMessage)
        .where(MailMessage.registration_id == reg.id)
        .order_by(MailMessage.created_at.desc())
        .limit(100)
    )
    history = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == "registration", AuditEntry.target_id == str(reg.id))
        .order_by(AuditEntry.created_at.desc())
        .limit(100)
    )
    scans = db.session.scalars(
        select(Scan).where(Scan.registration_id == reg.id).order_by(Scan.scanned_at.desc())
    )
    return PersonFile(
        registration=reg,
        tickets=list(reg.tickets),
        scans=list(scans),
        mails=list(mails),
        history=list(history),
        venue_position=waiting_position(db.session, reg),
        reconfirm=reconfirm.summary(reg),
        sections=hooks.gather(hooks.person_sections, reg, conference=conf, forms=forms or {}),
    )
