"""The colleagues API: a coordinator invites colleagues, sees their group, resends a mail."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l

from conference.errors import Invalid
from conference.extensions import limiter
from conference.openapi import ApiDocs, Reply
from conference.schemas import Error
from registration.access import attendee_required, current_registration
from registration.colleagues import schemas
from registration.colleagues.services import group_of, invite_colleagues, resend_invitation
from registration.colleagues.views import INVITE_LIMIT, per_person

bp = Blueprint("colleagues_api", __name__, url_prefix="/api/v1")
docs = ApiDocs("colleagues", "Colleagues registered together by a coordinator.")


def _list_body() -> list:
    """The request's JSON array, or a 422 that says the body must be one."""
    data = request.get_json(silent=True)
    if not isinstance(data, list):
        raise Invalid(fields={"body": _l("Stuur een lijst (JSON-array) van collega's.")})
    return data


@bp.post("/me/colleagues")
@docs(
    summary="Invite up to 20 colleagues; each confirms and consents themselves.",
    description=(
        "Each colleague gets a registration in status `invited` and a mail (in `language`) "
        "with a single-use link to complete their data and give their own consent, or to "
        "decline. On site, while places are free, the invitation holds one for a set time "
        "(48 hours by default). `already_registered` is answered for an address with an "
        'active registration. Errors are 422 with `fields["<row>.<field>"]`; 429 '
        "`too_many_invitations` past the limits per hour, per day and per address."
    ),
    body=schemas.ColleaguesIn,
    responses={
        201: Reply("One answer per colleague.", schemas.ColleaguesInvited),
        403: Reply("`registration_closed`: outside the registration window.", Error),
        429: Reply("`too_many_invitations`.", Error),
    },
)
@limiter.limit(INVITE_LIMIT, key_func=per_person)
@attendee_required
def post_colleagues():
    """Invite colleagues."""
    answers = invite_colleagues(current_registration().id, _list_body())
    return jsonify(answers), 201


@bp.get("/me/colleagues")
@docs(
    summary="The coordinator's colleagues: address and status only.",
    responses={200: Reply("The group.", schemas.Colleagues)},
)
@attendee_required
def get_colleagues():
    """The coordinator's group."""
    return jsonify(group_of(current_registration().id))


@bp.post("/me/colleagues/<int:invitation_id>/resend")
@docs(
    summary="Mail an invitation again with a new link (the old one stops working).",
    responses={
        204: Reply("Queued."),
        404: Reply("`not_found`: not one of the caller's open invitations.", Error),
        429: Reply("`too_many_invitations`: too soon after the last mail.", Error),
    },
)
@limiter.limit(INVITE_LIMIT, key_func=per_person)
@attendee_required
def resend(invitation_id: int):
    """Resend an invitation."""
    resend_invitation(current_registration().id, invitation_id)
    return "", 204
