"""Scheduled job bodies of the seats: plain functions `job(now) -> dict` run by the scheduler."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from conference.extensions import db
from conference.services import current_conference
from sessions.seats.allocation.service import run_allocation, summary
from sessions.seats.models import AllocationRun
from sessions.seats.waitlist import expire_offers


def expire_seat_offers(now: datetime) -> dict:
    """Close waiting-list offers past their deadline; each seat goes to the next person."""
    return expire_offers(now)


def close_choice_window(now: datetime) -> dict:
    """Once the choice window has closed, run the allocation as a dry run (once per window).

    Organisers then review it, re-run with another seed if they like, and publish.
    """
    conf = current_conference(required=False)
    if (
        conf is None
        or conf.allocation_mode != "preferences"
        or conf.allocation_published_at is not None
        or conf.choice_closes_at is None
        or now < conf.choice_closes_at
    ):
        return {"ran": False}
    key = f"window-closed:{conf.id}:{conf.choice_closes_at.isoformat()}"
    if db.session.scalar(select(AllocationRun.id).filter_by(auto_key=key)):
        return {"ran": False, "reason": "already_ran"}
    try:
        run = run_allocation(conf, dry_run=True, trigger="window_closed", auto_key=key, now=now)
    except IntegrityError:  # another scheduler process ran it at the same moment
        db.session.rollback()
        return {"ran": False, "reason": "already_ran"}
    return {"ran": True, **summary(run)}
