"""Scheduled work: invite the people who attended to evaluate, once per person and form.

After a part of the day ends (and until its form closes) each attendee who has not answered
gets one mail in their own language. The outbox's dedupe key (form, person) makes a second run,
or a second scheduler at the same moment, add nothing; people whose attendance is recorded
later (an offline scanner syncing) are invited on a later run.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from conference.clock import utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.mail.outbox import queue_mail
from conference.models import Conference, MailMessage
from conference.services import current_conference
from registration.links import external_url
from registration.models import Registration
from streaming.evaluation.attendance import attendees
from streaming.evaluation.models import Evaluation, EvaluationResponder
from streaming.evaluation.services import ensure_evaluations, evaluations_of, title_of, window

BATCH = 200  # short write transactions: the mails of a plenary must not hold the database


def _to_invite(conf: Conference, ev: Evaluation, prefix: str) -> list[int]:
    """Attendees who neither answered nor were invited yet, by id."""
    answered = select(EvaluationResponder.registration_id).where(
        EvaluationResponder.evaluation_id == ev.id
    )
    invited = set(
        db.session.scalars(
            select(MailMessage.dedupe_key).where(MailMessage.dedupe_key.like(prefix + "%"))
        )
    )
    people = db.session.scalars(
        attendees(conf, ev).where(Registration.id.not_in(answered)).order_by(Registration.id)
    )
    return [i for i in people if f"{prefix}{i}" not in invited]


def _invite(conf: Conference, ev: Evaluation, ids: list[int], prefix: str) -> int:
    url = external_url("evaluation.answer", evaluation_id=ev.id)
    queued = 0
    for start in range(0, len(ids), BATCH):
        with write_transaction(db.session) as session:
            people = session.scalars(
                select(Registration).where(Registration.id.in_(ids[start : start + BATCH]))
            )
            for person in people:
                language = person.language or "nl"
                message = queue_mail(
                    to=person.email,
                    template="evaluation_invite",
                    language=language,
                    context={
                        "person": person,
                        "title": title_of(conf, ev, language),
                        "url": url,
                        "closes_at": window(conf, ev)[2],
                    },
                    kind="evaluation",
                    dedupe_key=f"{prefix}{person.id}",
                    registration_id=person.id,
                    session=session,
                )
                queued += message is not None
    return queued


def evaluation_invites(now: datetime | None = None) -> dict:
    """Mail each attendee of a part that ended the link to its evaluation, once."""
    now = now or utcnow()
    conf = current_conference(required=False)
    if conf is None:
        return {"evaluation_mails": 0, "forms": 0, "made": 0}
    with write_transaction(db.session) as session:
        made = ensure_evaluations(session, conf)  # activities added since the programme loaded
    queued = forms = 0
    for ev in evaluations_of(conf, active_only=True):
        _opens, ends, closes = window(conf, ev)
        if not ev.questions or not ends <= now < closes:
            continue
        forms += 1
        prefix = f"evaluation:{ev.id}:"
        queued += _invite(conf, ev, _to_invite(conf, ev, prefix), prefix)
    db.session.commit()
    return {"evaluation_mails": queued, "forms": forms, "made": made}
