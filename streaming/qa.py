"""Q&A: attendees ask and vote (once per person), moderators approve, hide, pin and answer."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from conference import live
from conference.clock import isoformat, utcnow
from conference.db import write_transaction
from conference.errors import Forbidden, Invalid, NotFound
from conference.extensions import db
from conference.models import Conference, User
from conference.validation import UNUSABLE_TEXT, tidy_text
from sessions.programme.models import Activity
from streaming import updates
from streaming.access import Viewer
from streaming.models import QUESTION_STATUSES, Question, QuestionVote

# The activities with a Q&A: plenaries, streams and workshops (in the room and online).
QA_KINDS = ("plenary", "stream", "workshop", "online_workshop")
MIN_LENGTH, MAX_LENGTH = 3, 500


def premoderated(conf: Conference) -> bool:
    """Whether attendees' questions wait for a moderator (the default) or show at once."""
    value = conf.setting("qa_premoderation")
    return True if value is None else bool(value)


def qa_activity(conf: Conference, activity_id: int) -> Activity:
    """A published activity with a Q&A, or 404."""
    act = db.session.get(Activity, activity_id)
    if act is None or act.conference_id != conf.id or not act.published or act.kind not in QA_KINDS:
        raise NotFound()
    return act


def clean_text(text: Any) -> str:
    """The question's text, tidied (`tidy_text`, several lines); 422 when empty or too long."""
    if not isinstance(text, str):
        raise Invalid(fields={"text": _l("Typ je vraag.")})
    try:
        text = tidy_text(text, multiline=True)
    except ValueError:
        raise Invalid(fields={"text": UNUSABLE_TEXT}) from None
    if len(text) < MIN_LENGTH:
        raise Invalid(fields={"text": _l("Typ je vraag (minstens 3 tekens).")})
    if len(text) > MAX_LENGTH:
        raise Invalid(fields={"text": _l("Je vraag is te lang (hoogstens 500 tekens).")})
    return text


def ask(conf: Conference, activity_id: int, viewer: Viewer, text: Any) -> Question:
    """Add a question; it waits for a moderator unless the asker is staff or Q&A is open."""
    if viewer.user is None or not viewer.may_watch:
        raise Forbidden()
    act = qa_activity(conf, activity_id)
    text = clean_text(text)
    now = utcnow()
    with write_transaction(db.session) as session:
        question = Question(
            activity_id=act.id,
            user_id=viewer.user.id,
            registration_id=viewer.registration.id if viewer.registration else None,
            text=text,
            status="approved" if viewer.staff or not premoderated(conf) else "pending",
            created_at=now,
            updated_at=now,
        )
        session.add(question)
    return question


