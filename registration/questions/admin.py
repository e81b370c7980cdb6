"""The organisers' question screens (/beheer/vragen): list, add, change, reorder, archive."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from conference.admin import ConfirmForm, actor
from conference.auth import organiser_required
from conference.errors import Invalid
from conference.extensions import db
from conference.services import current_conference
from registration.admin.sections import PersonSection
from registration.questions import editing
from registration.questions.admin_forms import (
    TYPE_LABELS,
    QuestionForm,
    fill_form,
    form_data,
    show_question_errors,
)
from registration.questions.services import (
    answer_counts,
    answer_text,
    answers_table,
    questions_of,
)

bp = Blueprint("questions_admin", __name__, url_prefix="/beheer/vragen")


@bp.get("", endpoint="questions")
@organiser_required
def question_list():
    """Every question in form order, archived ones marked, with how many answered."""
    conf = current_conference()
    return render_template(
        "registration/admin/questions.html",
        conf=conf,
        questions=questions_of(db.session, conf.id, archived=True),
        counts=answer_counts(conf.id),
        types=TYPE_LABELS,
        confirm=ConfirmForm(),
        section="questions",
    )


def _edit_page(form, q=None, general=None, status=200):
    return render_template(
        "registration/admin/question_form.html",
        form=form, question=q, general=general, section="questions",
    ), status  # fmt: skip


@bp.route("/nieuw", methods=["GET", "POST"])
@organiser_required
def question_new():
    """Add a question at the end of the form."""
    form = QuestionForm()
    if request.method == "GET":
        form.modes.data = ["onsite", "online"]
        return _edit_page(form)
    if not form.validate_on_submit():
        return _edit_page(form, status=422)
    try:
        q = editing.create_question(
            current_conference().id, form_data(form, new=True), actor=actor()
        )
    except Invalid as exc:
        return _edit_page(form, general=show_question_errors(form, exc.fields), status=422)
    flash(_("De vraag '%(label)s' is toegevoegd.", label=q.label), "success")
    return redirect(url_for("questions_admin.questions"), code=303)


@bp.route("/<key>", methods=["GET", "POST"])
@organiser_required
def question_edit(key: str):
    """Change a question; its key stays, and with answers its type too."""
    conf = current_conference()
    q = editing.question_by_key(conf.id, key)
    form = QuestionForm()
    if request.method == "GET":
        fill_form(form, q)
        return _edit_page(form, q)
    if not form.validate_on_submit():
        return _edit_page(form, q, status=422)
    try:
        editing.update_question(conf.id, key, form_data(form, new=False), actor=actor())
    except Invalid as exc:
        return _edit_page(form, q, general=show_question_errors(form, exc.fields), status=422)
    flash(_("De vraag is bewaard."), "success")
    return redirect(url_for("questions_admin.questions"), code=303)


@bp.post("/<key>/<direction>")
@organiser_required
def question_move(key: str, direction: str):
    """Move a question one place up or down."""
    step = {"omhoog": -1, "omlaag": 1}.get(direction)
    if step is not None and ConfirmForm().validate_on_submit():
        editing.move_question(current_conference().id, key, step, actor=actor())
    return redirect(url_for("questions_admin.questions") + f"#vraag-{key}", code=303)


@bp.route("/<key>/verwijderen", methods=["GET", "POST"])
@organiser_required
def question_delete(key: str):
    """Confirm, then delete a question (archive it when it has answers)."""
    conf = current_conference()
    q = editing.question_by_key(conf.id, key)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        if editing.delete_question(conf.id, key, actor=actor()):
            flash(
                _("De vraag heeft antwoorden: ze is gearchiveerd, de antwoorden blijven."),
                "success",
            )
        else:
            flash(_("De vraag is verwijderd."), "success")
        return redirect(url_for("questions_admin.questions"), code=303)
    answered = editing.has_answers(db.session, q.id)
    return render_template(
        "registration/admin/question_delete.html",
        question=q, answered=answered, form=form, section="questions",
    )  # fmt: skip


@bp.post("/<key>/terugzetten")
@organiser_required
def question_restore(key: str):
    """Ask an archived question again."""
    if ConfirmForm().validate_on_submit():
        editing.restore_question(current_conference().id, key, actor=actor())
        flash(_("De vraag staat weer in het formulier."), "success")
    return redirect(url_for("questions_admin.questions"), code=303)


def person_sections(registration, *, conference, **_) -> list[PersonSection]:
    """The person's answers on their page in the back office (archived questions too)."""
    stored = answers_table([registration.id]).get(registration.id, {})
    rows = [
        (q, answer_text(q, stored.get(q.id)))
        for q in questions_of(db.session, conference.id, archived=True)
        if q.id in stored
    ]
    return [
        PersonSection("activities", "registration/admin/_person_answers.html", {"answers": rows})
    ]
