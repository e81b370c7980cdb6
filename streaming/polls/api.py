"""Polls JSON API: prepare, open and close (moderators); vote and read the counts (attendees)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user

from conference import live
from conference.auth import role_only, role_required
from conference.extensions import limiter
from conference.i18n import lang
from conference.openapi import CONFLICT, ApiDocs, Reply
from conference.schemas import Error
from conference.services import current_conference
from conference.snapshot import conference_settings
from conference.validation import json_body
from streaming.access import STREAM_STAFF, current_viewer, viewer_required
from streaming.api import per_person
from streaming.polls import results, schemas, services
from streaming.polls.models import PollVote
from streaming.qa import qa_activity

bp = Blueprint("polls_api", __name__, url_prefix="/api/v1")
moderator_required = role_required(*STREAM_STAFF)
docs = ApiDocs(
    "polls", "Live polls on plenaries, streams and workshops, shared by room and stream."
)


def _poll_answer(poll, status: int = 200, mine: PollVote | None = None) -> tuple[Response, int]:
    """The poll as the API shows it, with the caller's own vote (`mine`: known already)."""
    if mine is None:
        mine = results.my_votes([poll.id], current_viewer()).get(poll.id)
    return jsonify(results.poll_json(poll, lang(), mine)), status


@bp.post("/activities/<int:activity_id>/polls")
@docs(
    summary="Prepare a poll on a plenary, stream or workshop (moderator, organiser); a draft.",
    body=schemas.PollCreate,
    responses={201: Reply("The new poll, with its `id`.", schemas.Poll)},
)
@moderator_required
def create(activity_id: int):
    """Prepare a poll: 201 with the poll (status draft)."""
    poll = services.create(current_conference(), activity_id, current_user, json_body())
    return _poll_answer(poll, 201)


@bp.get("/activities/<int:activity_id>/polls")
@docs(
    summary=(
        "An activity's open and closed polls with their counts; moderators add "
        "`?view=moderator` for the drafts too. Sends an ETag."
    ),
    query=schemas.PollsQuery,
    responses={
        200: Reply("The polls.", schemas.Polls),
        304: Reply("Not changed since the ETag sent in If-None-Match."),
    },
)
@viewer_required
@live.conditional(results.activity_polls_etag)
def activity_polls(activity_id: int):
    """The activity's polls as this person sees them (304 from the stamps when unchanged)."""
    act = qa_activity(current_conference(), activity_id)
    viewer = current_viewer()
    staff_view = request.args.get("view") == "moderator" and viewer.staff
    polls = results.polls_of(act, staff_view)
    mine = results.my_votes([p.id for p in polls], viewer)
    response = jsonify(
        {
            "activity_id": act.id,
            "polls": [results.poll_json(p, lang(), mine.get(p.id)) for p in polls],
        }
    )
    # The stamp these counts are at (read for the ETag): pushed counts after it apply on top.
    response.headers["X-Live-Version"] = live.stamps([results.polls_topic(act.id)]) or ""
    return response


@bp.get("/polls/<int:poll_id>")
@docs(
    summary="One poll with its counts and the caller's own vote. Sends an ETag.",
    responses={
        200: Reply("The poll.", schemas.Poll),
        304: Reply("Not changed since the ETag sent in If-None-Match."),
    },
)
@viewer_required
@live.conditional(results.poll_etag)
def poll(poll_id: int):
    """A poll with its counts (drafts only for moderators; 304 from the stamps when unchanged)."""
    viewer = current_viewer()
    found = services.visible_poll(current_conference(), poll_id, viewer)
    mine = results.my_votes([found.id], viewer).get(found.id)
    return jsonify(results.poll_json(found, lang(), mine))


def _move(poll_id: int, action: str):
    found = services.move(current_conference(), poll_id, current_user, action)
    return _poll_answer(found)


@bp.post("/polls/<int:poll_id>/open")
@docs(
    summary="Open a poll for votes (a draft, or a closed one again); moderator, organiser.",
    responses={200: Reply("The poll.", schemas.Poll)},
)
@moderator_required
def open_poll(poll_id: int):
    """Open a poll: attendees can vote from now on."""
    return _move(poll_id, "open")


@bp.post("/polls/<int:poll_id>/close")
@docs(
    summary="Close a poll: no more votes; the results stay. 409 `poll_not_open` for a draft.",
    responses={200: Reply("The poll.", schemas.Poll), 409: CONFLICT},
)
@moderator_required
def close_poll(poll_id: int):
    """Close a poll."""
    return _move(poll_id, "close")


@bp.post("/polls/<int:poll_id>/vote")
@role_only  # a watch page's token: its id and role, not the whole account
@docs(
    summary=(
        'Vote, or change one\'s vote while the poll is open: `{"options": [index, ..]}` or '
        '`{"score": 1..5}`. 409 `poll_closed` / `poll_not_open`; 422 `invalid_vote` for options '
        "the poll does not have."
    ),
    body=schemas.PollBallot,
    responses={
        200: Reply("The poll with the counts now.", schemas.Poll),
        409: Reply("`poll_closed` or `poll_not_open`.", Error),
        422: Reply("`invalid_vote`: options or a score the poll does not have.", Error),
    },
)
@limiter.limit("60/minute", key_func=per_person)
@viewer_required
def vote(poll_id: int):
    """Vote once per person (a new vote replaces the earlier one)."""
    poll, mine = services.vote(conference_settings(), poll_id, current_viewer(), json_body())
    return _poll_answer(poll, mine=mine)