def vote(question_id: int, viewer: Viewer) -> tuple[int, bool]:
    """One vote per person and question: (votes now, whether this call added one)."""
    if viewer.user is None or not viewer.may_watch:
        raise Forbidden()
    with write_transaction(db.session) as session:
        question = session.get(Question, question_id)
        if question is None or question.status != "approved":
            raise NotFound()
        try:
            with session.begin_nested():
                session.add(QuestionVote(question_id=question.id, user_id=viewer.user.id))
        except IntegrityError:
            added = False  # voted before (or in another tab at the same moment)
        else:
            session.execute(
                update(Question)
                .where(Question.id == question.id)
                .values(votes=Question.votes + 1, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            # A Core UPDATE: no ORM change for `live.watch` to see, so say it here.
            live.mark(session, updates.qa_topic(question.activity_id))
            added = True
    votes = db.session.scalar(select(Question.votes).where(Question.id == question_id))
    db.session.commit()
    return votes, added


MODERATION_FIELDS = ("status", "pinned", "answered")


def moderate(question_id: int, user: User, data: dict[str, Any]) -> Question:
    """Approve, hide, pin or mark answered (any combination of status, pinned, answered)."""
    errors: dict[str, Any] = {k: _l("onbekend veld") for k in data if k not in MODERATION_FIELDS}
    if "status" in data and data["status"] not in QUESTION_STATUSES:
        errors["status"] = _l("kies pending, approved of hidden")
    for key in ("pinned", "answered"):
        if key in data and not isinstance(data[key], bool):
            errors[key] = _l("ja of nee (true/false)")
    if not data:
        errors["body"] = _l("geef status, pinned of answered")
    if errors:
        raise Invalid(fields=errors)
    now = utcnow()
    with write_transaction(db.session) as session:
        question = session.get(Question, question_id)
        if question is None:
            raise NotFound()
        if "status" in data:
            question.status = data["status"]
        if "pinned" in data:
            question.pinned = data["pinned"]
        if "answered" in data:
            question.answered_at = (question.answered_at or now) if data["answered"] else None
        if question.pinned and question.status != "approved":
            question.pinned = False  # only a shown question can stand on top
        question.moderated_by_id = user.id
        question.moderated_at = now
        question.updated_at = now
    return question


def _order(query):
    return query.order_by(
        Question.pinned.desc(),
        Question.answered_at.is_not(None),
        Question.votes.desc(),
        Question.created_at,
        Question.id,
    )


def _shown(query, act: Activity, viewer: Viewer, moderator: bool):
    """Approved questions and the viewer's own waiting ones (moderators: all), in order."""
    query = query.where(Question.activity_id == act.id)
    if not moderator:
        shown = Question.status == "approved"
        if viewer.user is not None:
            mine = and_(Question.user_id == viewer.user.id, Question.status == "pending")
            shown = or_(shown, mine)
        # Their own waiting questions last: the shared list the live streams push stays on top.
        query = query.where(shown).order_by(Question.status != "approved")
    return _order(query)


def questions_for(act: Activity, viewer: Viewer, moderator: bool = False) -> list[Question]:
    """What a person sees: approved questions and their own waiting ones; moderators see all."""
    return list(db.session.scalars(_shown(select(Question), act, viewer, moderator)))


def _question_rows_query(signed_in: bool) -> Any:
    """The attendee's list as narrow rows, their own vote joined in; built once (see below)."""
    viewer = Viewer(SimpleNamespace(id=bindparam("user_id")) if signed_in else None, None, False)
    query = select(
        Question.id, Question.activity_id, Question.text, Question.status, Question.pinned,
        Question.answered_at.is_not(None).label("answered"), Question.votes, Question.user_id,
        Question.created_at, QuestionVote.id.is_not(None).label("voted"),
    ).outerjoin(
        QuestionVote,
        and_(QuestionVote.question_id == Question.id, QuestionVote.user_id == bindparam("user_id")),
    )  # fmt: skip
    return _shown(query, SimpleNamespace(id=bindparam("activity_id")), viewer, False)


# For a signed-in viewer and for nobody: the polled list binds only its values.
QUESTION_ROWS = {signed_in: _question_rows_query(signed_in) for signed_in in (True, False)}


def question_rows(act: Activity, viewer: Viewer) -> list[Any]:
    """What `questions_for` gives an attendee, as narrow rows with their own vote joined in.

    The polled list: one query and no ORM objects (`question_json` reads the same names).
    """
    uid = viewer.user.id if viewer.user is not None else None
    query = QUESTION_ROWS[uid is not None]
    return list(db.session.execute(query, {"activity_id": act.id, "user_id": uid}))


def top_questions(act: Activity, limit: int = 6) -> list[Question]:
    """The approved, unanswered questions for the room screen: pinned first, then most votes."""
    query = select(Question).where(
        Question.activity_id == act.id,
        Question.status == "approved",
        Question.answered_at.is_(None),
    )
    return list(db.session.scalars(_order(query).limit(limit)))


def voted_ids(act: Activity, viewer: Viewer) -> set[int]:
    """The questions of this activity the viewer voted for."""
    if viewer.user is None:
        return set()
    return set(
        db.session.scalars(
            select(QuestionVote.question_id)
            .join(Question, Question.id == QuestionVote.question_id)
            .where(Question.activity_id == act.id, QuestionVote.user_id == viewer.user.id)
        )
    )


def pending_counts(conf: Conference) -> dict[int, int]:
    """Questions waiting for a moderator, per activity."""
    rows = db.session.execute(
        select(Question.activity_id, func.count())
        .join(Activity, Activity.id == Question.activity_id)
        .where(Activity.conference_id == conf.id, Question.status == "pending")
        .group_by(Question.activity_id)
    )
    return dict(rows.all())


def question_json(
    question: Question,
    viewer: Viewer,
    voted: set[int],
    moderator: bool = False,
    tz: str | None = None,
) -> dict[str, Any]:
    """A question as the API shows it; the asker's name only to moderators."""
    item: dict[str, Any] = {
        "id": question.id,
        "activity_id": question.activity_id,
        "text": question.text,
        "status": question.status,
        "pinned": question.pinned,
        "answered": question.answered,
        "votes": question.votes,
        "voted": question.id in voted,
        "mine": viewer.user is not None and question.user_id == viewer.user.id,
        "created_at": isoformat(question.created_at, tz or "Europe/Brussels"),
    }
    if moderator:
        registration = question.registration
        item["author"] = registration.full_name if registration else question.user.name
    return item


def questions_json(
    conf: Conference, act: Activity, viewer: Viewer, moderator: bool = False
) -> dict[str, Any]:
    """GET /api/v1/activities/<id>/questions (`conf` may be the snapshot: conference.snapshot)."""
    if moderator:
        voted = voted_ids(act, viewer)
        items = [
            question_json(q, viewer, voted, True, conf.timezone)
            for q in questions_for(act, viewer, True)
        ]
    else:
        rows = question_rows(act, viewer)
        voted = {row.id for row in rows if row.voted}
        items = [question_json(row, viewer, voted, False, conf.timezone) for row in rows]
    return {"activity_id": act.id, "premoderated": premoderated(conf), "questions": items}


def question_age(question: Question, now: datetime | None = None) -> int:
    """Minutes since the question was asked."""
    return int(((now or utcnow()) - question.created_at).total_seconds() // 60)
