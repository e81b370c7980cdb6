"""Who a scan is about: the registration and ticket behind a code, read as one narrow row.

A scan by code reads the holder and their seats (from the sessions package, through
`registry.activity_checkpoints`) in one statement; the help desk's manual check-in by
registration id reads the ORM row, and its answer reads the seats apart.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from conference.validation import as_id
from registration.checkin.checkpoints import extract_secret
from registration.checkin.registry import ActivityCheckpoints, activity_checkpoints
from registration.models import Registration, Ticket, full_name


class Holder(NamedTuple):
    """The registration and ticket behind a scan, as one narrow row (no ORM objects)."""

    id: int
    conference_id: int
    first_name: str
    last_name: str
    mode: str
    profile: str
    status: str
    ticket_id: int | None
    ticket_status: str | None

    @property
    def full_name(self) -> str:
        """First and last name."""
        return full_name(self.first_name, self.last_name)


_HOLDER_COLUMNS = (
    *(getattr(Registration, name) for name in Holder._fields[:7]),
    Ticket.id.label("ticket_id"),
    Ticket.status.label("ticket_status"),
)
# Built once: a scan only binds its values (the compiled SQL is cached).
FIND_BY_SECRET = (
    select(*_HOLDER_COLUMNS)
    .select_from(Ticket)
    .join(Registration, Ticket.registration_id == Registration.id)
    .where(Ticket.secret == bindparam("secret"), Registration.conference_id == bindparam("conf"))
)


@lru_cache(maxsize=4)
def _find_with_seats(provider: ActivityCheckpoints | None) -> Select:
    """FIND_BY_SECRET with the holder's seats joined (one statement), built once per provider."""
    if provider is None:
        return FIND_BY_SECRET
    return provider.with_seats(FIND_BY_SECRET, Registration.id)


def find_holder(
    session: Session, secret: Any, registration_id: Any, conference_id: int
) -> tuple[Holder | None, list | None]:
    """The holder of a code or registration id (or None), and their seats if read with it."""
    if secret is not None:
        code = extract_secret(secret)
        if code is None:
            return None, None
        provider = activity_checkpoints()
        rows = (
            session.connection()
            .execute(_find_with_seats(provider), {"secret": code, "conf": conference_id})
            .all()
        )
        if not rows:
            return None, None
        width = len(Holder._fields)
        seats = provider.seats_in(row[width:] for row in rows) if provider is not None else []
        return Holder(*rows[0][:width]), seats
    # An id no row can have (2**63, say) finds nothing, as in the database it would fail.
    reg = session.get(Registration, registration_id) if as_id(registration_id) else None
    if reg is None or reg.conference_id != conference_id:
        return None, None
    ticket = reg.ticket
    values = [getattr(reg, name) for name in Holder._fields[:7]]
    return Holder(*values, ticket and ticket.id, ticket and ticket.status), None
