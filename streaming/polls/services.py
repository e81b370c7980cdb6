"""Poll use cases: prepare a poll, open and close it, vote (once per person, changeable)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from conference import audit, live
from conference.clock import utcnow
from conference.db import write_transaction
from conference.errors import Forbidden, Invalid, NotFound
from conference.extensions import db
from conference.models import Conference, User
from conference.validation import text_field
from streaming.access import Viewer
from streaming.polls.errors import InvalidVote, PollClosed, PollNotOpen
from streaming.polls.models import MAX_OPTIONS, POLL_KINDS, SCALE, Poll, PollVote, mask_of
from streaming.polls.results import poll_topic, polls_topic
from streaming.qa import qa_activity

POLL_FIELDS = ("question", "question_en", "kind", "options", "options_en")
VOTE_FIELDS = ("options", "score")
QUESTION_MAX, OPTION_MAX = 300, 120


def _labels(value: Any, field: str, errors: dict[str, Any]) -> list[str]:
    """A list of option labels, each tidied; blank ones become ""."""
    if not isinstance(value, list) or len(value) > MAX_OPTIONS:
        errors[field] = _l("een lijst van hoogstens %(n)d keuzes", n=MAX_OPTIONS)
        return []
    labels = [text_field(item, field, OPTION_MAX, errors) or "" for item in value]
    return [] if field in errors else labels


def _clean_options(data: dict[str, Any], kind: str, errors: dict[str, Any]) -> dict[str, Any]:
    """The options and their English labels: 2 to 10 distinct ones, none on a scale."""
    if kind == "scale":
        if data.get("options") or data.get("options_en"):
            errors["options"] = _l("een schaal van 1 tot 5 heeft geen keuzes")
        return {"options": [], "options_en": None}
    options = _labels(data.get("options"), "options", errors)
    if "options" not in errors and any(not label for label in options):
        errors["options"] = _l("vul elke keuze in")
    elif "options" not in errors and not 2 <= len(options) <= MAX_OPTIONS:
        errors["options"] = _l("geef 2 tot %(n)d keuzes", n=MAX_OPTIONS)
    elif len({label.casefold() for label in options}) != len(options):
        errors["options"] = _l("elke keuze komt maar één keer voor")
    english = _labels(data.get("options_en") or [], "options_en", errors)
    if english and len(english) != len(options) and "options_en" not in errors:
        errors["options_en"] = _l("evenveel Engelse als Nederlandse keuzes (of geen)")
    return {"options": options, "options_en": english if any(english) else None}


def clean_poll(data: dict[str, Any]) -> dict[str, Any]:
    """A new poll's fields, checked; 422 with a message per field."""
    errors: dict[str, Any] = {k: _l("onbekend veld") for k in data if k not in POLL_FIELDS}
    kind = data.get("kind")
    if kind not in POLL_KINDS:
        errors["kind"] = _l("kies single, multiple of scale")
    question = text_field(data.get("question"), "question", QUESTION_MAX, errors)
    if not question and "question" not in errors:
        errors["question"] = _l("typ de vraag")
    question_en = text_field(data.get("question_en"), "question_en", QUESTION_MAX, errors)
    options = _clean_options(data, kind, errors) if kind in POLL_KINDS else {}
    if errors:
        raise Invalid(fields=errors)
    return {"kind": kind, "question": question, "question_en": question_en, **options}


def create(conf: Conference, activity_id: int, user: User, data: dict[str, Any]) -> Poll:
    """Prepare a poll on an activity with a Q&A (plenary, stream, workshop); it starts as draft."""
    act = qa_activity(conf, activity_id)
    fields = clean_poll(data)
    with write_transaction(db.session) as session:
        poll = Poll(activity_id=act.id, created_by_id=user.id, **fields)
        session.add(poll)
        session.flush()
        live.mark(session, poll_topic(poll.id), polls_topic(act.id))
        audit.record(
            session, actor=user, action="poll.create", target_type="poll", target_id=poll.id,
            after={"activity_id": act.id, "kind": poll.kind, "question": poll.question},
        )  # fmt: skip
    return poll


def conference_poll(conf: Conference, poll_id: int) -> Poll:
    """A poll of this conference's published activities, or 404."""
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        raise NotFound()
    qa_activity(conf, poll.activity_id)
    return poll


def visible_poll(conf: Conference, poll_id: int, viewer: Viewer) -> Poll:
    """A poll this viewer may see: drafts only for stream staff."""
    poll = conference_poll(conf, poll_id)
    if poll.status == "draft" and not viewer.staff:
        raise NotFound()
    return poll


