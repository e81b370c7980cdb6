"""Programme API: the public programme and organisers' changes to activities."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from conference.auth import organiser_required
from conference.openapi import CONFLICT, PUBLIC, ApiDocs, Reply
from conference.services import current_conference
from conference.validation import json_body
from sessions.programme import schemas, services

bp = Blueprint("sessions_api", __name__, url_prefix="/api/v1")
docs = ApiDocs("programme", "Themes, blocks and activities with live seat counts.")


@bp.get("/programme")
@docs(
    summary="The whole programme with live seat counts (public).",
    security=PUBLIC,
    responses={200: Reply("The programme.", schemas.Programme)},
)
def programme():
    """The whole programme with live seat counts."""
    return jsonify(services.programme_json(current_conference()))


@bp.patch("/activities/<int:activity_id>")
@docs(
    summary=(
        "Change an activity (organiser); a time or place change notifies the people concerned."
    ),
    body=schemas.ActivityPatch,
    responses={200: Reply("The activity after the change.", schemas.Activity), 409: CONFLICT},
)
@organiser_required
def patch_activity(activity_id: int):
    """Change an activity's capacity, time, place, title or links."""
    act = services.update_activity(
        activity_id, json_body(), actor=current_user._get_current_object()
    )
    waiting = services.waitlist_counts(act.conference).get(act.id, 0)
    return jsonify(services.activity_json(act, waiting))
