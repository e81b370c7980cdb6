"""The registration's guess: the rows are written for the outcome the venue counter last gave in
this process (no read of the counter), and a wrong guess is corrected in the same transaction:
row, ticket and the one confirmation mail always match what the conditional UPDATE decided."""

from __future__ import annotations

import sqlalchemy as sa

from conference.extensions import db
from conference.models import Conference, MailMessage
from registration.models import Registration, Ticket
from tests.factories import person, set_venue
from tests.helpers import assert_counters_match

REGISTER = "/api/v1/registrations"


def _register(client, i: int, **extra) -> tuple[int, dict]:
    response = client.post(REGISTER, json=person(i, **extra))
    db.session.rollback()
    return response.status_code, response.get_json()


def _state(reg_id: int) -> tuple[str, bool, int, list[str]]:
    """Status, place held, live tickets, and the subjects of the person's confirmation mails."""
    reg = db.session.get(Registration, reg_id)
    live = sa.select(sa.func.count()).where(Ticket.registration_id == reg_id)
    tickets = db.session.scalar(live.where(Ticket.status == "active"))
    mail_rows = db.session.scalars(
        sa.select(MailMessage.body_text).where(MailMessage.registration_id == reg_id)
    ).all()
    return reg.status, reg.holds_venue_place, tickets, list(mail_rows)


def test_a_place_that_came_free_after_a_full_venue_is_given_and_the_rows_corrected(any_db_app):
    client = any_db_app.test_client()
    set_venue(onsite_capacity=1, onsite_taken=0)
    assert _register(client, 1)[0] == 201
    status, body = _register(client, 2)  # full: this process now guesses "waiting list"
    assert (status, body["status"], body["venue_waitlist"]) == (201, "waitlisted", True)
    # A place comes free behind this process's back (another process, an organiser).
    db.session.execute(sa.update(Conference).values(onsite_capacity=Conference.onsite_capacity + 1))
    db.session.commit()
    status, body = _register(client, 3)
    assert (status, body["status"], body["venue_waitlist"]) == (201, "registered", False)
    assert "ticket_url" in body
    reg_status, holds, tickets, texts = _state(body["id"])
    assert (reg_status, holds, tickets, len(texts)) == ("registered", True, 1, 1)
    assert body["ticket_url"].rsplit("/", 1)[-1] in texts[0]  # the mail carries the ticket
    assert_counters_match()


def test_a_full_venue_after_a_free_one_puts_the_next_person_on_the_waiting_list(any_db_app):
    client = any_db_app.test_client()
    set_venue(onsite_capacity=2, onsite_taken=0)
    assert _register(client, 1)[1]["status"] == "registered"  # the guess is now "a place"
    # The last place goes behind this process's back.
    db.session.execute(sa.update(Conference).values(onsite_taken=Conference.onsite_taken + 1))
    db.session.commit()
    status, body = _register(client, 2)
    assert (status, body["status"], body["venue_waitlist"]) == (201, "waitlisted", True)
    assert "ticket_url" not in body
    reg_status, holds, tickets, texts = _state(body["id"])
    assert (reg_status, holds, tickets, len(texts)) == ("waitlisted", False, 0, 1)
    # Without the waiting list the answer is 409 and nothing is kept.
    status, body = _register(client, 3, waitlist_ok=False)
    assert (status, body["error"]) == (409, "venue_full")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 2
