"""Mails of networking: a request and an acceptance, in the recipient's language.

They name the other person and their organisation, never an e-mail address: people answer and
meet through the site, so nobody's address reaches another attendee.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from conference.mail.outbox import queue_mail
from registration.links import external_url
from registration.models import Registration
from streaming.networking.links import video_url
from streaming.networking.models import Meeting


def queue_meeting_mail(
    session: Session, meeting: Meeting, to: Registration, other: Registration, template: str
) -> None:
    """Queue `templates/email/<template>.*` about a meeting for `to` (once per meeting)."""
    act = meeting.slot.activity
    queue_mail(
        to=to.email,
        template=template,
        language=to.language or "nl",
        context={
            "reg": to,
            "other": {"name": other.full_name, "organisation": other.organisation},
            "activity": act,
            "meeting": meeting,
            "join_url": video_url(meeting.room) if meeting.room else None,
            "page_url": external_url("networking.meetings_page"),
        },
        kind=template,
        dedupe_key=f"{template}:{meeting.id}",
        registration_id=to.id,
        session=session,
    )
