"""Registering: the hot path of a registration rush.

When registration opens, hundreds arrive at once, so this path is kept to a few statements and
little Python: SQLAlchemy Core inserts built once (`signup_statements`; on PostgreSQL a new
account's rows are one statement), the conference and the organisers' questions cached per
process (`conference.snapshot`), the confirmation rendered from a cache (see
`notify.render_confirmation`). The contended venue counter comes last, so its row lock is held
for one UPDATE and the COMMIT: the rows before it are written for the outcome the counter last
gave in this process (`venue.room_likely`), and corrected in the rare case the UPDATE decides
otherwise (someone took the last place in between, or one came free).

The steps: validate, account, registration, venue place, ticket, mail (on the wire the venue
place comes after the ticket and the mail, for the short lock). With a partner's code the place
comes from the code's contingent instead of the venue counter (`contingent_place`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import Invalid
from conference.extensions import db
from conference.mail.outbox import add_new_mail
from conference.models import MailMessage, User, hash_token, new_token
from conference.snapshot import conference_settings
from registration import notify
from registration.contingents.places import take_with_code
from registration.draw.applying import draw_pending, hold_application
from registration.errors import AlreadyRegistered, RegistrationClosed, VenueFull
from registration.manage_links import UNPROVEN_LABEL, issue_manage_link, new_link_row
from registration.models import MODES, Registration, Ticket, full_name, new_ticket_secret
from registration.outcomes import Outcome, Registered
from registration.questions.services import check_answers, keep_answers
from registration.signup_statements import (
    INSERT_REGISTRATION,
    INSERT_TICKET,
    INSERT_TOKEN,
    NEW_ACCOUNT_ROWS,
    NEW_USER,
)
from registration.tickets import ticket_url
from registration.validation import VENUE_CHOICES, clean_registration
from registration.venue import room_likely, take_counter

REGISTRATIONS = Registration.__table__
TICKETS = Ticket.__table__


@dataclass
class Draft:
    """A registration being written: the validated input and what the steps made so far."""

    conf: Any  # the conference's snapshot (conference.snapshot)
    clean: dict[str, Any]
    language: str
    venue_choice: str | None
    now: datetime
    token: str = field(default_factory=new_token)
    secret: str = field(default_factory=new_ticket_secret)
    user_id: int = 0
    new_user: bool = False
    reg_id: int = 0
    link_token: str = ""
    # A partner's contingent code, as typed (see `contingent_place`).
    code: str | None = None
    answers: dict[Any, Any] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    ticket_written: bool = False  # with the registration's row (`signup_statements`)

    @property
    def wants_onsite(self) -> bool:
        """Whether the person asked for an on-site place."""
        return self.clean["mode"] == "onsite"

    @property
    def name(self) -> str:
        """The full name, as the account keeps it."""
        return full_name(self.clean["first_name"], self.clean["last_name"])


def _outcome(draft: Draft, placed: bool) -> Outcome:
    """The outcome when the venue did (`placed`) or did not give a place."""
    if not draft.wants_onsite:
        return Outcome("registered", "online", False)
    if placed:
        return Outcome("registered", "onsite", False)
    if draft.venue_choice == "waitlist":
        return Outcome("waitlisted", "onsite", True)
    if draft.venue_choice == "online":
        return Outcome("registered", "online", False)
    if draft.venue_choice == "online_waitlist":
        return Outcome("registered", "online", True)
    raise VenueFull()


# --- the steps -------------------------------------------------------------------------------


def validate(
    conf: Any, data: dict[str, Any], venue_choice: str | None, language: str | None, now: datetime
) -> Draft:
    """The window, then the fields: a draft of the registration."""
    # The window first: outside it the answer is "closed", whatever was sent.
    if not conf.registration_opens_at <= now < conf.registration_closes_at:
        raise RegistrationClosed()
    code = data.get("code") or None
    clean = clean_registration({k: v for k, v in data.items() if k not in ("code", "answers")})
    if venue_choice is not None and venue_choice not in VENUE_CHOICES:
        raise Invalid(fields={"venue_choice": _l("Kies wat je wilt doen.")})
    language = clean.get("language") or language or "nl"
    return Draft(
        conf=conf, clean=clean, language=language, venue_choice=venue_choice, now=now, code=code
    )


def answers(session: Session, conf: Any, data: dict[str, Any], invalid: Invalid | None) -> dict:
    """The answers to the organisers' questions for the mode asked (`registration.questions`).

    With `invalid` (the other fields were wrong), its messages and the answers' come together,
    so a form shows every problem at once.
    """
    mode = data.get("mode")
    try:
        found = check_answers(session, conf.id, data.get("answers"), mode) if mode in MODES else {}
    except Invalid as exc:
        raise Invalid(fields={**(invalid.fields if invalid else {}), **exc.fields}) from None
    if invalid is not None:
        raise invalid
    return found


# An on-site application for the venue draw: no place, no ticket, online access meanwhile.
APPLIED = Outcome("applied", "onsite", False)


def guess_outcome(draft: Draft) -> Outcome:
    """The outcome the venue counter suggests as read now (the conditional UPDATE decides)."""
    conf = draft.conf
    if draft.code is not None and draft.wants_onsite:
        return _outcome(draft, True)  # a code gives a place (outside any draw) or refuses
    if draft.wants_onsite and draw_pending(conf):
        return APPLIED
    try:
        return _outcome(draft, room_likely(conf.id, draft.clean["profile"]))
    except VenueFull:
        return _outcome(draft, True)


def one_statement(session: Session, draft: Draft, guess: Outcome) -> bool:
    """PostgreSQL: a new account with its registration, ways in and ticket in one statement
    (`signup_statements`); False when the address has an account (nothing written) or on
    SQLite, where the steps below write them one by one."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return False
    draft.link_token, link = new_link_row(0, draft.now)  # its account is the new one
    params = {
        **{f"reg_{name}": value for name, value in registration_row(draft, guess).items()},
        **{f"user_{name}": value for name, value in account_row(draft).items()},
        "link_hash": link["token_hash"], "link_expires_at": link["expires_at"],
        "token_hash": hash_token(draft.token), "ticket_secret": draft.secret,
    }  # fmt: skip
    try:
        row = conn.execute(NEW_ACCOUNT_ROWS[guess.placed], params).first()
    except IntegrityError as exc:  # the partial UNIQUE index: one active per e-mail
        raise AlreadyRegistered() from exc
    if row is None:
        return False
    draft.reg_id, draft.user_id = row
    draft.new_user, draft.ticket_written = True, guess.placed
    return True


