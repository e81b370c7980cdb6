"""`POST`/`GET /api/v1/contingents` (organiser): partner contingents and their codes."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from conference.auth import organiser_required
from conference.openapi import CONFLICT, ApiDocs, Reply
from conference.services import current_conference
from conference.validation import json_body
from registration.contingents import schemas, services

bp = Blueprint("contingents_api", __name__, url_prefix="/api/v1")
docs = ApiDocs("contingents", "Partner contingents: places set aside, taken with a code.")


@bp.post("/contingents")
@docs(
    summary="Set places aside for a partner, with codes (organiser).",
    description=(
        "The places leave the general pool at once (409 `not_enough_places` when fewer are "
        "free). Without `codes` or `shared_uses`, one shared code for every place."
    ),
    body=schemas.ContingentCreate,
    responses={201: Reply("Created.", schemas.ContingentCreated), 409: CONFLICT},
)
@organiser_required
def create():
    """Create a contingent; the answer carries its codes."""
    made = services.create_contingent(
        current_conference(), json_body(), actor=current_user._get_current_object()
    )
    response = jsonify({"id": made.id, "codes": made.codes})
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/contingents")
@docs(
    summary="The contingents with places, used and code uses left (organiser).",
    responses={200: Reply("The contingents.", schemas.Contingents)},
)
@organiser_required
def index():
    """Every contingent of the conference."""
    rows = services.contingents(current_conference().id)
    return jsonify([services.contingent_json(row) for row in rows])
