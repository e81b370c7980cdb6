"""Staff screens: every evaluation with its response rate, results, exports, on/off, setting.

Organisers see everything. Other staff (moderators, the check-in volunteers who print the
speakers' and guides' lists) see the results of an activity, as they see its seat list; the
day's results are the organisers'. Nothing is shown below five answers.

Speakers and guides have no account, address or token here (a `Speaker` is a name, an
organisation and a bio): their activity's participant list reaches them through staff, who
print `/beheer/activiteit/<id>/deelnemers`. Their results go the same way: this page (and its
CSV/XLSX), printable, for the activity only, from five answers.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from conference.admin import download
from conference.auth import organiser_required, staff_required
from conference.backoffice.common import CSV_MIME, XLSX_MIME
from conference.backoffice.exports import to_csv, to_xlsx
from conference.errors import Forbidden, NotFound
from conference.i18n import lang
from conference.services import current_conference
from streaming.evaluation import results, services
from streaming.evaluation.attendance import stream_seconds
from streaming.evaluation.defaults import MIN_ANSWERS
from streaming.evaluation.forms import SettingsForm, ToggleForm
from streaming.evaluation.views import bp


@bp.route("/beheer/evaluatie", methods=["GET", "POST"])
@organiser_required
def overview():
    """Every evaluation with attendees, answers and the response rate; the minutes setting."""
    conf = current_conference()
    form = SettingsForm()
    if form.validate_on_submit():
        services.set_stream_minutes(conf, form.minutes.data, actor=current_user)
        flash(gettext("De instelling is bewaard."), "success")
        return redirect(url_for("evaluation.overview"), code=303)
    if not form.is_submitted():
        form.minutes.data = stream_seconds(conf) // 60
    return render_template(
        "streaming/evaluation/overview.html",
        rates=results.response_rates(conf, lang()),
        form=form,
        toggle=ToggleForm(),
        minimum=MIN_ANSWERS,
    ), (422 if form.errors else 200)


def _visible(evaluation_id: int):
    conf = current_conference()
    ev = services.evaluation_of(conf, evaluation_id)
    if ev.for_day and not current_user.has_role("organiser"):
        raise Forbidden()
    return conf, ev


@bp.get("/beheer/evaluatie/<int:evaluation_id>")
@staff_required
def result_page(evaluation_id: int):
    """The results of one evaluation: counts, a bar chart per closed question, the comments."""
    conf, ev = _visible(evaluation_id)
    return render_template(
        "streaming/evaluation/results.html",
        result=results.results(conf, ev, lang()),
        minimum=MIN_ANSWERS,
    )


@bp.get("/beheer/evaluatie/<int:evaluation_id>.csv", defaults={"fmt": "csv"})
@bp.get("/beheer/evaluatie/<int:evaluation_id>.xlsx", defaults={"fmt": "xlsx"})
@staff_required
def export(evaluation_id: int, fmt: str):
    """The answers as CSV or XLSX (text cells never run as formulas); none below five."""
    conf, ev = _visible(evaluation_id)
    table = results.export_table(conf, ev, lang())
    if table is None:
        raise NotFound()
    name = f"evaluatie-{ev.target}.{fmt}"
    if fmt == "csv":
        return download(to_csv(table, conf.timezone), name, CSV_MIME)
    return download(to_xlsx(table, conf.timezone), name, XLSX_MIME)


@bp.post("/beheer/evaluatie/<int:evaluation_id>/aan", defaults={"state": "aan"})
@bp.post("/beheer/evaluatie/<int:evaluation_id>/uit", defaults={"state": "uit"})
@organiser_required
def toggle(evaluation_id: int, state: str):
    """Switch an evaluation on or off."""
    conf = current_conference()
    if ToggleForm().validate_on_submit():
        services.set_active(conf, evaluation_id, state == "aan", actor=current_user)
        flash(gettext("Bewaard."), "success")
    return redirect(url_for("evaluation.overview") + f"#evaluatie-{evaluation_id}", code=303)