# The status a move starts from, and where it leads.
MOVES = {"open": (("draft", "closed"), "open"), "close": (("open",), "closed")}


def move(conf: Conference, poll_id: int, user: User, action: str) -> Poll:
    """Open (a draft or a closed poll again) or close a poll; doing it twice changes nothing."""
    sources, target = MOVES[action]
    activity_id = conference_poll(conf, poll_id).activity_id
    now = utcnow()
    stamp = {"opened_at": now} if target == "open" else {"closed_at": now}
    with write_transaction(db.session) as session:
        # One conditional UPDATE: a vote at the same moment waits for it (row lock, or SQLite's
        # write lock), so no vote lands after the poll closed.
        moved = session.execute(
            update(Poll)
            .where(Poll.id == poll_id, Poll.status.in_(sources))
            .values(status=target, version=Poll.version + 1, updated_at=now, **stamp)
            .execution_options(synchronize_session=False)
        ).rowcount
        status = session.scalar(select(Poll.status).where(Poll.id == poll_id))
        if not moved and status != target:
            raise PollNotOpen()
        if moved:
            live.mark(session, poll_topic(poll_id), polls_topic(activity_id))
            audit.record(
                session, actor=user, action=f"poll.{action}", target_type="poll",
                target_id=poll_id, after={"status": target},
            )  # fmt: skip
    db.session.expire_all()
    return db.session.get(Poll, poll_id)


def _as_index(value: Any) -> int | None:
    """An integer (not a bool, not a float), or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_vote(poll: Poll, data: dict[str, Any]) -> tuple[int, int | None]:
    """The vote's bit mask and score from {"options": [..]} or {"score": n}; 422 otherwise."""
    if poll.kind == "scale":
        score = _as_index(data.get("score"))
        if "options" in data or score not in SCALE:
            raise InvalidVote(fields={"score": _l("kies een score van 1 tot 5")})
        return mask_of([score - 1]), score
    options = data.get("options")
    indexes = [_as_index(v) for v in options] if isinstance(options, list) else [None]
    if "score" in data or None in indexes or not indexes:
        raise InvalidVote(fields={"options": _l("kies minstens één keuze")})
    if any(not 0 <= i < len(poll.options) for i in indexes) or len(set(indexes)) != len(indexes):
        raise InvalidVote(fields={"options": _l("deze keuze bestaat niet")})
    if poll.kind == "single" and len(indexes) != 1:
        raise InvalidVote(fields={"options": _l("kies één keuze")})
    return mask_of(indexes), None


def vote(
    conf: Conference, poll_id: int, viewer: Viewer, data: dict[str, Any]
) -> tuple[Poll, PollVote]:
    """Vote or change one's vote while the poll is open; the poll now and the ballot as written."""
    # One row per person, updated in place; the ballot is not read back (the answer needs only
    # its choices).
    if viewer.user is None or not viewer.may_watch:
        raise Forbidden()
    unknown = {k: _l("onbekend veld") for k in data if k not in VOTE_FIELDS}
    if unknown:
        raise Invalid(fields=unknown)
    poll = visible_poll(conf, poll_id, viewer)
    choices, score = parse_vote(poll, data)
    user_id, activity_id, now = viewer.user.id, poll.activity_id, utcnow()
    with write_transaction(db.session) as session:
        # The version bump first: it locks the poll row, so a close waits for this vote or
        # this vote sees the poll closed.
        bumped = session.execute(
            update(Poll)
            .where(Poll.id == poll_id, Poll.status == "open")
            .values(version=Poll.version + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not bumped:
            status = session.scalar(select(Poll.status).where(Poll.id == poll_id))
            raise PollClosed() if status == "closed" else PollNotOpen()
        live.mark(session, poll_topic(poll_id), polls_topic(activity_id))
        try:
            with session.begin_nested():
                session.add(
                    PollVote(poll_id=poll_id, user_id=user_id, choices=choices, score=score)
                )
        except IntegrityError:  # voted before: the same row takes the new choice
            session.execute(
                update(PollVote)
                .where(PollVote.poll_id == poll_id, PollVote.user_id == user_id)
                .values(choices=choices, score=score, updated_at=now)
                .execution_options(synchronize_session=False)
            )
    db.session.expire_all()
    return db.session.get(Poll, poll_id), PollVote(choices=choices, score=score)
