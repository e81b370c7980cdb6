"""Broadcasts: one message to an audience, queued through the outbox once per person.

The organiser marks each broadcast as essential (practical information everyone must get) or as
news: a news broadcast leaves out the people who turned news off and carries the unsubscribe
footer (see conference/mail/policy.py).
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from conference import audit
from conference.backoffice.errors import AlreadySent
from conference.backoffice.models import AUDIENCES, Broadcast, BroadcastRecipient
from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import Invalid, NotFound
from conference.extensions import db
from conference.mail.outbox import queue_mail, render_mail
from conference.mail.policy import news_token, unsubscribe_url
from conference.models import Conference
from registration.models import Registration
from registration.questions.services import answer_options, registrations_answering
from sessions.programme.models import Activity
from sessions.seats.models import Seat, WaitlistEntry

AUDIENCE_LABELS = {
    "everyone": _l("Iedereen die ingeschreven is (ook wie wacht op een plaats)"),
    "onsite": _l("Iedereen die ter plaatse komt"),
    "online": _l("Iedereen die online volgt"),
    "activity_seats": _l("Wie een plaats heeft in één activiteit"),
    "venue_waitlist": _l("De wachtlijst voor een plaats ter plaatse"),
    "activity_waitlist": _l("De wachtlijst van één activiteit"),
}
NEEDS_ACTIVITY = ("activity_seats", "activity_waitlist")
KIND_LABELS = {
    "news": _l("Nieuws: wie zich afmeldde voor nieuwsberichten, krijgt het niet"),
    "essential": _l("Belangrijk: praktische informatie die iedereen moet krijgen"),
}


def audience_query(
    conf: Conference,
    audience: str,
    activity_id: int | None,
    *,
    news: bool = False,
    answer: str | None = None,
) -> Select:
    """The registrations a broadcast goes to (never canceled ones), each once, by name; for
    news, without the people who turned news off; with `answer` ("<question>:<answer>"), only
    those who gave that answer."""
    query = select(Registration).where(
        Registration.conference_id == conf.id,
        # Invited colleagues have not consented yet: no broadcast before they do.
        Registration.status.not_in(("canceled", "invited")),
    )
    if news:
        query = query.where(Registration.news_opt_out_at.is_(None))
    if audience == "onsite":
        query = query.where(Registration.status == "registered", Registration.mode == "onsite")
    elif audience == "online":
        query = query.where(Registration.status == "registered", Registration.mode == "online")
    elif audience == "venue_waitlist":
        query = query.where(Registration.venue_waitlisted_at.is_not(None))
    elif audience == "activity_seats":
        query = query.where(
            Registration.id.in_(select(Seat.registration_id).filter_by(activity_id=activity_id))
        )
    elif audience == "activity_waitlist":
        query = query.where(
            Registration.id.in_(
                select(WaitlistEntry.registration_id).where(
                    WaitlistEntry.activity_id == activity_id,
                    WaitlistEntry.status.in_(("waiting", "offered")),
                )
            )
        )
    elif audience != "everyone":
        raise Invalid(fields={"audience": _l("kies voor wie")})
    if answer:
        key, _sep, wanted = answer.partition(":")
        query = query.where(Registration.id.in_(registrations_answering(conf.id, key, wanted)))
    return query.order_by(Registration.last_name, Registration.first_name, Registration.id)


def audience_count(
    conf: Conference,
    audience: str,
    activity_id: int | None,
    *,
    news: bool = False,
    answer: str | None = None,
) -> int:
    """How many people an audience holds now (for news: who did not turn news off)."""
    query = audience_query(conf, audience, activity_id, news=news, answer=answer).order_by(None)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _check(conf: Conference, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    audience = data.get("audience")
    if audience not in AUDIENCES:
        errors["audience"] = _l("kies voor wie")
    activity_id = data.get("activity_id")
    if audience in NEEDS_ACTIVITY:
        act = db.session.get(Activity, activity_id) if activity_id else None
        if act is None or act.conference_id != conf.id:
            errors["activity"] = _l("kies een activiteit")
    else:
        activity_id = None
    answer = data.get("answer") or None
    if answer is not None and answer not in dict(answer_options(conf.id)):
        errors["answer"] = _l("kies een antwoord uit de lijst")
    subject = (data.get("subject") or "").strip()
    body = (data.get("body") or "").strip()
    if not subject:
        errors["subject"] = _l("vul een onderwerp in")
    if not body:
        errors["body"] = _l("schrijf een bericht")
    if errors:
        raise Invalid(fields=errors)
    return {
        "audience": audience,
        "activity_id": activity_id,
        "answer_filter": answer,
        "subject": subject[:200],
        "body": body,
        "subject_en": (data.get("subject_en") or "").strip()[:200] or None,
        "body_en": (data.get("body_en") or "").strip() or None,
        # News unless the organiser says it is essential: only what people need is forced on them.
        "essential": data.get("essential") is True,
    }


def save_draft(
    conf: Conference, data: dict[str, Any], *, actor: Any, broadcast_id: int | None = None
) -> Broadcast:
    """Create or change a draft (nothing is sent until `send`)."""
    values = _check(conf, data)
    with write_transaction(db.session) as session:
        if broadcast_id is None:
            broadcast = Broadcast(conference_id=conf.id, created_by_id=getattr(actor, "id", None))
            session.add(broadcast)
        else:
            broadcast = get(conf, broadcast_id)
            if broadcast.sent_at is not None:
                raise AlreadySent()
        for key, value in values.items():
            setattr(broadcast, key, value)
    return broadcast


def get(conf: Conference, broadcast_id: int) -> Broadcast:
    """One broadcast of this conference, or 404."""
    broadcast = db.session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.conference_id != conf.id:
        raise NotFound()
    return broadcast


def history(conf: Conference) -> list[Broadcast]:
    """Every broadcast, newest first."""
    return list(
        db.session.scalars(
            select(Broadcast).filter_by(conference_id=conf.id).order_by(Broadcast.created_at.desc())
        )
    )


def _texts(broadcast: Broadcast, language: str) -> tuple[str, str]:
    if language == "en" and broadcast.subject_en and broadcast.body_en:
        return broadcast.subject_en, broadcast.body_en
    return broadcast.subject, broadcast.body


def mail_context(
    conf: Any, broadcast: Any, reg: Any, language: str, unsubscribe: str | None = None
) -> dict:
    """What the `broadcast` mail template needs for one person (`unsubscribe`: the footer link
    of a news broadcast)."""
    subject, body = _texts(broadcast, language)
    paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    context = {
        "subject": subject,
        "paragraphs": paragraphs,
        "first_name": getattr(reg, "first_name", None),
        "conf_name": conf.name,
        "organiser": conf.organiser,
        "site_url": current_app.config["BASE_URL"],
    }
    if unsubscribe:
        context["unsubscribe_url"] = unsubscribe
    return context


def preview(conf: Conference, broadcast: Broadcast, language: str = "nl") -> tuple[str, str, str]:
    """Subject, text and HTML as the first person of the audience (or a sample name) gets it."""
    news = not broadcast.essential
    first = db.session.scalar(
        audience_query(
            conf, broadcast.audience, broadcast.activity_id, news=news,
            answer=broadcast.answer_filter,
        )
    )  # fmt: skip
    sample = first if first is not None else type("Sample", (), {"first_name": "Voornaam"})()
    # A sample link to nobody: the organiser sees the footer, not someone's own link.
    link = unsubscribe_url(news_token("r", 0), language) if news else None
    return render_mail("broadcast", language, mail_context(conf, broadcast, sample, language, link))


# Rendered once per language with these in place of the first name and the unsubscribe link,
# then filled in per person: a broadcast to 2,000 people renders its templates twice, not 6,000
# times.
NAME_MARK = "BROADCASTFIRSTNAME9d41"
LINK_MARK = "BROADCASTUNSUBSCRIBE9d41"


def _personal(
    conf: Conference, broadcast: Broadcast, reg: Any, language: str, cache: dict, token: str | None
) -> tuple[str, str, str]:
    """Subject, text and HTML for one person (`token`: their news token, None for essential)."""
    news = token is not None
    if language not in cache:
        sample = type("Sample", (), {"first_name": NAME_MARK})()
        cache[language] = render_mail(
            "broadcast",
            language,
            mail_context(conf, broadcast, sample, language, LINK_MARK if news else None),
        )
    subject, text, html = cache[language]
    if news:
        # The link first, the name last: a first name cannot smuggle in the link's mark.
        link = unsubscribe_url(token, language)
        text, html = text.replace(LINK_MARK, link), html.replace(LINK_MARK, str(escape(link)))
    name = reg.first_name or ""
    return subject, text.replace(NAME_MARK, name), html.replace(NAME_MARK, str(escape(name)))


def _claim(session: Session, broadcast: Broadcast, actor: Any) -> None:
    """Mark the broadcast sent with one conditional UPDATE: a double click sends it once."""
    claimed = session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id, Broadcast.sent_at.is_(None))
        .values(sent_at=utcnow(), sent_by_id=getattr(actor, "id", None))
    ).rowcount
    if not claimed:
        raise AlreadySent()
    session.refresh(broadcast)


def _queue_for(
    session: Session, conf: Conference, broadcast: Broadcast, reg: Registration, cache: dict
) -> BroadcastRecipient:
    """Queue one person's message; the recipient row that records it."""
    language = reg.language or "nl"
    token = news_token("r", reg.id) if not broadcast.essential else None
    message = queue_mail(
        to=reg.email,
        template="broadcast",
        language=language,
        context={},
        kind="broadcast",
        dedupe_key=f"broadcast:{broadcast.id}:{reg.id}",
        registration_id=reg.id,
        session=session,
        rendered=_personal(conf, broadcast, reg, language, cache, token),
        unsubscribe=token,
    )
    return BroadcastRecipient(
        broadcast_id=broadcast.id,
        registration_id=reg.id,
        email=reg.email,
        mail_message_id=message.id if message is not None else None,
    )


