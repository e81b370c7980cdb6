"""The registration JSON API: register, and the attendee's own registration (`/me`)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from conference.auth import public
from conference.extensions import db, limiter
from conference.i18n import lang
from conference.openapi import PUBLIC, ApiDocs, Reply
from conference.schemas import Error
from conference.validation import json_body
from registration import schemas
from registration.access import attendee_required, current_registration
from registration.contingents.guard import with_code_guard
from registration.services import (
    cancel_registration,
    register,
    registration_by_id,
    registration_json,
    update_registration,
)
from registration.views import REGISTER_LIMIT

bp = Blueprint("registration_api", __name__, url_prefix="/api/v1")
docs = ApiDocs(
    "registration", "Registering for the conference and the attendee's own registration."
)


@bp.post("/registrations")
@docs(
    summary="Register (public, rate-limited). On site takes a venue place while there is one.",
    description=(
        "When no on-site place is free, the registration joins the venue waiting list (status "
        "`waitlisted`), or the call answers 409 `venue_full` when `waitlist_ok` is false. The "
        "answer carries the attendee's bearer token once; the same token is in the personal "
        "manage link of the confirmation e-mail."
    ),
    security=PUBLIC,
    body=schemas.RegistrationCreate,
    responses={
        201: Reply(
            "Registered, on the venue waiting list, or (draw mode, before the draw) `applied`.",
            schemas.RegistrationCreated,
        ),
        403: Reply("`registration_closed`: outside the registration window.", Error),
        422: Reply(
            "`invalid`: a bad field; `fields.code` for an unknown or used code; "
            '`fields["answers.<key>"]` for an answer to an organisers\' question.',
            Error,
        ),
        429: Reply("`too_many_attempts`: too many wrong codes from this address.", Error),
        409: Reply(
            "`already_registered` for an e-mail with an active registration; `venue_full` "
            "when full and waitlist_ok is false.",
            Error,
        ),
    },
)
@limiter.limit(REGISTER_LIMIT)
@public
def create_registration():
    """Register; a full venue means the waiting list, or 409 when waitlist_ok is false."""
    data = json_body()
    choice = None if data.get("waitlist_ok") is False else "waitlist"
    result = with_code_guard(
        request.remote_addr, data, lambda: register(data, venue_choice=choice, language=lang())
    )
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
@docs(
    summary="The attendee's registration.",
    responses={200: Reply("The registration.", schemas.Me)},
)
@attendee_required
def me():
    """The attendee's registration."""
    return jsonify(registration_json(current_registration()))


@bp.patch("/me")
@docs(
    summary="Change one's details, mode or place on the venue waiting list.",
    description=(
        "`mode: onsite` takes a venue place (with a new ticket) or, when none is free, joins "
        "the venue waiting list while the person keeps following online. `mode: online` gives "
        "the place back (the waiting list moves up) and revokes the ticket; add "
        "`venue_waitlist: true` to keep waiting for a place. `venue_waitlist: false` leaves the "
        "waiting list (declining an offered place). The profile cannot change while the person "
        "holds or waits for a place."
    ),
    body=schemas.MeUpdate,
    responses={200: Reply("The registration after the change.", schemas.Me)},
)
@attendee_required
def patch_me():
    """Change one's details or mode; on site takes a place or joins the waiting list."""
    reg_id = current_registration().id
    update_registration(reg_id, json_body())
    db.session.expire_all()
    return jsonify(registration_json(registration_by_id(reg_id)))


@bp.delete("/me")
@docs(
    summary=(
        "Cancel; frees the venue place and every seat, promotes the waiting lists, revokes the "
        "ticket."
    ),
    responses={204: Reply("Canceled.")},
)
@attendee_required
def delete_me():
    """Cancel: frees the place and every seat, promotes waiting lists, revokes the ticket."""
    cancel_registration(current_registration().id)
    return "", 204
