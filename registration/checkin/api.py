"""The check-in JSON API: redeem, the offline list, figures, manual search and the help desk."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from conference.auth import role_required
from conference.errors import Invalid
from conference.services import current_conference
from conference.validation import json_body
from registration.checkin import lists, services
from registration.checkin.checkpoints import list_checkpoints, resolve_checkpoint
from registration.checkin.desk import reissue_ticket_at_desk

bp = Blueprint("checkin_api", __name__, url_prefix="/api/v1/checkin")

checkin_staff = role_required("organiser", "checkin")


def ticket_url(secret: str) -> str:
    """The URL a ticket's QR code carries."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/t/{secret}"


def _checkpoint():
    conf = current_conference()
    return conf, resolve_checkpoint(conf, request.args.get("checkpoint", "entrance"))


@bp.post("/redeem")
@checkin_staff
def redeem():
    """Check a ticket in or out at a checkpoint (idempotent per nonce)."""
    data = json_body()
    unknown = set(data) - {
        "secret", "registration_id", "checkpoint", "type", "nonce", "scanned_at", "force", "device",
    }  # fmt: skip
    if unknown:
        raise Invalid(fields={key: _l("onbekend veld") for key in sorted(unknown)})
    result = services.redeem(
        current_conference(),
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
@checkin_staff
def checkpoints():
    """The entrance and every activity checkpoint."""
    conf = current_conference()
    return jsonify({"checkpoints": [lists.checkpoint_json(cp) for cp in list_checkpoints(conf)]})


@bp.get("/list")
@checkin_staff
def checkin_list():
    """What a scanner needs to decide offline; `since` gives only what changed."""
    conf, cp = _checkpoint()
    since = lists.parse_since(request.args.get("since"))
    response = jsonify(lists.checkin_list(conf, cp, since))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/stats")
@checkin_staff
def stats():
    """Expected, checked in, inside now, arrivals per quarter hour."""
    conf, cp = _checkpoint()
    return jsonify(lists.stats(conf, cp))


@bp.get("/search")
@checkin_staff
def search():
    """Manual search by name or e-mail, for a forgotten or broken ticket."""
    conf, cp = _checkpoint()
    response = jsonify({"results": lists.search(conf, cp, request.args.get("q", ""))})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/registrations/<int:registration_id>/reissue")
@checkin_staff
def reissue(registration_id: int):
    """Help desk: revoke the ticket and issue a new one with a fresh secret."""
    ticket = reissue_ticket_at_desk(
        current_conference(), registration_id, current_user._get_current_object()
    )
    response = jsonify(
        {
            "registration_id": registration_id,
            "ticket_id": ticket.id,
            "ticket_url": ticket_url(ticket.secret),
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response, 201
