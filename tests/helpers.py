"""Helpers for the tests' requests and reads: headers, logins, times, and fresh counts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from conference.extensions import db
from conference.models import AuditEntry, Conference, MailMessage, User
from registration.contingents.models import Contingent, ContingentUse
from registration.models import Registration
from sessions.programme.models import Activity
from sessions.seats.models import Seat, SeatBlock, WaitlistEntry
from tests.factories import conference, fresh


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def login(client, who: str | User | Registration = "organiser") -> None:
    """Log the test client in: a staff role through the staff login page, or an account (a
    person's) straight into the session cookie, as Flask-Login leaves it after a login."""
    if isinstance(who, str):
        response = client.post(
            "/beheer/login", data={"email": f"{who}@example.org", "password": f"wachtwoord-{who}"}
        )
        assert response.status_code == 302, response.status_code
        return
    user = who.user if isinstance(who, Registration) else who
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def at(act: Activity, minutes: float = 0) -> datetime:
    """A moment relative to an activity's start."""
    return act.starts_at + timedelta(minutes=minutes)


def ticket_url(secret: str) -> str:
    """The URL the QR code carries."""
    return f"http://127.0.0.1:5000/t/{secret}"


def view_roles(app, endpoint: str) -> tuple[str, ...] | None:
    """The roles a view declares (through its decorators), or None for a public view."""
    view = app.view_functions[endpoint]
    while view is not None:
        roles = getattr(view, "required_roles", None)
        if roles is not None:
            return roles
        view = getattr(view, "__wrapped__", None)
    return None


# --- reads, fresh ----------------------------------------------------------------------------


def audit_entries(action: str | None = None) -> list[AuditEntry]:
    """Audit entries, oldest first, read fresh."""
    fresh()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.filter_by(action=action)
    return list(db.session.scalars(query))


def mails(kind: str) -> list[MailMessage]:
    """Queued mails of a kind, oldest first, read fresh."""
    fresh()
    return list(
        db.session.scalars(select(MailMessage).filter_by(kind=kind).order_by(MailMessage.id))
    )


def _count(query) -> int:
    return int(db.session.scalar(query) or 0)


def counts(activity_id: int) -> dict[str, int]:
    """taken, seats, open offers, people waiting, seat-block rows of one activity (fresh)."""
    fresh()
    act = db.session.get(Activity, activity_id)
    entries = select(func.count()).select_from(WaitlistEntry)
    return {
        "taken": act.taken,
        "capacity": act.capacity,
        "seats": _count(select(func.count()).select_from(Seat).filter_by(activity_id=activity_id)),
        "offered": _count(entries.filter_by(activity_id=activity_id, status="offered")),
        "waiting": _count(entries.filter_by(activity_id=activity_id, status="waiting")),
        "blocks": _count(
            select(func.count())
            .select_from(SeatBlock)
            .join(Seat, Seat.id == SeatBlock.seat_id)
            .where(Seat.activity_id == activity_id)
        ),
    }


def assert_consistent(activity_id: int) -> dict[str, int]:
    """The seat counter equals seats plus reserved offers and never passes the capacity."""
    c = counts(activity_id)
    assert c["taken"] == c["seats"] + c["offered"], c
    if c["capacity"] is not None:
        assert c["taken"] <= c["capacity"], c
    return c


def holders(conf: Conference | None = None) -> int:
    """Registrations holding an on-site place."""
    conf = conf or conference()
    return db.session.scalar(
        select(func.count()).where(
            Registration.conference_id == conf.id, Registration.holds_venue_place.is_(True)
        )
    )


def waiting(conf: Conference | None = None) -> list[Registration]:
    """The venue waiting list without places, in order."""
    conf = conf or conference()
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.conference_id == conf.id,
                Registration.status != "canceled",
                Registration.venue_waitlisted_at.is_not(None),
                Registration.holds_venue_place.is_(False),
            )
            .order_by(Registration.venue_waitlisted_at, Registration.id)
        )
    )


def contingent_blocks(conf: Conference) -> int:
    """On-site places set aside for partners: the unused places of unreleased contingents."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Contingent.places - Contingent.used), 0)).where(
            Contingent.conference_id == conf.id, Contingent.released_at.is_(None)
        )
    )


def _active_uses(*where) -> int:
    return db.session.scalar(
        select(func.count()).where(ContingentUse.returned_at.is_(None), *where)
    )


def assert_contingents_match(conf: Conference) -> None:
    """Each contingent's and code's counter equals its use rows, within their limits."""
    for row in db.session.scalars(select(Contingent).filter_by(conference_id=conf.id)):
        used = _active_uses(ContingentUse.contingent_id == row.id)
        assert row.used == used <= row.places, (row.name, row.used, used)
        for code in row.codes:
            uses = _active_uses(ContingentUse.code_id == code.id)
            assert code.uses == uses <= code.max_uses, (row.name, code.number, code.uses, uses)


def assert_counters_match() -> Conference:
    """The venue counter equals the rows holding a place plus the places held for contingents,
    within the cap; every contingent's counters equal their rows."""
    conf = conference()
    assert_contingents_match(conf)
    held, blocks = holders(conf), contingent_blocks(conf)
    assert conf.onsite_taken == held + blocks, (conf.onsite_taken, held, blocks)
    assert 0 <= conf.onsite_taken <= conf.onsite_capacity
    return conf


MANAGE_LINK = re.compile(r"https?://[^/\s]+(/mijn-inschrijving/link/[A-Za-z0-9_-]+)")


def manage_path(registration_id: int) -> str:
    """The path of the personal link in the newest mail to a registration that has one."""
    db.session.rollback()
    found_in = db.session.scalars(
        select(MailMessage)
        .where(MailMessage.registration_id == registration_id)
        .order_by(MailMessage.id.desc())
    )
    for mail in found_in:
        if found := MANAGE_LINK.search(mail.body_text):
            return found.group(1)
    raise AssertionError(f"no mail with a personal link for registration {registration_id}")
