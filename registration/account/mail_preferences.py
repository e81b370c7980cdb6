"""News preferences: turn non-essential mail off (by the link in a mail, or one click in the mail
client) and back on (from the same link or the personal page).

Which mails are news is decided in `conference/mail_policy.py`; essential mails always go. The
preference of an attendee is kept on their registration, that of a staff member (who gets the
organisers' notices) on their account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from conference.clock import utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.mail.policy import news_token, read_news_token
from conference.models import User
from registration.models import Registration


@dataclass(frozen=True)
class Subscriber:
    """The person behind an unsubscribe link, as the page shows them."""

    target: str
    ident: int
    email: str
    language: str
    opted_out: bool


def registration_token(reg: Registration) -> str:
    """The unsubscribe token of an attendee's news mails."""
    return news_token("r", reg.id)


def _model(target: str):
    return Registration if target == "r" else User


def subscriber(token: str) -> Subscriber | None:
    """The person a token names, or None when the token is not valid or they no longer exist."""
    named = read_news_token(token)
    if named is None:
        return None
    target, ident = named
    row = db.session.get(_model(target), ident, populate_existing=True)
    if row is None or (target == "r" and row.anonymized_at is not None):
        return None
    return Subscriber(
        target=target,
        ident=ident,
        email=row.email,
        language=row.language or "nl",
        opted_out=row.news_opt_out_at is not None,
    )


def _set(target: str, ident: int, wanted: bool, now: datetime) -> None:
    model = _model(target)
    with write_transaction(db.session) as session:
        # Conditional: the first opt-out moment is kept, and a repeat changes nothing.
        column = model.news_opt_out_at
        condition = column.isnot(None) if wanted else column.is_(None)
        session.execute(
            update(model)
            .where(model.id == ident, condition)
            .values(news_opt_out_at=None if wanted else now)
            .execution_options(synchronize_session=False)
        )


def set_news(token: str, wanted: bool, now: datetime | None = None) -> Subscriber | None:
    """Turn news on or off for the person behind an unsubscribe token; None for a bad token."""
    person = subscriber(token)
    if person is None:
        return None
    _set(person.target, person.ident, wanted, now or utcnow())
    return subscriber(token)


def set_registration_news(registration_id: int, wanted: bool, now: datetime | None = None) -> None:
    """Turn news on or off from the personal page."""
    _set("r", registration_id, wanted, now or utcnow())


def news_opted_out(_target: str, *, ident: int) -> bool:
    """`hooks.news_opted_out` for "r" tokens: whether an attendee turned news off.

    An erased or unknown registration counts as off.
    """
    reg = db.session.get(Registration, ident)
    return reg is None or reg.anonymized_at is not None or reg.news_opt_out_at is not None


def masked_email(address: str) -> str:
    """An address as a page may show it to whoever holds the link: a***@example.be."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
