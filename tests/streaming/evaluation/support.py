"""Helpers of the evaluation tests: attend a part (door scan or stream), find its form."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from conference.extensions import db
from registration.checkin import services as checkin
from streaming import presence
from streaming.access import Viewer, seat_ids
from streaming.evaluation.models import DAY, Evaluation
from tests.factories import conference, give_seat
from tests.helpers import at


def scan_in(reg, act, checkpoint: str | None = None) -> None:
    """A door scan at the activity (or the entrance) ten minutes after its start."""
    if checkpoint is None:
        give_seat(reg, act)
    moment = at(act, 10)
    with time_machine.travel(moment, tick=False):
        db.session.commit()
        result = checkin.redeem(
            conference(), checkpoint=checkpoint or str(act.id), registration_id=reg.id,
            type="entry",
        )  # fmt: skip
    assert result.http_status < 300, result.body


def watch(reg, act, minutes: int) -> None:
    """Heartbeats every minute for `minutes` minutes of a live stream."""
    viewer = Viewer(user=reg.user, registration=reg, staff=False, seat_ids=seat_ids(reg))
    for minute in range(minutes + 1):
        presence.heartbeat(act.id, viewer, now=at(act, 5 + minute))
    db.session.commit()


def form_of(act=None) -> Evaluation:
    """The evaluation of an activity, or of the day."""
    target = DAY if act is None else str(act.id)
    return db.session.scalar(select(Evaluation).filter_by(target=target))


def after(act, minutes: float = 10):
    """A moment after the activity ended."""
    return act.ends_at + timedelta(minutes=minutes)


ANSWER = {"score": "s4", "meenemen": "Meer luisteren naar cliënten.", "opmerkingen": ""}
