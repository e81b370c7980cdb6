"""The invitation mail: in the language the coordinator chose, with the single-use link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from conference.mail.outbox import queue_mail
from conference.models import Conference
from registration.colleagues.models import ColleagueInvitation
from registration.links import external_url
from registration.models import Registration


def notify_invitation(
    session: Session,
    conf: Conference,
    invitation: ColleagueInvitation,
    colleague: Registration,
    coordinator_name: str | None,
    raw_token: str,
) -> None:
    """Queue the invitation (or its resend) to the colleague, inside the caller's transaction."""
    language = colleague.language
    name = conf.name_en if language == "en" and conf.name_en else conf.name
    hold: datetime | None = invitation.hold_expires_at
    queue_mail(
        to=colleague.email,
        template="colleague_invitation",
        language=language,
        context={
            "conf": conf,
            "conf_name": name,
            "mail_language": language,
            "first_name": colleague.first_name,
            "coordinator": coordinator_name,
            "mode": colleague.mode,
            "hold_expires_at": hold,
            "confirm_url": external_url("registration.colleague_confirm", token=raw_token),
        },
        kind="colleague_invitation",
        # One mail per sending: the first and each resend have their own key.
        dedupe_key=f"colleague_invitation:{invitation.id}:{invitation.sent_count}",
        registration_id=colleague.id,
        session=session,
    )