def send(conf: Conference, broadcast_id: int, *, actor: Any) -> int:
    """Queue the broadcast for its audience as it is now: one message per person, once."""
    broadcast = get(conf, broadcast_id)
    with write_transaction(db.session) as session:
        _claim(session, broadcast, actor)
        query = audience_query(
            conf, broadcast.audience, broadcast.activity_id, news=not broadcast.essential,
            answer=broadcast.answer_filter,
        )  # fmt: skip
        seen: set[str] = set()
        cache: dict[str, tuple[str, str, str]] = {}
        recipients: list[BroadcastRecipient] = []
        for reg in session.scalars(query).all():
            address = reg.email.lower()
            if address in seen:
                continue  # one message per address, even if two rows share it
            seen.add(address)
            recipients.append(_queue_for(session, conf, broadcast, reg, cache))
        # Added together at the end: one flush for all, not one per message.
        session.add_all(recipients)
        broadcast.recipient_count = count = len(recipients)
        audit.record(
            session,
            actor=actor,
            action="broadcast.send",
            target_type="broadcast",
            target_id=broadcast.id,
            after={
                "audience": broadcast.audience,
                "activity_id": broadcast.activity_id,
                "answer": broadcast.answer_filter,
                "subject": broadcast.subject,
                "essential": broadcast.essential,
                "recipients": count,
            },
        )
    return count


def names_of(registration_ids: list[int | None]) -> dict[int, str]:
    """The people's names by registration, so the organisers read names, not numbers."""
    ids = [i for i in registration_ids if i is not None]
    if not ids:
        return {}
    rows = db.session.scalars(select(Registration).where(Registration.id.in_(ids)))
    return {reg.id: reg.full_name for reg in rows}
