"""The organiser invites colleagues for someone, from that person's page (people screens)."""

from __future__ import annotations

from flask import flash, request
from flask_babel import lazy_gettext as _l

from conference.admin import actor
from conference.auth import organiser_required
from conference.services import current_conference
from registration.admin.people import get_person
from registration.admin.views import back_to_person, bp
from registration.colleagues.forms import ROWS, invite_form
from registration.colleagues.views import colleagues_page, invite_from_form, row_count
from registration.errors import RegistrationCanceled

TEMPLATE = "registration/colleagues/admin_colleagues.html"
# Only a confirmed registration invites: the others go back to their page, told why.
NOT_A_COORDINATOR = {
    "canceled": RegistrationCanceled.message,
    "invited": _l(
        "Deze persoon heeft de uitnodiging nog niet bevestigd. "
        "Daarna kan je hier collega's inschrijven."
    ),
}


@bp.route("/deelnemers/<int:registration_id>/collegas", methods=["GET", "POST"])
@organiser_required
def person_colleagues(registration_id: int):
    """Invite colleagues on someone's behalf; they still confirm and consent themselves."""
    reg = get_person(current_conference(), registration_id)
    if reg.status in NOT_A_COORDINATOR:
        flash(str(NOT_A_COORDINATOR[reg.status]), "error")
        return back_to_person(registration_id)
    form = invite_form(row_count(), reg.language)
    if request.method == "GET":
        return colleagues_page(reg, form, template=TEMPLATE)
    form.validate_on_submit()
    answers, general, status = invite_from_form(reg, form, actor=actor())
    if answers is None:
        return colleagues_page(reg, form, status, general=general, template=TEMPLATE)
    fresh = invite_form(ROWS, reg.language, formdata=None)
    return colleagues_page(reg, fresh, answers=answers, template=TEMPLATE)
