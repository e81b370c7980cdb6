"""Check-in reads a standby refusal by its type (registration's errors), never by an error word."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conference.clock import utcnow
from conference.errors import Conflict
from conference.extensions import db
from registration.checkin import answers, checkpoints, holders, services
from registration.checkin.errors import NoFreeSeat, SeatedElsewhere
from registration.checkin.models import Presence
from registration.checkin.registry import Checkpoint
from tests.factories import conference, open_day, ticket_holder


class DoorWithoutSeats:
    """An activity door of a stand-in seats package whose standby answers `refusal`."""

    def __init__(self, refusal: Exception):
        self.refusal = refusal
        now = utcnow()
        self.checkpoint = Checkpoint(
            key="7",
            label="Workshop",
            label_en=None,
            kind="workshop",
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(hours=1),
            activity_id=7,
            seated=True,
            standby_from=now - timedelta(minutes=10),
        )

    def get(self, conference, activity_id):
        return self.checkpoint if activity_id == 7 else None

    def admits(self, checkpoint, registration):
        return False

    def seats_of(self, registration_ids):
        return {}

    def with_seats(self, query, registration_id):
        return query

    def seats_in(self, tails):
        return []

    def standby(self, session, checkpoint, registration, now):
        raise self.refusal


@pytest.fixture
def door(app, monkeypatch):
    """Swap the seats package's checkpoints for the stand-in, for one test."""
    open_day()

    def install(refusal: Exception) -> None:
        stand_in = DoorWithoutSeats(refusal)
        for module in (services, checkpoints, answers, holders):
            monkeypatch.setattr(module, "activity_checkpoints", lambda: stand_in)

    return install


@pytest.mark.parametrize(
    ("refusal", "detail"), [(NoFreeSeat(), "full"), (SeatedElsewhere(), "conflict")]
)
def test_a_typed_refusal_becomes_the_scans_detail(door, refusal, detail):
    door(refusal)
    _, ticket = ticket_holder()
    result = services.redeem(conference(), checkpoint="7", secret=ticket.secret, type="standby")
    assert result.http_status == 400
    assert (result.body["reason"], result.body["detail"]) == ("product", detail)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Presence)) == 0


def test_an_untyped_conflict_is_not_guessed_from_its_word(door):
    # A plain Conflict with the word "full" is not a standby refusal: it is not read as one.
    door(Conflict("vol", code="full"))
    _, ticket = ticket_holder()
    with pytest.raises(Conflict) as raised:
        services.redeem(conference(), checkpoint="7", secret=ticket.secret, type="standby")
    assert not isinstance(raised.value, NoFreeSeat)
