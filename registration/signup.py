"""Registering: the hot path of a registration rush.

When registration opens, hundreds arrive at once, so this path is kept to about ten statements
and little Python: SQLAlchemy Core inserts instead of the unit of work, the conference read as
one narrow row, the confirmation rendered from a cache (see `notify.render_confirmation`). The
contended venue counter comes last, so its row lock is held for one UPDATE and the COMMIT.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import Invalid, NotFound
from conference.extensions import db
from conference.mail.outbox import add_new_mail
from conference.models import ApiToken, Conference, MailMessage, User, hash_token, new_token
from registration import notify
from registration.errors import AlreadyRegistered, RegistrationClosed, VenueFull
from registration.manage_links import UNPROVEN_LABEL, issue_manage_link
from registration.models import Registration, Ticket, full_name, new_ticket_secret
from registration.tickets import ticket_url
from registration.validation import VENUE_CHOICES, clean_registration
from registration.venue import take_counter

REGISTRATIONS = Registration.__table__
TICKETS = Ticket.__table__
USERS = User.__table__
# Statements built once: each call then only binds its values (the compiled SQL is cached).
INSERT_REGISTRATION = insert(REGISTRATIONS).returning(REGISTRATIONS.c.id)
INSERT_TOKEN = insert(ApiToken.__table__)
INSERT_TICKET = insert(TICKETS)
NEW_USER = {
    dialect: factory(USERS).on_conflict_do_nothing(index_elements=["email"]).returning(USERS.c.id)
    for dialect, factory in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
# The conference fields registering needs, read as one narrow row.
CONFERENCE_ROW = select(
    Conference.id,
    Conference.slug,
    Conference.name,
    Conference.name_en,
    Conference.starts_at,
    Conference.venue,
    Conference.registration_opens_at,
    Conference.registration_closes_at,
    Conference.onsite_capacity,
    Conference.onsite_taken,
    Conference.profile_quotas,
)


@dataclass(frozen=True)
class Registered:
    """What a new registration came to: for the API answer and the thank-you page."""

    id: int
    user_id: int
    status: str
    mode: str
    token: str
    ticket_url: str | None
    venue_waitlisted: bool
    new_user: bool


def _state(wants_onsite: bool, placed: bool, venue_choice: str | None) -> tuple[str, str, bool]:
    """(status, mode, waiting for a place) of a new registration."""
    if not wants_onsite:
        return "registered", "online", False
    if placed:
        return "registered", "onsite", False
    if venue_choice == "waitlist":
        return "waitlisted", "onsite", True
    if venue_choice == "online":
        return "registered", "online", False
    if venue_choice == "online_waitlist":
        return "registered", "online", True
    raise VenueFull()


@cache
def _conference_query(slug: str | None) -> Select:
    """The narrow conference read for a slug (None: the first), built once per slug."""
    query = CONFERENCE_ROW.where(Conference.slug == slug) if slug else CONFERENCE_ROW
    return query.order_by(Conference.id).limit(1)


def _conference(session: Session) -> Row:
    """The conference this app serves (CONFERENCE_SLUG, else the first), as a narrow row."""
    query = _conference_query(current_app.config.get("CONFERENCE_SLUG"))
    row = session.connection().execute(query).one_or_none()
    if row is None:
        raise NotFound()
    return row


def _attendee_user_id(session: Session, email: str, language: str, name: str) -> tuple[int, bool]:
    """The id of the attendee account of `email` (made now if new) and whether it is new.

    One INSERT … ON CONFLICT DO NOTHING: two registrations of one address at once make one
    account (the second waits for the first, then finds it).
    """
    conn = session.connection()
    new_id = conn.execute(
        NEW_USER[conn.dialect.name],
        {"email": email, "role": "attendee", "language": language, "name": name,
         "active": True, "session_version": 1, "created_at": utcnow()},
    ).scalar()  # fmt: skip
    if new_id is not None:
        return new_id, True
    user = session.scalar(select(User).filter_by(email=email))
    if user.role != "attendee":
        # A staff account cannot also be an attendee's. Answered as for any address already
        # registered, so registering tells nobody which addresses are staff accounts.
        raise AlreadyRegistered()
    user.language, user.name, user.active = language, name, True
    session.flush()
    return user.id, False


def register(
    data: dict[str, Any],
    *,
    venue_choice: str | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> Registered:
    """Register a person; on site takes a venue place or follows `venue_choice` when full.

    `venue_choice` is one of `waitlist`, `online`, `online_waitlist`; None makes a full venue
    raise `VenueFull` without writing anything (the form then asks what the person wants).
    """
    now = now or utcnow()
    raw_token = new_token()
    secret = new_ticket_secret()
    with write_transaction(db.session) as session:
        conf = _conference(session)
        # The window first: outside it the answer is "closed", whatever was sent.
        if not conf.registration_opens_at <= now < conf.registration_closes_at:
            raise RegistrationClosed()
        clean = clean_registration(data)
        if venue_choice is not None and venue_choice not in VENUE_CHOICES:
            raise Invalid(fields={"venue_choice": _l("Kies wat je wilt doen.")})
        language = clean.get("language") or language or "nl"
        wants_onsite = clean["mode"] == "onsite"
        name = full_name(clean["first_name"], clean["last_name"])
        # Guess the outcome from the counter as read now and prepare for it; the conditional
        # UPDATE below decides, and a wrong guess (only at the edge of full) is corrected.
        try:
            guess = _state(wants_onsite, conf.onsite_taken < conf.onsite_capacity, venue_choice)
        except VenueFull:
            guess = _state(wants_onsite, True, venue_choice)
        user_id, new_user = _attendee_user_id(session, clean["email"], language, name)
        placed_guess = guess[:2] == ("registered", "onsite")
        conn = session.connection()
        try:
            reg_id = conn.execute(
                INSERT_REGISTRATION,
                {
                    "conference_id": conf.id, "user_id": user_id, "email": clean["email"],
                    "first_name": clean["first_name"], "last_name": clean["last_name"],
                    "organisation": clean.get("organisation"), "profile": clean["profile"],
                    "sector": clean.get("sector"), "mode": guess[1], "status": guess[0],
                    "language": language,
                    "accessibility_needs": clean.get("accessibility_needs"),
                    "diet": clean.get("diet"), "consent_at": now,
                    "waitlist_ok": clean.get("waitlist_ok", True),
                    "holds_venue_place": placed_guess,
                    "venue_waitlisted_at": now if guess[2] else None,
                    "created_at": now, "updated_at": now,
                },
            ).scalar_one()  # fmt: skip
        except IntegrityError as exc:  # the partial UNIQUE index: one active per e-mail
            raise AlreadyRegistered() from exc
        # The mail's manage link opens a session; the API token is for this caller alone.
        link_token = issue_manage_link(session, user_id, now)
        conn.execute(
            INSERT_TOKEN,
            {"user_id": user_id, "token_hash": hash_token(raw_token), "kind": "attendee",
             "label": UNPROVEN_LABEL, "created_at": now},
        )  # fmt: skip

        def prepare(state: tuple[str, str, bool]) -> int:
            """The ticket (when placed) and the confirmation mail for `state`; the mail's id."""
            with_ticket = state[:2] == ("registered", "onsite")
            if with_ticket:
                conn.execute(
                    INSERT_TICKET,
                    {"registration_id": reg_id, "secret": secret, "status": "active",
                     "created_at": now},
                )  # fmt: skip
            info = {"first_name": clean["first_name"], "full_name": name, "status": state[0],
                    "mode": state[1], "waiting": state[2]}  # fmt: skip
            rendered, attachments = notify.render_confirmation(
                conf, info, language, link_token, secret if with_ticket else None
            )
            return add_new_mail(
                session,
                to=clean["email"],
                kind="registration_confirmation",
                rendered=rendered,
                dedupe_key=f"confirmation:{reg_id}",
                registration_id=reg_id,
                attachments=[*attachments, *extras],
            )

        extras = notify.confirmation_attachments(reg_id)
        mail_id = prepare(guess)
        # The venue counter last: its row lock is held only from here to the COMMIT.
        placed = wants_onsite and take_counter(session, conf, clean["profile"], now, reg_id)
        final = _state(wants_onsite, placed, venue_choice)
        if final != guess or placed != placed_guess:
            # The venue changed between the guess and the UPDATE: fix the rows and the mail.
            session.execute(
                update(REGISTRATIONS)
                .where(REGISTRATIONS.c.id == reg_id)
                .values(
                    holds_venue_place=placed, status=final[0], mode=final[1],
                    venue_waitlisted_at=now if final[2] else None,
                )
            )  # fmt: skip
            session.execute(delete(TICKETS).where(TICKETS.c.registration_id == reg_id))
            session.execute(delete(MailMessage.__table__).where(MailMessage.id == mail_id))
            prepare(final)
        return Registered(
            id=reg_id,
            user_id=user_id,
            status=final[0],
            mode=final[1],
            token=raw_token,
            ticket_url=ticket_url(secret) if final[:2] == ("registered", "onsite") else None,
            venue_waitlisted=final[2],
            new_user=new_user,
        )
