"""Organiser screens: contingents, their codes (printable, CSV), revoking a code."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from conference.admin import ConfirmForm, actor, download
from conference.auth import organiser_required
from conference.errors import Conflict, Invalid, NotFound
from conference.extensions import db
from conference.services import current_conference
from registration.contingents import services
from registration.contingents.forms import ContingentForm
from registration.contingents.models import Contingent
from registration.views import apply_errors

bp = Blueprint("contingents_admin", __name__, url_prefix="/beheer/contingenten")


def _contingent(contingent_id: int) -> Contingent:
    row = db.session.get(Contingent, contingent_id)
    if row is None or row.conference_id != current_conference().id:
        raise NotFound()
    return row


def _overview(form: ContingentForm, status: int = 200, general=None):
    conf = current_conference()
    rows = [(row, services.codes_left(row)) for row in services.contingents(conf.id)]
    return render_template(
        "registration/contingents/index.html", conf=conf, form=form, rows=rows,
        general=general, section="contingents",
    ), status  # fmt: skip


@bp.route("", methods=["GET", "POST"], endpoint="index")
@organiser_required
def index():
    """The contingents with places, used and left; a form for a new one."""
    form = ContingentForm()
    if not form.validate_on_submit():
        return _overview(form, 422 if form.errors else 200)
    conf = current_conference()
    data = {"name": form.name.data or "", "places": form.places.data}
    if form.kind.data == "shared":
        data["shared_uses"] = form.places.data
    else:
        data["codes"] = form.places.data
    if form.release_at.data:
        data["release_at"] = form.release_at.data.replace(tzinfo=ZoneInfo(conf.timezone))
        data["release_at"] = data["release_at"].isoformat()
    try:
        made = services.create_contingent(conf, data, actor=actor())
    except Invalid as exc:
        return _overview(form, 422, general=apply_errors(form, exc.fields))
    except Conflict as exc:
        return _overview(form, 409, general={"places": exc.message})
    flash(_("Het contingent is gemaakt. Geef de codes door aan de partner."), "success")
    return redirect(url_for("contingents_admin.codes", contingent_id=made.id), code=303)


@bp.get("/<int:contingent_id>", endpoint="codes")
@organiser_required
def codes(contingent_id: int):
    """A contingent's codes, printable for the partner."""
    row = _contingent(contingent_id)
    return render_template(
        "registration/contingents/codes.html", conf=current_conference(), contingent=row,
        codes=services.code_list(row), left=services.codes_left(row),
        section="contingents",
    )  # fmt: skip


@bp.get("/<int:contingent_id>/codes.csv", endpoint="csv")
@organiser_required
def codes_csv(contingent_id: int):
    """The codes as CSV, for the partner's mail merge."""
    row = _contingent(contingent_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["contingent", "nummer", "code", "gebruik", "max", "ingetrokken"])
    for code in services.code_list(row):
        writer.writerow([row.name, code["number"], code["code"], code["uses"], code["max_uses"],
                         "ja" if code["revoked"] else ""])  # fmt: skip
    return download(out.getvalue().encode(), f"codes-{row.id}.csv", "text/csv; charset=utf-8")


@bp.route(
    "/<int:contingent_id>/codes/<int:number>/intrekken", methods=["GET", "POST"], endpoint="revoke"
)
@organiser_required
def revoke(contingent_id: int, number: int):
    """Revoke one code after a confirm step (the places it gave stay taken)."""
    row = _contingent(contingent_id)
    code = next((c for c in services.code_list(row) if c["number"] == number), None)
    if code is None:
        raise NotFound()
    form = ConfirmForm()
    if request.method == "GET" or code["revoked"]:
        if code["revoked"]:
            flash(_("Deze code was al ingetrokken."), "info")
            return redirect(url_for("contingents_admin.codes", contingent_id=row.id), code=303)
        return render_template(
            "registration/contingents/revoke.html", conf=current_conference(), contingent=row,
            code=code, form=form, section="contingents",
        )  # fmt: skip
    form.validate_on_submit()  # the CSRF token (checked app-wide)
    services.revoke_code(contingent_id, number, actor=actor(), reason=form.reason.data)
    flash(_("De code is ingetrokken."), "success")
    return redirect(url_for("contingents_admin.codes", contingent_id=contingent_id), code=303)
