"""The organiser invites colleagues for someone, from that person's page (people screens)."""

from __future__ import annotations

from flask import request

from conference.admin import actor
from conference.auth import organiser_required
from conference.errors import NotFound
from conference.extensions import db
from conference.services import current_conference
from registration.admin.views import bp
from registration.colleagues.forms import ROWS, invite_form
from registration.colleagues.views import colleagues_page, invite_from_form, row_count
from registration.services import active_registration

TEMPLATE = "registration/colleagues/admin_colleagues.html"


@bp.route("/deelnemers/<int:registration_id>/collegas", methods=["GET", "POST"])
@organiser_required
def person_colleagues(registration_id: int):
    """Invite colleagues on someone's behalf; they still confirm and consent themselves."""
    reg = active_registration(db.session, registration_id)
    if reg.conference_id != current_conference().id or reg.status == "invited":
        raise NotFound()
    form = invite_form(row_count(), reg.language)
    if request.method == "GET":
        return colleagues_page(reg, form, template=TEMPLATE)
    form.validate_on_submit()
    answers, general, status = invite_from_form(reg, form, actor=actor())
    if answers is None:
        return colleagues_page(reg, form, status, general=general, template=TEMPLATE)
    fresh = invite_form(ROWS, reg.language, formdata=None)
    return colleagues_page(reg, fresh, answers=answers, template=TEMPLATE)
