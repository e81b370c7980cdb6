"""The reconfirmation's mails: the question, the reminder, and what became of the place.

Each kind goes once per registration (the outbox's dedupe key), in the person's language,
queued in the transaction that makes the change (DESIGN.md §4.7).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from conference.mail.outbox import queue_mail
from conference.models import Conference
from registration.models import Registration
from registration.reconfirm.links import answer_urls
from registration.reconfirm.models import Reconfirmation

KINDS = ("reconfirm", "reconfirm_reminder", "reconfirm_released", "reconfirm_declined")


def queue(
    session: Session, conf: Conference, reg: Registration, row: Reconfirmation, kind: str
) -> None:
    """Queue one of the `KINDS` for `reg`, once."""
    name = conf.name_en if reg.language == "en" and conf.name_en else conf.name
    context = {"conf": conf, "conf_name": name, "mail_language": reg.language,
               "first_name": reg.first_name, "closes_at": conf.reconfirm_closes_at,
               **answer_urls(reg.id, row.link_id)}  # fmt: skip
    queue_mail(to=reg.email, template=kind, language=reg.language, context=context, kind=kind,
               dedupe_key=f"{kind}:{reg.id}", registration_id=reg.id, session=session)  # fmt: skip