def account_row(draft: Draft) -> dict[str, Any]:
    """A new attendee account's row (`USER_COLUMNS`)."""
    return {
        "email": draft.clean["email"], "role": "attendee", "language": draft.language,
        "name": draft.name, "active": True, "session_version": 1, "created_at": utcnow(),
    }  # fmt: skip


def account(session: Session, draft: Draft) -> None:
    """The attendee account of the e-mail address, made now if new.

    One INSERT … ON CONFLICT DO NOTHING: two registrations of one address at once make one
    account (the second waits for the first, then finds it).
    """
    conn = session.connection()
    new_id = conn.execute(NEW_USER[conn.dialect.name], account_row(draft)).scalar()
    if new_id is not None:
        draft.user_id, draft.new_user = new_id, True
        return
    user = session.scalar(select(User).filter_by(email=draft.clean["email"]))
    if user.role != "attendee":
        # A staff account cannot also be an attendee's. Answered as for any address already
        # registered, so registering tells nobody which addresses are staff accounts.
        raise AlreadyRegistered()
    user.language, user.name, user.active = draft.language, draft.name, True
    session.flush()
    draft.user_id, draft.new_user = user.id, False


def registration_row(draft: Draft, guess: Outcome) -> dict[str, Any]:
    """The registration's row, written for the guessed outcome (`ROW_COLUMNS`)."""
    clean, now = draft.clean, draft.now
    return {
        "conference_id": draft.conf.id, "user_id": draft.user_id, "email": clean["email"],
        "first_name": clean["first_name"], "last_name": clean["last_name"],
        "organisation": clean.get("organisation"), "profile": clean["profile"],
        "sector": clean.get("sector"), "mode": guess.mode, "status": guess.status,
        "language": draft.language, "accessibility_needs": clean.get("accessibility_needs"),
        "diet": clean.get("diet"), "consent_at": now,
        "waitlist_ok": clean.get("waitlist_ok", True), "holds_venue_place": guess.placed,
        "venue_waitlisted_at": now if guess.waiting else None,
        "created_at": now, "updated_at": now,
    }  # fmt: skip


def registration(session: Session, draft: Draft, guess: Outcome) -> None:
    """The registration row (as guessed), its manage link and the caller's API token."""
    now, conn = draft.now, session.connection()
    try:
        draft.reg_id = conn.execute(
            INSERT_REGISTRATION, registration_row(draft, guess)
        ).scalar_one()
    except IntegrityError as exc:  # the partial UNIQUE index: one active per e-mail
        raise AlreadyRegistered() from exc
    # The mail's manage link opens a session; the API token is for this caller alone.
    draft.link_token = issue_manage_link(session, draft.user_id, now, new_account=draft.new_user)
    conn.execute(
        INSERT_TOKEN,
        {"user_id": draft.user_id, "token_hash": hash_token(draft.token), "kind": "attendee",
         "label": UNPROVEN_LABEL, "created_at": now},
    )  # fmt: skip


