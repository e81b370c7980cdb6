"""Seats API: preferences, enrollments (first come, first served) and allocation runs."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from conference.auth import organiser_required
from conference.errors import Invalid
from conference.openapi import CONFLICT, NOT_FOUND, ApiDocs, Reply
from conference.schemas import Error
from conference.services import current_conference
from conference.validation import json_body
from registration.access import attendee_required, current_registration
from sessions.seats import preferences, schemas
from sessions.seats import services as seats
from sessions.seats.allocation import service as allocation_service

bp = Blueprint("seats_api", __name__, url_prefix="/api/v1")
docs = ApiDocs("seats", "Preferences, first-come bookings with waiting lists, and the allocation.")


ALLOCATION_FIELDS = frozenset({"dry_run", "seed", "fill_unranked", "profile_quotas", "exact"})


def _ranking_json(ranking: dict[int, list[int]]) -> dict[str, list[int]]:
    return {str(block_id): ids for block_id, ids in sorted(ranking.items())}


@bp.get("/me/preferences")
@docs(
    summary="The attendee's ranking per block (block id -> activity ids, best first).",
    responses={200: Reply("The stored ranking.", schemas.Ranking)},
)
@attendee_required
def get_preferences():
    """The attendee's ranking per block."""
    return jsonify(_ranking_json(preferences.preferences_of(current_registration().id)))


@bp.put("/me/preferences")
@docs(
    summary=(
        "Store up to five ranked activities per block during the choice window. Blocks not in "
        "the body keep their ranking; an empty list clears a block. Speed does not matter."
    ),
    body=schemas.Ranking,
    responses={
        200: Reply("The whole stored ranking after the change.", schemas.Ranking),
        409: CONFLICT,
    },
)
@attendee_required
def put_preferences():
    """Store the ranking of each block given, during the choice window."""
    stored = preferences.save_preferences(current_registration().id, json_body())
    return jsonify(_ranking_json(stored))


def _int_field(data: dict, key: str, required: bool = True) -> int | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(fields={key: _l("geef een geheel getal")})
    return value


@bp.get("/me/enrollments")
@docs(
    summary="The attendee's seats and waiting-list places.",
    responses={
        200: Reply("Seats (enrolled) and waiting-list places (waitlisted, offered).", schemas.Seats)
    },
)
@attendee_required
def list_enrollments():
    """The attendee's seats and waiting-list places."""
    return jsonify({"items": seats.seat_summary(current_registration())})


@bp.post("/me/enrollments")
@docs(
    summary=(
        "Book a seat first come, first served. When full, a place on the waiting list. With "
        "replace_activity_id, a swap in one step: the old seat is kept when the new one is full. "
        "An open waiting-list offer for the activity is accepted."
    ),
    body=schemas.Enrollment,
    responses={
        200: Reply("Already enrolled, or waitlisted at a position.", schemas.EnrollmentKept),
        201: Reply("Enrolled.", schemas.Enrolled),
        404: NOT_FOUND,
        409: Reply("full, conflict, closed, wrong_mode, not_registered or not_enrolled.", Error),
    },
)
@attendee_required
def post_enrollment():
    """Book a seat; when full, a place on the waiting list; accepts an open offer."""
    data = json_body()
    activity_id = _int_field(data, "activity_id")
    replace = _int_field(data, "replace_activity_id", required=False)
    outcome = seats.enroll(current_registration().id, activity_id, replace_activity_id=replace)
    if outcome.status == "waitlisted":
        return jsonify({"status": "waitlisted", "position": outcome.position}), 200
    body = {"status": "enrolled", "activity_id": activity_id}
    if outcome.released:
        body["released"] = outcome.released
    return jsonify(body), 201 if outcome.status == "enrolled" else 200


@bp.delete("/me/enrollments/<int:activity_id>")
@docs(
    summary="Give up a seat (offered to the waiting list) or a place on the waiting list.",
    responses={204: Reply("Released.")},
)
@attendee_required
def delete_enrollment(activity_id: int):
    """Give up a seat (it goes to the waiting list) or a place on the waiting list."""
    seats.leave(current_registration().id, activity_id)
    return "", 204


@bp.post("/allocation/run")
@docs(
    summary=(
        "Run the allocation of the preference round (organiser). A dry run is stored for review; "
        "otherwise it is published at once (seats written, everyone mailed)."
    ),
    body=schemas.AllocationRequest,
    responses={200: Reply("The run's figures.", schemas.AllocationRun), 409: CONFLICT},
)
@organiser_required
def run_allocation():
    """Run the allocation; a dry run stores it for review, otherwise it is published."""
    data = json_body()
    dry_run = data.get("dry_run", True)
    if not isinstance(dry_run, bool):
        raise Invalid(fields={"dry_run": _l("geef true of false")})
    unknown = set(data) - ALLOCATION_FIELDS
    if unknown:
        raise Invalid(fields={k: _l("onbekend veld") for k in unknown})
    exact = data.get("exact", False)
    if not isinstance(exact, bool):
        raise Invalid(fields={"exact": _l("geef true of false")})
    options = {k: data[k] for k in ("fill_unranked", "profile_quotas") if k in data}
    run = allocation_service.run_allocation(
        current_conference(),
        seed=data.get("seed"),
        dry_run=dry_run,
        actor_id=current_user.id,
        options=options,
        exact=exact,
    )
    return jsonify(allocation_service.summary(run))


@bp.post("/allocation/runs/<int:run_id>/publish")
@docs(
    summary=(
        "Publish a reviewed dry run (organiser). 409 closed while the choice window is open, "
        "already_published, or stale when the data changed since the run."
    ),
    responses={200: Reply("The published run's figures.", schemas.AllocationRun), 409: CONFLICT},
)
@organiser_required
def publish_run(run_id: int):
    """Publish a reviewed dry run: seats are written and everyone gets a mail."""
    conf = current_conference()
    allocation_service.get_run(conf, run_id)
    allocation_service.publish_run(run_id, actor_id=current_user.id)
    return jsonify(allocation_service.summary(allocation_service.get_run(conf, run_id)))
