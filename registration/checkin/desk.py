"""The help desk: revoke a lost or broken ticket and issue a new one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from conference import audit
from conference.db import write_transaction
from conference.errors import Conflict, NotFound
from conference.extensions import db
from conference.models import Conference, User
from registration.models import Registration, Ticket
from registration.tickets import reissue_ticket


def reissue_ticket_at_desk(conf: Conference, registration_id: int, staff: User | None) -> Ticket:
    """Help desk: revoke the person's ticket and make a new one with a fresh secret."""
    with write_transaction(db.session) as session:
        reg = session.get(Registration, registration_id, with_for_update=True)
        if reg is None or reg.conference_id != conf.id:
            raise NotFound()
        if reg.status == "canceled":
            raise Conflict(_l("Deze inschrijving is geannuleerd."), code="canceled")
        if reg.mode != "onsite":
            raise Conflict(_l("Alleen wie ter plaatse komt, krijgt een ticket."), code="wrong_mode")
        old = reg.ticket
        # The registration package owns tickets; its reissue revokes the old one here.
        ticket = reissue_ticket(session, reg)
        audit.record(
            session,
            actor=staff,
            action="ticket.reissue",
            target_type="registration",
            target_id=reg.id,
            before={"ticket_id": old.id if old else None},
            after={"ticket_id": ticket.id},
            reason="help desk",
        )
    return ticket
