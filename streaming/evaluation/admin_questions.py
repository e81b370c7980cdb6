"""The organisers' screens for an evaluation's questions (/beheer/evaluatie/<id>/vragen): add,
change, remove, and copy the set to every activity of the same kind (after a confirm step).

Once an evaluation has answers its questions stay as they are: the pages say so (409).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from conference.admin import ConfirmForm, actor
from conference.auth import organiser_required
from conference.errors import Invalid
from conference.extensions import db
from conference.i18n import lang
from conference.services import current_conference
from registration.questions.admin_forms import TYPE_LABELS, show_question_errors
from sessions.programme.admin_forms import KIND_LABELS
from streaming.evaluation import editing, services
from streaming.evaluation.admin_forms import EvaluationQuestionForm, fill_question, question_data
from streaming.evaluation.errors import HasAnswers
from streaming.evaluation.views import bp


def _evaluation(evaluation_id: int):
    conf = current_conference()
    ev = services.evaluation_of(conf, evaluation_id)
    return conf, ev, services.title_of(conf, ev, lang())


def _list_url(evaluation_id: int) -> str:
    return url_for("evaluation.questions", evaluation_id=evaluation_id)


def _locked_page(ev, title: str):
    """The clear refusal when answers exist (the API says 409 `has_answers`)."""
    return render_template(
        "streaming/evaluation/questions_locked.html", ev=ev, title=title,
        message=HasAnswers.message,
    ), HasAnswers.status  # fmt: skip


@bp.get("/beheer/evaluatie/<int:evaluation_id>/vragen")
@organiser_required
def questions(evaluation_id: int):
    """An evaluation's questions, with links to change them while no one has answered."""
    _conf, ev, title = _evaluation(evaluation_id)
    return render_template(
        "streaming/evaluation/questions.html", ev=ev, title=title,
        answers=services.answer_count(db.session, ev.id), types=TYPE_LABELS,
        kind=KIND_LABELS.get(ev.activity.kind) if ev.activity else None,
    )  # fmt: skip


def _form_page(ev, title, form, key=None, general=None, status=200):
    return render_template(
        "streaming/evaluation/question_form.html",
        ev=ev, title=title, form=form, key=key, general=general,
    ), status  # fmt: skip


@bp.route("/beheer/evaluatie/<int:evaluation_id>/vragen/nieuw", methods=["GET", "POST"])
@bp.route("/beheer/evaluatie/<int:evaluation_id>/vragen/<key>", methods=["GET", "POST"])
@organiser_required
def question_form(evaluation_id: int, key: str | None = None):
    """Add a question at the end, or change one (its key stays)."""
    conf, ev, title = _evaluation(evaluation_id)
    stored = editing.question_of(ev, key) if key else None
    if services.answer_count(db.session, ev.id):
        return _locked_page(ev, title)
    form = EvaluationQuestionForm()
    if request.method == "GET":
        if stored:
            fill_question(form, stored)
        return _form_page(ev, title, form, key)
    if not form.validate_on_submit():
        return _form_page(ev, title, form, key, status=422)
    data = question_data(form, new=key is None)
    try:
        if key is None:
            editing.add_question(conf, ev.id, data, actor=actor())
        else:
            editing.change_question(conf, ev.id, key, data, actor=actor())
    except HasAnswers:
        return _locked_page(ev, title)
    except Invalid as exc:
        general = show_question_errors(form, exc.fields or {})
        return _form_page(ev, title, form, key, general, 422)
    flash(_("De vraag is bewaard."), "success")
    return redirect(_list_url(ev.id), code=303)


@bp.route("/beheer/evaluatie/<int:evaluation_id>/vragen/<key>/verwijderen", methods=["GET", "POST"])
@organiser_required
def question_delete(evaluation_id: int, key: str):
    """Confirm, then take a question out of the evaluation."""
    conf, ev, title = _evaluation(evaluation_id)
    stored = editing.question_of(ev, key)
    if services.answer_count(db.session, ev.id):
        return _locked_page(ev, title)
    form = ConfirmForm()
    general = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            editing.remove_question(conf, ev.id, key, actor=actor())
        except HasAnswers:
            return _locked_page(ev, title)
        except Invalid as exc:
            general = exc.fields
        else:
            flash(_("De vraag is verwijderd."), "success")
            return redirect(_list_url(ev.id), code=303)
    return render_template(
        "streaming/evaluation/question_delete.html",
        ev=ev, title=title, question=stored, form=form, general=general,
    ), (422 if general else 200)  # fmt: skip


@bp.route("/beheer/evaluatie/<int:evaluation_id>/voor-alle", methods=["GET", "POST"])
@organiser_required
def copy_to_kind(evaluation_id: int):
    """Confirm, then give every activity of this one's kind the same questions."""
    conf, ev, title = _evaluation(evaluation_id)
    if ev.activity is None:
        return redirect(_list_url(ev.id), code=303)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        done = editing.copy_to_kind(conf, ev.id, actor=actor())
        flash(
            _("%(changed)d evaluaties kregen deze vragen. %(skipped)d hadden al antwoorden en "
              "bleven zoals ze waren.", changed=done.changed, skipped=done.skipped),
            "success",
        )  # fmt: skip
        return redirect(_list_url(ev.id), code=303)
    others = editing.same_kind(db.session, conf, ev)
    return render_template(
        "streaming/evaluation/copy.html", ev=ev, title=title, form=form, others=len(others),
        answered=len(editing.with_answers(db.session, [o.id for o in others])),
        kind=KIND_LABELS.get(ev.activity.kind, ev.activity.kind),
    )  # fmt: skip
