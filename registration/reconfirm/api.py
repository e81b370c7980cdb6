"""`POST /api/v1/me/reconfirm`: the attendee says whether they still come."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import lazy_gettext as _l

from conference.clock import isoformat
from conference.errors import Invalid
from conference.openapi import CONFLICT, ApiDocs, Reply
from conference.validation import json_body
from registration.access import attendee_required, current_registration
from registration.reconfirm import schemas, services

bp = Blueprint("reconfirm_api", __name__, url_prefix="/api/v1")
RECONFIRM_FIELDS = frozenset({"attending"})
docs = ApiDocs("reconfirm", "Reconfirming an on-site place before the day.")


@bp.post("/me/reconfirm")
@docs(
    summary="Say whether one still comes on site (during the reconfirmation window).",
    description=(
        "`attending: false` gives the on-site place up at once (the waiting list moves up) and "
        "the person follows online. 409 `closed` outside the window, `not_onsite` without a "
        "confirmed on-site place."
    ),
    body=schemas.ReconfirmBody,
    responses={200: Reply("The answer.", schemas.ReconfirmAnswer), 409: CONFLICT},
)
@attendee_required
def reconfirm():
    """Record the attendee's answer."""
    data = json_body()
    attending = data.get("attending")
    unknown = {key: _l("Onbekend veld.") for key in data if key not in RECONFIRM_FIELDS}
    if not isinstance(attending, bool) or unknown:
        fields = unknown if isinstance(attending, bool) else {
            **unknown, "attending": _l("Kies ja (true) of nee (false).")
        }  # fmt: skip
        raise Invalid(fields=fields)
    reg = current_registration()
    row = services.answer(reg.id, attending)
    return jsonify(
        {
            "attending": attending,
            "answer": row.answer,
            "reconfirmed_at": isoformat(row.answered_at, reg.conference.timezone)
            if row.answer == "yes"
            else None,
            "mode": "onsite" if attending else "online",
        }
    )
