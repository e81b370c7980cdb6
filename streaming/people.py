"""Streaming's part of the organisers' people screens: what a person followed online."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from conference.extensions import db
from registration.admin.sections import PersonSection
from registration.models import Registration
from sessions.programme.models import Activity
from streaming.models import StreamPresence


def person_sections(registration: Registration, **others: Any) -> list[PersonSection]:
    """Minutes followed online per activity, under the person's ticket scans."""
    rows = db.session.execute(
        select(Activity, StreamPresence.attended_seconds)
        .join(StreamPresence, StreamPresence.activity_id == Activity.id)
        .where(StreamPresence.registration_id == registration.id)
        .order_by(Activity.starts_at)
    ).all()
    online = [(act, seconds // 60) for act, seconds in rows]
    return [PersonSection("attendance", "streaming/person_online.html", {"online": online})]
