"""Agenda API: the person's agenda, calendar links and follows; any attendee's agenda for staff."""

from __future__ import annotations

from flask import Blueprint, jsonify

from conference.auth import organiser_required
from conference.errors import NotFound
from conference.extensions import db
from conference.services import current_conference
from registration.access import attendee_required, current_registration
from registration.models import Registration
from sessions.agenda import calendar, follows
from sessions.agenda.services import agenda_json

bp = Blueprint("sessions_agenda_api", __name__, url_prefix="/api/v1")


@bp.get("/me/agenda")
@attendee_required
def my_agenda():
    """The person's agenda items in time order."""
    return jsonify(agenda_json(current_registration()))


@bp.get("/me/calendar")
@attendee_required
def my_calendar():
    """The private feed links (https and webcal) and the download link."""
    return jsonify(calendar.feed_urls(current_registration()))


@bp.post("/me/calendar/reset")
@attendee_required
def reset_my_calendar():
    """Revoke the feed link and make a new one."""
    reg = current_registration()
    calendar.reset_feed(reg)
    return jsonify(calendar.feed_urls(reg))


@bp.put("/me/follows/<int:activity_id>")
@attendee_required
def follow(activity_id: int):
    """Follow a stream or the radio (idempotent)."""
    created = follows.follow(current_registration(), activity_id)
    return jsonify({"activity_id": activity_id, "following": True}), 201 if created else 200


@bp.delete("/me/follows/<int:activity_id>")
@attendee_required
def unfollow(activity_id: int):
    """Stop following (idempotent)."""
    follows.unfollow(current_registration(), activity_id)
    return "", 204


@bp.get("/registrations/<int:registration_id>/agenda")
@organiser_required
def registration_agenda(registration_id: int):
    """Any attendee's agenda (help desk)."""
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg.conference_id != current_conference().id:
        raise NotFound()
    return jsonify(agenda_json(reg))
