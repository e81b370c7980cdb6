"""The draw's review page in the back office: dry run, figures, name merges, then publish."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from conference.admin import PROFILE_LABELS, ConfirmForm, actor, show_domain_error
from conference.auth import organiser_required
from conference.clock import utcnow
from conference.errors import DomainError
from conference.extensions import db
from conference.services import current_conference
from registration.draw import merges, services
from registration.draw.forms import MergeForm
from registration.draw.inputs import waiting_count
from registration.draw.models import VenueDraw

bp = Blueprint("draw_admin", __name__, url_prefix="/beheer/loting")


def changes(dry_run: dict[str, Any] | None) -> dict[str, Any] | None:
    """What changed from the dry run before: places per profile and people in or out."""
    previous = (dry_run or {}).get("previous") or {}
    if not previous.get("drawn") and previous.get("registered") is None:
        return None
    now_in, then_in = set(dry_run["drawn"]), set(previous.get("drawn") or [])
    before = previous.get("per_profile") or {}
    return {
        "registered": (previous.get("registered") or 0, dry_run["registered"]),
        "in": len(now_in - then_in),
        "out": len(then_in - now_in),
        "per_profile": {
            p: ((before.get(p) or {}).get("registered", 0), v["registered"])
            for p, v in dry_run["per_profile"].items()
        },
    }


def _row(conference_id: int) -> VenueDraw | None:
    return db.session.query(VenueDraw).filter_by(conference_id=conference_id).one_or_none()


def review_page(merge_form: MergeForm | None = None, status: int = 200):
    """The review page (a refused merge form shows again with its messages)."""
    conf = current_conference()
    row = _row(conf.id)
    return render_template(
        "registration/draw/review.html",
        conf=conf,
        row=row,
        waiting=waiting_count(db.session, conf.id),
        changes=changes(row.dry_run if row else None),
        profile_labels=PROFILE_LABELS,
        merge_form=merge_form or MergeForm(formdata=None),
        merge_rows=merges.merge_list(conf.id),
        confirm=ConfirmForm(formdata=None),
        section="settings",
    ), status


@bp.get("", endpoint="review")
@organiser_required
def review():
    """Applications, the last dry run and what changed since the one before."""
    return review_page()


@bp.post("/proef", endpoint="dry_run")
@organiser_required
def dry_run():
    """A dry run with the committed seed: nobody is changed or mailed."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.dry_run(current_conference().id, utcnow())
            flash(_("De proefloting is klaar. Kijk de cijfers na."), "success")
        except DomainError as exc:
            flash(str(exc.message), "error")
    return redirect(url_for("draw_admin.review"), code=303)


@bp.post("/samenvoegen", endpoint="merge")
@organiser_required
def merge():
    """Count one organisation name as another in the draw and the figures."""
    form = MergeForm()
    if not form.validate_on_submit():
        return review_page(form, 422)
    try:
        merges.add_merge(current_conference().id, form.alias.data, form.canonical.data, actor())
    except DomainError as exc:
        show_domain_error(form, exc)
        return review_page(form, 422)
    flash(_("De namen tellen nu als één organisatie. Doe een nieuwe proefloting."), "success")
    return redirect(url_for("draw_admin.review"), code=303)


@bp.post("/samenvoegen/<int:merge_id>/weg", endpoint="unmerge")
@organiser_required
def unmerge(merge_id: int):
    """Undo a merge."""
    if ConfirmForm().validate_on_submit():
        merges.remove_merge(current_conference().id, merge_id, actor())
        flash(_("De samenvoeging is weg."), "success")
    return redirect(url_for("draw_admin.review"), code=303)


@bp.route("/publiceren", methods=["GET", "POST"], endpoint="publish")
@organiser_required
def publish():
    """Ask first, then publish: places, waiting list and mails, once and for good."""
    conf = current_conference()
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            answer = services.publish(conf.id, utcnow(), actor())
        except DomainError as exc:
            flash(str(exc.message), "error")
            return redirect(url_for("draw_admin.review"), code=303)
        flash(
            _("De loting is gepubliceerd: %(n)d plaatsen gegeven.", n=answer["registered"]),
            "success",
        )
        return redirect(url_for("draw_admin.review"), code=303)
    return render_template(
        "registration/draw/publish.html",
        conf=conf,
        row=_row(conf.id),
        waiting=waiting_count(db.session, conf.id),
        form=form,
        section="settings",
    )
