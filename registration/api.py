"""The registration JSON API: register, and the attendee's own registration (`/me`)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from conference.extensions import db, limiter
from conference.i18n import lang
from conference.validation import json_body
from registration.access import attendee_required, current_registration
from registration.services import (
    cancel_registration,
    register,
    registration_by_id,
    registration_json,
    update_registration,
)
from registration.views import REGISTER_LIMIT, public

bp = Blueprint("registration_api", __name__, url_prefix="/api/v1")


@bp.post("/registrations")
@limiter.limit(REGISTER_LIMIT)
@public
def create_registration():
    """Register; a full venue means the waiting list, or 409 when waitlist_ok is false."""
    data = json_body()
    choice = None if data.get("waitlist_ok") is False else "waitlist"
    result = register(data, venue_choice=choice, language=lang())
    body = {
        "id": result.id,
        "status": result.status,
        "mode": result.mode,
        "token": result.token,
        "venue_waitlist": result.venue_waitlisted,
    }
    if result.ticket_url:
        body["ticket_url"] = result.ticket_url
    response = jsonify(body)
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"  # the token is shown once
    return response


@bp.get("/me")
@attendee_required
def me():
    """The attendee's registration."""
    return jsonify(registration_json(current_registration()))


@bp.patch("/me")
@attendee_required
def patch_me():
    """Change one's details or mode; on site takes a place or joins the waiting list."""
    reg_id = current_registration().id
    update_registration(reg_id, json_body())
    db.session.expire_all()
    return jsonify(registration_json(registration_by_id(reg_id)))


@bp.delete("/me")
@attendee_required
def delete_me():
    """Cancel: frees the place and every seat, promotes waiting lists, revokes the ticket."""
    cancel_registration(current_registration().id)
    return "", 204
