"""The conference settings page: the same rules as `PATCH /api/v1/conference`, in a form."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from conference.admin import actor
from conference.auth import organiser_required
from conference.backoffice.blueprint import bp
from conference.backoffice.settings_forms import SettingsForm
from conference.errors import Conflict, Invalid
from conference.services import current_conference, update_conference


@bp.route("/instellingen", methods=["GET", "POST"], endpoint="settings")
@organiser_required
def settings_page():
    """Change the venue capacity, the windows, the allocation mode, the quotas and the timings."""
    conf = current_conference()
    if request.method == "POST":
        form = SettingsForm.for_conference(conf, formdata=request.form)
    else:
        form = SettingsForm.for_conference(conf)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                update_conference(
                    conf, form.changes(conf), actor=actor(), reason=form.reason.data or None
                )
            except Invalid as exc:
                for key, message in (exc.fields or {}).items():
                    if key in form:
                        form[key].errors = [*form[key].errors, str(message)]
                    else:
                        form.form_errors.append(str(message))
            except Conflict as exc:
                # Leaving draw mode with applications waiting is the mode's problem (issue 15).
                field = (
                    form.venue_mode if exc.code == "applications_waiting" else form.onsite_capacity
                )
                field.errors = [*field.errors, str(exc.message)]
            else:
                flash(_("De instellingen zijn opgeslagen."), "success")
                return redirect(url_for("backoffice.settings"))
        status = 422
    return render_template(
        "backoffice/settings.html", conf=conf, form=form, section="settings"
    ), status
