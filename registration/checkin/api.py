"""The check-in JSON API: redeem, the offline list, figures, manual search and the help desk."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from conference.auth import role_only, role_required
from conference.errors import Invalid
from conference.openapi import CONFLICT, INVALID, ApiDocs, Reply
from conference.services import current_conference
from conference.snapshot import conference_settings
from conference.validation import json_body
from registration.checkin import lists, schemas, services
from registration.checkin.checkpoints import list_checkpoints, resolve_checkpoint
from registration.services import reissue_ticket
from registration.tickets import ticket_url

bp = Blueprint("checkin_api", __name__, url_prefix="/api/v1/checkin")

checkin_staff = role_required("organiser", "checkin")
REDEEM_FIELDS = frozenset({
    "secret", "registration_id", "checkpoint", "type", "nonce", "scanned_at", "force", "device",
})  # fmt: skip
docs = ApiDocs(
    "checkin",
    "Ticket scanning at the entrance and at activity checkpoints (organisers and check-in "
    "volunteers). Scanners keep the checkpoint's list to decide offline and upload their queued "
    "scans later with `force` and the same `nonce` (applied once).",
)


def _checkpoint():
    conf = current_conference()
    return conf, resolve_checkpoint(conf, request.args.get("checkpoint", "entrance"))


@bp.post("/redeem")
@role_only  # a scanner's token: the role check and the staff id, not the whole account
@docs(
    summary="Check a ticket in or out at a checkpoint (staff: organiser or check-in).",
    description=(
        "The same `nonce` again answers the same result and records nothing new. `force: true` "
        "records an offline scan that already happened even if it breaks a rule, and flags it "
        "(`flagged`, `flag_reason`), e.g. a ticket let in by two offline devices. At the help "
        "desk `registration_id` may be given instead of `secret` (manual check-in after a "
        "search). `type: standby` at a workshop door gives a person without a seat a free seat "
        "or the seat of a no-show, from `no_show_release_minutes` after the start (when "
        "configured)."
    ),
    body=schemas.Redeem,
    responses={
        201: Reply("Let in (or out).", schemas.CheckinAnswer),
        400: Reply(
            "Refused: `already_redeemed`, `canceled`, `revoked`, `product`, `invalid_time`.",
            schemas.CheckinAnswer,
        ),
        404: Reply("Unknown secret: `invalid`.", schemas.CheckinAnswer),
        409: CONFLICT,
    },
)
@checkin_staff
def redeem():
    """Check a ticket in or out at a checkpoint (idempotent per nonce)."""
    data = json_body()
    unknown = set(data) - REDEEM_FIELDS
    if unknown:
        raise Invalid(fields={key: _l("onbekend veld") for key in sorted(unknown)})
    result = services.redeem(
        conference_settings(),
        checkpoint=data.get("checkpoint"),
        secret=data.get("secret"),
        registration_id=data.get("registration_id"),
        type=data.get("type") or "entry",
        nonce=data.get("nonce"),
        scanned_at=data.get("scanned_at"),
        force=data.get("force", False),
        staff=current_user._get_current_object(),
        device=data.get("device") or request.headers.get("X-Device") or None,
    )
    return jsonify(result.body), result.http_status


@bp.get("/checkpoints")
@docs(
    summary="The entrance and every on-site activity checkpoint (staff).",
    responses={200: Reply("The checkpoints in time order.", schemas.Checkpoints)},
)
@checkin_staff
def checkpoints():
    """The entrance and every activity checkpoint."""
    conf = current_conference()
    return jsonify({"checkpoints": [lists.checkpoint_json(cp) for cp in list_checkpoints(conf)]})


@bp.get("/list")
@docs(
    summary="What a scanner needs to decide offline at a checkpoint (staff); no raw secrets.",
    description=(
        "Every ticket of the conference as a keyed hash: the first `hash.length` hex characters "
        "of HMAC-SHA256(`hash.key`, secret). The key is derived from the server's secret key for "
        "this purpose only. `status` is what an entry scan would answer by the rules (time and "
        "presence aside). Pass `since=<version>` of an earlier answer to get only the entries "
        "that changed (`full: false`); a freed seat shows at the next full list, so scanners "
        "reload the full list every few minutes."
    ),
    query=schemas.ListQuery,
    responses={200: Reply("The list.", schemas.CheckinList), 422: INVALID},
)
@checkin_staff
def checkin_list():
    """What a scanner needs to decide offline; `since` gives only what changed."""
    conf, cp = _checkpoint()
    since = lists.parse_since(request.args.get("since"))
    response = jsonify(lists.checkin_list(conf, cp, since))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/stats")
@docs(
    summary="Figures of a checkpoint (staff).",
    query=schemas.CheckpointQuery,
    responses={
        200: Reply(
            "Expected, checked in, inside now, arrivals per quarter hour (local time).",
            schemas.CheckinStats,
        ),
        422: INVALID,
    },
)
@checkin_staff
def stats():
    """Expected, checked in, inside now, arrivals per quarter hour."""
    conf, cp = _checkpoint()
    return jsonify(lists.stats(conf, cp))


@bp.get("/search")
@docs(
    summary="Manual search by name or e-mail, for a forgotten or broken ticket (staff).",
    query=schemas.SearchQuery,
    responses={
        200: Reply("Up to 20 matches; e-mail addresses are masked.", schemas.SearchResults),
        422: INVALID,
    },
)
@checkin_staff
def search():
    """Manual search by name or e-mail, for a forgotten or broken ticket."""
    conf, cp = _checkpoint()
    response = jsonify({"results": lists.search(conf, cp, request.args.get("q", ""))})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/registrations/<int:registration_id>/reissue")
@docs(
    summary="Help desk — revoke a person's ticket, issue a new one and mail it (staff).",
    responses={
        201: Reply("The new ticket; the old secret now answers `revoked`.", schemas.ReissuedTicket),
        409: CONFLICT,
    },
)
@checkin_staff
def reissue(registration_id: int):
    """Help desk: revoke the ticket, issue a new one with a fresh secret, and mail it."""
    ticket = reissue_ticket(
        registration_id,
        actor=current_user._get_current_object(),
        reason=services.DESK_REASON,
        conference_id=current_conference().id,
    )
    response = jsonify(
        {
            "registration_id": registration_id,
            "ticket_id": ticket.id,
            "ticket_url": ticket_url(ticket),
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response, 201
