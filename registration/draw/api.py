"""The draw's JSON API: `POST /api/v1/venue/draw` (organiser)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from conference.auth import organiser_required
from conference.clock import utcnow
from conference.errors import Invalid
from conference.openapi import ApiDocs, Reply
from conference.schemas import Error
from conference.services import current_conference
from conference.validation import json_body
from registration.draw import schemas, services

bp = Blueprint("draw_api", __name__, url_prefix="/api/v1")
docs = ApiDocs("draw", "The venue draw: a dry run to review, then the real draw.")
FIELDS = {"dry_run", "seed"}
API_KEYS = ("applicants", "registered", "waitlisted", "per_profile", "max_per_organisation")


@bp.post("/venue/draw")
@docs(
    summary="Draw the venue places (organiser): a dry run, or the real draw (published at once).",
    description=(
        "A real draw uses the seed committed when draw mode was set; it answers 409 `closed` "
        "before `draw_at` and 409 `already_published` the second time."
    ),
    body=schemas.DrawRequest,
    responses={
        200: Reply("The draw's figures.", schemas.DrawFigures),
        409: Reply("`closed` before `draw_at`; `already_published` the second time.", Error),
        422: Reply(
            "`invalid`; `fields.seed` when a real draw is given another seed than the one "
            "committed (any seed is fine for a dry run).",
            Error,
        ),
    },
)
@organiser_required
def draw():
    """Run a dry run or the real draw."""
    data = json_body()
    errors = {key: _l("onbekend veld") for key in data if key not in FIELDS}
    if not isinstance(data.get("dry_run"), bool):
        errors["dry_run"] = _l("geef true of false")
    seed = data.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        errors["seed"] = _l("geef een geheel getal van 0 of meer")
    if errors:
        raise Invalid(fields=errors)
    answer = services.run(
        current_conference().id,
        dry_run_only=data["dry_run"],
        seed=seed,
        now=utcnow(),
        actor=current_user._get_current_object(),
    )
    return jsonify({key: answer[key] for key in (*API_KEYS, "published")})
