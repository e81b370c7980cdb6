"""The personal page's answers: see them, and change those whose deadline has not passed."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from conference.clock import utcnow
from conference.errors import Invalid
from conference.extensions import db
from conference.i18n import lang
from conference.questions.fields import fill
from conference.questions.kinds import answer_text
from registration.account.views import attendee_page
from registration.questions.forms import (
    AnswersForm,
    form_with_questions,
    posted_answers,
    show_answer_errors,
)
from registration.questions.services import (
    answers_by_key,
    closed_keys,
    form_questions,
    update_answers,
)
from registration.views import apply_errors, bp


@bp.route("/mijn-inschrijving/vragen", methods=["GET", "POST"])
@attendee_page
def answers(reg):
    """One's answers to the organisers' questions; those past their deadline are shown only."""
    form = form_with_questions(AnswersForm, reg.conference_id, reg.mode)
    closed = closed_keys(db.session, reg.conference_id, utcnow())
    open_questions = [q for q in form.questions if q.key not in closed]
    stored = answers_by_key(reg.id)
    general = None
    if request.method == "POST":
        form.validate_on_submit()
        if not form.errors:
            raw = {k: v for k, v in posted_answers(form).items() if k not in closed}
            try:
                update_answers(reg.id, raw)
            except Invalid as exc:
                general = apply_errors(form, show_answer_errors(form, exc.fields))
                return _page(form, reg, open_questions, closed, stored, general), 422
            flash(gettext("Je antwoorden zijn bewaard."), "success")
            return redirect(url_for("registration.manage"), code=303)
    else:
        fill(form, form.questions, stored)
    return _page(form, reg, open_questions, closed, stored, general)


def answers_shown(reg) -> list[tuple[str, str]]:
    """The person's answers to the questions of their mode, as (label, text), for their page."""
    stored = answers_by_key(reg.id)
    return [
        (d.label, answer_text(d, stored.get(d.key)))
        for d in form_questions(db.session, reg.conference_id, lang(), reg.mode)
    ]


def _page(form, reg, open_questions, closed, stored, general):
    shown = [q for q in form.questions if q.key in closed]
    return render_template(
        "registration/answers.html",
        form=form,
        reg=reg,
        questions=open_questions,
        closed=[(q, stored.get(q.key)) for q in shown],
        general=general,
        language=lang(),
    )
