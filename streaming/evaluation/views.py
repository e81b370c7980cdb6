"""Attendee pages: the evaluations open to me, and one form (works without JavaScript)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from conference.errors import DomainError, Invalid
from conference.extensions import limiter
from conference.i18n import lang
from conference.questions.fields import show_errors, submitted_answers
from conference.services import current_conference
from registration.account.views import attendee_page
from streaming.api import per_person
from streaming.evaluation import services
from streaming.evaluation.forms import answer_form

bp = Blueprint("evaluation", __name__)


@bp.get("/evaluatie")
@attendee_page
def index(reg):
    """The evaluations the person may fill in now, and how many they already did."""
    conf = current_conference()
    forms = services.open_for(conf, reg)
    language = lang()
    return render_template(
        "streaming/evaluation/index.html",
        forms=[(ev, services.title_of(conf, ev, language), services.window(conf, ev)[2])
               for ev in forms],
        answered=len(services.answered_ids(reg.id)),
    )  # fmt: skip


@bp.route("/evaluatie/<int:evaluation_id>", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"], key_func=per_person)
@attendee_page
def answer(reg, evaluation_id: int):
    """One evaluation form; answers are stored anonymously, once."""
    conf = current_conference()
    ev = services.evaluation_of(conf, evaluation_id)
    form = answer_form(services.questions_of(ev, lang()))
    title = services.title_of(conf, ev, lang())
    general, status = None, 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.answer(conf, ev.id, reg, submitted_answers(form, form.questions))
        except Invalid as exc:
            general, status = show_errors(form, exc.fields or {}), 422
        except DomainError as exc:
            return _refused(title, exc)
        else:
            flash(gettext("Bedankt! Je evaluatie is anoniem bewaard."), "success")
            return redirect(url_for("evaluation.index"), code=303)
    elif request.method == "POST":
        status = 422
    elif (problem := services.why_not(conf, ev, reg)) is not None:
        return _refused(title, problem)
    return render_template(
        "streaming/evaluation/form.html", form=form, ev=ev, title=title, general=general
    ), status


def _refused(title: str, error: DomainError):
    return render_template(
        "streaming/evaluation/refused.html", title=title, message=error.message
    ), error.status
