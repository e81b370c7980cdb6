"""Agenda API: the person's agenda, calendar links and follows; any attendee's agenda for staff."""

from __future__ import annotations

from flask import Blueprint, jsonify

from conference.auth import organiser_required
from conference.errors import NotFound
from conference.extensions import db
from conference.openapi import ApiDocs, Reply
from conference.schemas import Error
from conference.services import current_conference
from registration.access import attendee_required, current_registration
from registration.models import Registration
from sessions.agenda import feeds, follows, schemas
from sessions.agenda.services import agenda_json

bp = Blueprint("sessions_agenda_api", __name__, url_prefix="/api/v1")
docs = ApiDocs("agenda", "The personal agenda, its calendar feed links, and following streams.")


@bp.get("/me/agenda")
@docs(
    summary=(
        "The attendee's agenda items in time order (plenaries, seats, followed streams, breaks)."
    ),
    responses={200: Reply("The agenda.", schemas.Agenda)},
)
@attendee_required
def my_agenda():
    """The person's agenda items in time order."""
    return jsonify(agenda_json(current_registration()))


@bp.get("/me/calendar")
@docs(
    summary=(
        "The private calendar feed (https and webcal links, a revocable token in the path, no "
        "login needed to fetch it) and the .ics download link."
    ),
    responses={200: Reply("The links.", schemas.CalendarLinks)},
)
@attendee_required
def my_calendar():
    """The private feed links (https and webcal) and the download link."""
    return jsonify(feeds.feed_urls(current_registration()))


@bp.post("/me/calendar/reset")
@docs(
    summary="Revoke the calendar feed link (it answers 404 from now on) and make a new one.",
    responses={200: Reply("The new links.", schemas.CalendarLinks)},
)
@attendee_required
def reset_my_calendar():
    """Revoke the feed link and make a new one."""
    reg = current_registration()
    feeds.reset_feed(reg)
    return jsonify(feeds.feed_urls(reg))


@bp.put("/me/follows/<int:activity_id>")
@docs(
    summary="Follow a stream or the radio; it then shows in the agenda and the feed.",
    responses={
        200: Reply("Already followed.", schemas.FollowState),
        201: Reply("Now followed.", schemas.FollowState),
        409: Reply("`not_followable`: only streams and the radio can be followed.", Error),
    },
)
@attendee_required
def follow(activity_id: int):
    """Follow a stream or the radio (idempotent)."""
    created = follows.follow(current_registration(), activity_id)
    return jsonify({"activity_id": activity_id, "following": True}), 201 if created else 200


@bp.delete("/me/follows/<int:activity_id>")
@docs(
    summary="Stop following (idempotent); the feed then shows the event as cancelled.",
    responses={204: Reply("Not followed any more.")},
)
@attendee_required
def unfollow(activity_id: int):
    """Stop following (idempotent)."""
    follows.unfollow(current_registration(), activity_id)
    return "", 204


@bp.get("/registrations/<int:registration_id>/agenda")
@docs(
    summary="Any attendee's agenda (organiser, for the help desk).",
    responses={200: Reply("The agenda.", schemas.Agenda)},
)
@organiser_required
def registration_agenda(registration_id: int):
    """Any attendee's agenda (help desk)."""
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg.conference_id != current_conference().id:
        raise NotFound()
    return jsonify(agenda_json(reg))
