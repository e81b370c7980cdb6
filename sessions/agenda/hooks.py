"""The agenda plugs into the registration package (which must not import sessions).

Connected at app start by `sessions.setup` through `conference.hooks`:
- `GET /api/v1/me` gets `agenda_url` and `calendar_feed_url` (`me_links`);
- the personal data export lists follows and calendar links, never a token (`personal_data`);
- erasing a registration revokes its calendar links and drops its follows (`registration_erased`);
- the confirmation and allocation mails carry the person's `.ics` (`calendar_attachments`),
  drawn by the mail sender at delivery (`mail_attachment`, kind "ics").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from conference.clock import isoformat
from conference.extensions import db
from registration.models import Registration
from sessions.agenda.calendar import calendar_attachment
from sessions.agenda.feeds import feed_urls, revoke_feeds
from sessions.agenda.models import CalendarFeed, Follow
from sessions.agenda.services import external_url, in_write_transaction
from sessions.programme.models import Activity


def me_links(registration: Registration) -> dict[str, Any]:
    """Links for `GET /api/v1/me` (the feed link is made on first use, outside a write)."""
    urls = feed_urls(registration, create=not in_write_transaction())
    return {
        "agenda_url": external_url("sessions.agenda"),
        "calendar_feed_url": urls["feed_url"] if urls else None,
    }


def personal_data(registration: Registration) -> dict[str, Any]:
    """What the agenda keeps about a person, for their data export (no secrets)."""
    tz = registration.conference.timezone
    followed = db.session.execute(
        select(Activity.title, Follow.created_at)
        .join(Activity, Activity.id == Follow.activity_id)
        .where(Follow.registration_id == registration.id)
        .order_by(Follow.created_at)
    ).all()
    links = db.session.execute(
        select(CalendarFeed.created_at, CalendarFeed.revoked_at)
        .where(CalendarFeed.registration_id == registration.id)
        .order_by(CalendarFeed.id)
    ).all()
    return {
        "agenda": {
            "followed_streams": [
                {"title": title, "since": isoformat(at, tz)} for title, at in followed
            ],
            "calendar_links": [
                {"created_at": isoformat(made, tz), "revoked_at": isoformat(revoked, tz)}
                for made, revoked in links
            ],
        }
    }


def on_registration_erased(registration: Registration, *, session: Session, **_: Any) -> None:
    """Revoke the calendar links and forget the follows of an erased registration."""
    revoke_feeds(session, registration.id)
    session.execute(delete(Follow).where(Follow.registration_id == registration.id))


def calendar_files(registration_id: int) -> list[dict]:
    """The person's `.ics` for a mail to them (confirmation, allocation), drawn at delivery.

    Drawing it at delivery keeps it out of the registration's transaction (which holds the
    venue counter's lock) and makes the file current when the mail leaves.
    """
    return [calendar_attachment(registration_id)]
