"""The JSON API kernel: blueprint helpers, CSRF for cookie callers, OpenAPI and settings."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask_login import current_user

from conference import schemas
from conference.auth import organiser_required
from conference.extensions import csrf
from conference.openapi import CONFLICT, PUBLIC, ApiDocs, Reply, openapi_document
from conference.services import conference_json, current_conference, update_conference
from conference.validation import json_body, parse_time  # noqa: F401  (re-exported)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
docs = ApiDocs("kernel", "The conference and this document.")

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def register_api_blueprint(app: Flask, blueprint: Blueprint) -> None:
    """Register an API blueprint: exempt from form CSRF (see `_csrf_for_cookie_callers`)."""
    csrf.exempt(blueprint)
    app.register_blueprint(blueprint)


def _csrf_for_cookie_callers() -> None:
    """API.md: bearer-token calls need no CSRF token; cookie-authenticated calls do."""
    if not request.path.startswith("/api/") or request.method in SAFE_METHODS:
        return
    # Only a call that a valid bearer token authenticated is exempt; any other Authorization
    # header (Basic, a bad token) leaves a cookie caller a cookie caller.
    if current_user.is_authenticated and not g.get("token_auth"):
        csrf.protect()


@bp.get("/openapi.json")
@docs(
    summary="This OpenAPI document.",
    security=PUBLIC,
    responses={200: Reply("The document.", schema={"type": "object"})},
)
def openapi():
    """The OpenAPI 3.1 document of the whole API."""
    return jsonify(openapi_document(current_app))


@bp.patch("/conference")
@docs(
    summary="Change the conference's settings (organiser).",
    body=schemas.ConferencePatch,
    responses={200: Reply("The conference after the change.", schemas.Conference), 409: CONFLICT},
)
@organiser_required
def patch_conference():
    """Change the conference's capacity, windows, mode or quotas."""
    conf = update_conference(
        current_conference(), json_body(), actor=current_user._get_current_object()
    )
    return jsonify(conference_json(conf))


def init_api(app: Flask) -> None:
    """Register the kernel API and the CSRF rule for cookie callers."""
    app.before_request(_csrf_for_cookie_callers)
    register_api_blueprint(app, bp)