def application(session: Session, draft: Draft) -> bool:
    """In draw mode before the draw, hold an application instead of a place (the draw step)."""
    return (
        draft.wants_onsite and draw_pending(draft.conf) and hold_application(session, draft.conf.id)
    )


def venue_place(session: Session, draft: Draft) -> Outcome:
    """Take a place on the venue counter (last: its row lock lasts until the COMMIT)."""
    if application(session, draft):
        return APPLIED
    profile = draft.clean["profile"]
    placed = draft.wants_onsite and take_counter(
        session, draft.conf, profile, draft.now, draft.reg_id
    )
    return _outcome(draft, placed)


def contingent_place(session: Session, draft: Draft) -> Outcome | None:
    """With a code, on site: a place of the code's contingent, or CodeRefused; else None."""
    if draft.code is None or not draft.wants_onsite:
        return None
    take_with_code(session, draft.conf.id, draft.code, draft.reg_id, draft.now)
    return _outcome(draft, True)


def ticket(session: Session, draft: Draft, outcome: Outcome) -> None:
    """The ticket, for a confirmed on-site registration (unless written with its row)."""
    if outcome.placed and not draft.ticket_written:
        session.connection().execute(
            INSERT_TICKET,
            {"registration_id": draft.reg_id, "secret": draft.secret, "status": "active",
             "created_at": draft.now},
        )  # fmt: skip


def mail(session: Session, draft: Draft, outcome: Outcome) -> int:
    """The confirmation mail for `outcome`, queued in the outbox; the mail's id."""
    info = {"first_name": draft.clean["first_name"], "full_name": draft.name,
            "status": outcome.status, "mode": outcome.mode, "waiting": outcome.waiting}  # fmt: skip
    rendered, attachments = notify.render_confirmation(
        draft.conf, info, draft.language, draft.link_token, draft.secret if outcome.placed else None
    )
    return add_new_mail(
        session,
        to=draft.clean["email"],
        kind="registration_confirmation",
        rendered=rendered,
        dedupe_key=f"confirmation:{draft.reg_id}",
        registration_id=draft.reg_id,
        attachments=[*attachments, *draft.attachments],
    )


def correct(session: Session, draft: Draft, final: Outcome, mail_id: int) -> None:
    """The venue changed between the guess and the UPDATE: fix the row, ticket and mail."""
    session.execute(
        update(REGISTRATIONS)
        .where(REGISTRATIONS.c.id == draft.reg_id)
        .values(
            holds_venue_place=final.placed, status=final.status, mode=final.mode,
            venue_waitlisted_at=draft.now if final.waiting else None,
        )
    )  # fmt: skip
    session.execute(delete(TICKETS).where(TICKETS.c.registration_id == draft.reg_id))
    session.execute(delete(MailMessage.__table__).where(MailMessage.id == mail_id))
    draft.ticket_written = False
    ticket(session, draft, final)
    mail(session, draft, final)


# --- the use case ----------------------------------------------------------------------------


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
    with write_transaction(db.session) as session:
        return add_registration(
            session, data, venue_choice=venue_choice, language=language, now=now or utcnow()
        )


def add_registration(
    session: Session,
    data: dict[str, Any],
    *,
    venue_choice: str | None,
    language: str | None,
    now: datetime,
) -> Registered:
    """The steps of a registration, inside the caller's write transaction."""
    conf = conference_settings()
    try:
        draft = validate(conf, data, venue_choice, language, now)
    except Invalid as exc:
        answers(session, conf, data, exc)
        raise
    draft.answers = answers(session, conf, data, None)
    guess = guess_outcome(draft)
    if not one_statement(session, draft, guess):
        account(session, draft)
        registration(session, draft, guess)
    draft.attachments = notify.confirmation_attachments(draft.reg_id)
    keep_answers(session, draft.reg_id, draft.answers, now, new=True)
    # Written for the guess, so the counter's row lock below is held only until the COMMIT.
    ticket(session, draft, guess)
    mail_id = mail(session, draft, guess)
    final = contingent_place(session, draft) or venue_place(session, draft)
    if final != guess:
        correct(session, draft, final, mail_id)
    return Registered(
        id=draft.reg_id,
        user_id=draft.user_id,
        status=final.status,
        mode=final.mode,
        token=draft.token,
        ticket_url=ticket_url(draft.secret) if final.placed else None,
        venue_waitlisted=final.waiting,
        new_user=draft.new_user,
    )
