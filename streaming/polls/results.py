"""What polls show: counts derived in SQL from the vote rows, live stamps, JSON shapes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import case, func, literal_column, select
from sqlalchemy.orm import Session

from conference import live
from conference.extensions import db
from sessions.programme.models import Activity
from streaming.access import Viewer
from streaming.polls.models import SCALE, Poll, PollVote, indexes_of


@dataclass
class Result:
    """One option's count."""

    index: int
    label: str
    votes: int
    percent: int


@dataclass
class Results:
    """A poll's counts: per option, the number of people who voted, the average of a scale."""

    options: list[Result]
    votes: int
    average: float | None = None


def counts(poll: Poll, session: Session | None = None) -> tuple[int, list[int]]:
    """Count the votes in one query: everyone who voted, and per option the rows that hold it."""
    # Literal powers of two: a bound parameter would leave the `&` operand's type to the driver.
    counted = [
        func.coalesce(
            func.sum(case((PollVote.choices.op("&")(literal_column(str(1 << i))) != 0, 1))), 0
        )
        for i in range(len(poll.labels("nl")))
    ]
    row = (
        (session or db.session)
        .execute(select(func.count(PollVote.id), *counted).where(PollVote.poll_id == poll.id))
        .one()
    )
    return int(row[0]), [int(n) for n in row[1:]]


def results(
    poll: Poll, language: str, session: Session | None = None, counted: tuple | None = None
) -> Results:
    """The counts in a language (`counted`: as `counts` gave them, when read already)."""
    labels = poll.labels(language)
    total, per_option = counted or counts(poll, session)
    items = [
        Result(i, label, n, round(100 * n / total) if total else 0)
        for i, (label, n) in enumerate(zip(labels, per_option, strict=True))
    ]
    average = None
    if poll.kind == "scale" and total:
        average = round(sum(s * n for s, n in zip(SCALE, per_option, strict=True)) / total, 1)
    return Results(items, total, average)


def poll_topic(poll_id: int) -> str:
    """The stamp of one poll: it moves with every vote, opening and closing."""
    return f"poll:{poll_id}"


def polls_topic(activity_id: int) -> str:
    """The stamp of an activity's polls: it moves when any of them changes or one is added."""
    return f"polls:{activity_id}"


def poll_etag(poll_id: int) -> str | None:
    """GET /api/v1/polls/<id> of this caller, from the stamps alone (no query)."""
    return live.etag(
        [poll_topic(poll_id)], "poll-json", poll_id, live.caller_key(), live.language_hint()
    )


def activity_polls_etag(activity_id: int) -> str | None:
    """An activity's polls (API list and HTML fragment) of this caller, from the stamps alone."""
    args = request.args
    return live.etag(
        [polls_topic(activity_id)],
        "polls",
        request.endpoint,
        activity_id,
        args.get("view", ""),
        args.get("mode", "attendee"),
        args.get("next", ""),
        live.caller_key(),
        live.language_hint(),
    )


def polls_of(act: Activity, staff_view: bool = False, session: Session | None = None) -> list[Poll]:
    """An activity's polls: open first, then closed (newest first); drafts for staff only."""
    query = select(Poll).where(Poll.activity_id == act.id)
    if not staff_view:
        query = query.where(Poll.status != "draft")
    order = case({"open": 0, "draft": 1, "closed": 2}, value=Poll.status)
    return list((session or db.session).scalars(query.order_by(order, Poll.id.desc())))


def shown_on_screen(act: Activity) -> Poll | None:
    """The poll the room screen shows: the last one opened, else the last one closed."""
    for status, stamp in (("open", Poll.opened_at), ("closed", Poll.closed_at)):
        poll = db.session.scalar(
            select(Poll)
            .where(Poll.activity_id == act.id, Poll.status == status)
            .order_by(stamp.desc(), Poll.id.desc())
            .limit(1)
        )
        if poll is not None:
            return poll
    return None


def my_votes(poll_ids: list[int], viewer: Viewer) -> dict[int, PollVote]:
    """The viewer's own vote rows on these polls."""
    if viewer.user is None or not poll_ids:
        return {}
    rows = db.session.scalars(
        select(PollVote).where(PollVote.poll_id.in_(poll_ids), PollVote.user_id == viewer.user.id)
    )
    return {row.poll_id: row for row in rows}


def vote_json(row: PollVote | None) -> dict[str, Any] | None:
    """A vote as the API takes it: {"options": [..]} or {"score": n}."""
    if row is None:
        return None
    return {"score": row.score} if row.score is not None else {"options": indexes_of(row.choices)}


def poll_json(poll: Poll, language: str, mine: PollVote | None = None) -> dict[str, Any]:
    """GET /api/v1/polls/<id>: the poll, its counts and (for a voter) their own vote."""
    counted = results(poll, language)
    item: dict[str, Any] = {
        "id": poll.id,
        "activity_id": poll.activity_id,
        "kind": poll.kind,
        "status": poll.status,
        "question": poll.question,
        "question_en": poll.question_en,
        "options": list(poll.options),
        "options_en": poll.options_en,
        "results": [
            {"index": r.index, "label": r.label, "votes": r.votes, "percent": r.percent}
            for r in counted.options
        ],
        "votes": counted.votes,
        "version": poll.version,
        "my_vote": vote_json(mine),
    }
    if counted.average is not None:
        item["average"] = counted.average
    return item
