"""Programme API: the public programme and organisers' changes to activities."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from conference.auth import organiser_required
from conference.services import current_conference
from conference.validation import json_body
from sessions.programme import services

bp = Blueprint("sessions_api", __name__, url_prefix="/api/v1")


@bp.get("/programme")
def programme():
    """The whole programme with live seat counts."""
    return jsonify(services.programme_json(current_conference()))


@bp.patch("/activities/<int:activity_id>")
@organiser_required
def patch_activity(activity_id: int):
    """Change an activity's capacity, time, place, title or links."""
    act = services.update_activity(
        activity_id, json_body(), actor=current_user._get_current_object()
    )
    waiting = services.waitlist_counts(act.conference).get(act.id, 0)
    return jsonify(services.activity_json(act, waiting))
