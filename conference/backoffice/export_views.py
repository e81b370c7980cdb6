"""The lists page: downloads of registrations, activity lists, badges and attendance lists."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.admin import download
from conference.auth import organiser_required
from conference.backoffice import pdf
from conference.backoffice.blueprint import bp
from conference.backoffice.common import PDF_MIME
from conference.errors import NotFound
from conference.extensions import db
from conference.services import current_conference
from conference.validation import as_id
from registration.models import Registration
from registration.questions.services import answer_options
from sessions.programme import services as programme
from sessions.programme.models import SEATED_KINDS, Activity


def _seated_activities(conf) -> list[Activity]:
    return [a for a in programme.activities(conf, published_only=False) if a.kind in SEATED_KINDS]


@bp.get("/lijsten", endpoint="exports")
@organiser_required
def export_page():
    """Every download in one place."""
    conf = current_conference()
    return render_template(
        "backoffice/exports.html",
        conf=conf,
        activities=_seated_activities(conf),
        answers=answer_options(conf.id),
        section="exports",
    )


@bp.get("/lijsten/badges.pdf")
@organiser_required
def badges():
    """Name badges of every on-site registration (8 per A4 page), or of one activity's people."""
    conf = current_conference()
    query = (
        select(Registration)
        .where(
            Registration.conference_id == conf.id,
            Registration.status == "registered",
            Registration.mode == "onsite",
        )
        .options(selectinload(Registration.tickets))
        .order_by(Registration.last_name, Registration.first_name, Registration.id)
    )
    regs = list(db.session.scalars(query))
    return download(pdf.badges_pdf(conf, regs), f"badges-{conf.slug}.pdf", PDF_MIME)


@bp.get("/lijsten/deelnemerslijsten.pdf")
@organiser_required
def attendance_lists():
    """Attendance lists of every seated activity (or `?activity=<id>` for one), as PDF."""
    conf = current_conference()
    acts = _seated_activities(conf)
    asked = request.args.get("activity")
    one = as_id(asked) if asked is not None else None
    if asked is not None and one is None:
        raise NotFound()  # no activity can have that id
    name = f"deelnemerslijsten-{conf.slug}.pdf"
    if one is not None:
        acts = [a for a in acts if a.id == one]
        if not acts:
            act = db.session.get(Activity, one)
            if act is None or act.conference_id != conf.id:
                raise NotFound()
            acts = [act]
        name = f"deelnemerslijst-{acts[0].slug}.pdf"
    return download(pdf.attendance_pdf(conf, acts), name, PDF_MIME)
