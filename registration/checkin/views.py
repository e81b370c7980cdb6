"""Scanner pages for check-in volunteers, the help desk, and the organisers' live figures."""

from __future__ import annotations

import uuid

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from conference import live
from conference.auth import role_required
from conference.clock import utcnow
from conference.errors import DomainError, Invalid, NotFound
from conference.i18n import localized
from conference.mail.qr import qr_svg
from conference.security import page_policy
from conference.services import current_conference
from conference.validation import as_id, impossible
from registration.checkin import lists, services, updates
from registration.checkin.checkpoints import list_checkpoints, resolve_checkpoint
from registration.checkin.forms import CheckpointForm, ManualCheckinForm, ReissueForm, SearchForm
from registration.checkin.registry import ENTRANCE
from registration.services import reissue_ticket
from registration.tickets import ticket_url

bp = Blueprint("checkin", __name__)

checkin_staff = role_required("organiser", "checkin")


def _checkpoint_or_404(key: str):
    conf = current_conference()
    try:
        return conf, resolve_checkpoint(conf, key)
    except Invalid:
        raise NotFound() from None


@bp.get("/scanner")
@checkin_staff
def choose():
    """Pick the checkpoint to scan at."""
    conf = current_conference()
    choices = list_checkpoints(conf)
    form = CheckpointForm(request.args)
    form.checkpoint.choices = [SelectChoice(cp.key, _checkpoint_choice(cp)) for cp in choices]
    if request.args.get("checkpoint") and form.validate():
        return redirect(url_for("checkin.scanner", checkpoint=form.checkpoint.data))
    return render_template("registration/scanner_choose.html", form=form, conf=conf)


def _checkpoint_choice(cp) -> str:
    label = localized(cp, "label")
    if cp.key == ENTRANCE:
        return label
    where = f" ({cp.location})" if cp.location else ""
    return f"{format_time(cp.starts_at, 'HH:mm')} · {label}{where}"


@bp.get("/scanner/<checkpoint>")
@page_policy(camera=True)
@checkin_staff
def scanner(checkpoint: str):
    """The camera scanner: continuous QR scanning, verdicts, offline queue, manual search."""
    conf, cp = _checkpoint_or_404(checkpoint)
    return render_template(
        "registration/scanner.html",
        conf=conf,
        cp=cp,
        cp_open=cp.is_open(utcnow()),
        cp_json=lists.checkpoint_json(cp),
        search_form=SearchForm(formdata=None),
        checkin_form=ManualCheckinForm(formdata=None),
    )


@bp.get("/scanner/<checkpoint>/zoeken")
@checkin_staff
def search(checkpoint: str):
    """Manual search without JavaScript: results with a check-in button each."""
    conf, cp = _checkpoint_or_404(checkpoint)
    form = SearchForm(request.args)
    results, error = None, None
    if form.validate():
        try:
            results = lists.search(conf, cp, form.q.data)
        except Invalid as exc:
            error = exc.message
    forms = {}
    for item in results or []:
        entry = ManualCheckinForm(formdata=None, registration_id=item["registration_id"])
        entry.type.data = "entry"
        forms[item["registration_id"]] = entry
    return render_template(
        "registration/scanner_search.html",
        conf=conf,
        cp=cp,
        form=form,
        results=results,
        error=error,
        forms=forms,
        nonce=lambda: uuid.uuid4().hex,
        reissue_form=ReissueForm(formdata=None),
    ), 422 if form.q.process_errors else 200


@bp.post("/scanner/<checkpoint>/inchecken")
@checkin_staff
def manual_checkin(checkpoint: str):
    """Check a person in or out from the search results (the nonce makes a resubmit harmless)."""
    conf, cp = _checkpoint_or_404(checkpoint)
    form = ManualCheckinForm()
    registration_id = as_id(form.registration_id.data)
    if not form.validate_on_submit() or registration_id is None:
        return redirect(url_for("checkin.scanner", checkpoint=cp.key))
    nonce = request.form.get("nonce") or None
    if nonce and impossible(nonce):  # a nonce only makes a resubmit harmless: drop a broken one
        nonce = None
    result = services.redeem(
        conf,
        checkpoint=cp.key,
        registration_id=registration_id,
        type=form.type.data or "entry",
        nonce=nonce[:64] if nonce else None,
        staff=current_user._get_current_object(),
        device="web-form",
    )
    return render_template(
        "registration/checkin_verdict.html", conf=conf, cp=cp, result=result.body
    ), result.http_status


@bp.post("/scanner/<checkpoint>/ticket/<int:registration_id>")
@checkin_staff
def reissue(checkpoint: str, registration_id: int):
    """Help desk: revoke the person's ticket, show the new one and mail it."""
    conf, cp = _checkpoint_or_404(checkpoint)
    form = ReissueForm()
    if not form.validate_on_submit():
        return redirect(url_for("checkin.scanner", checkpoint=cp.key))
    try:
        ticket = reissue_ticket(
            registration_id,
            actor=current_user._get_current_object(),
            reason=services.DESK_REASON,
            conference_id=conf.id,
        )
    except DomainError as exc:
        return render_template(
            "registration/checkin_ticket.html", conf=conf, cp=cp, error=exc.message
        ), exc.status
    url = ticket_url(ticket)
    response = render_template(
        "registration/checkin_ticket.html",
        conf=conf,
        cp=cp,
        registration=ticket.registration,
        url=url,
        qr=qr_svg(url),
    )
    return response, 201, {"Cache-Control": "no-store"}


@bp.get("/beheer/checkin")
@checkin_staff
@live.conditional(updates.figures_etag)
def figures():
    """Live figures: arrivals per quarter hour, inside now, no-shows per workshop.

    For organisers and check-in volunteers alike: the people at the doors see the crowd too.
    """
    conf = current_conference()
    context = {
        "conf": conf,
        "entrance": lists.entrance_stats(conf),
        "activities": lists.activity_figures(conf),
        "flagged": lists.flagged_scans(conf, limit=50),
        "checkpoints": {cp.key: cp for cp in list_checkpoints(conf)},
    }
    if request.args.get("fragment"):
        return render_template("registration/checkin_figures_body.html", **context)
    return render_template("registration/checkin_figures.html", **context)
