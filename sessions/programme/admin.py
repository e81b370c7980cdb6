"""The organiser's programme screens under /beheer/programma; the rules live in the services."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from conference.admin import ConfirmForm, actor, download
from conference.auth import organiser_required
from conference.errors import Conflict, Invalid
from conference.services import current_conference
from sessions.programme import editing
from sessions.programme import entities as items
from sessions.programme import services as programme_services
from sessions.programme.admin_forms import FORMS, ActivityForm, ImportForm
from sessions.programme.errors import ProgrammeError
from sessions.programme.export import export_programme
from sessions.programme.importing import import_programme
from sessions.programme.models import Activity, Room, Speaker
from sessions.programme.validation import clock

bp = Blueprint("programme_admin", __name__, url_prefix="/beheer")

# URL words (Dutch) for the four simple kinds.
ENTITY_WORDS = {"themas": "theme", "blokken": "block", "zalen": "room", "sprekers": "speaker"}
ENTITY_TITLES = {
    "theme": (_l("Nieuw thema"), _l("Thema bewerken")),
    "block": (_l("Nieuw blok"), _l("Blok bewerken")),
    "room": (_l("Nieuwe zaal"), _l("Zaal bewerken")),
    "speaker": (_l("Nieuwe spreker"), _l("Spreker bewerken")),
}


def _word(kind: str) -> str:
    return next(w for w, k in ENTITY_WORDS.items() if k == kind)


@bp.get("/programma")
@organiser_required
def overview():
    """Every part of the programme, with links to edit it."""
    conf = current_conference()
    return render_template(
        "sessions/admin/programme.html",
        conf=conf,
        activities=programme_services.activities(conf, published_only=False),
        rows=items.rows_by_kind(conf),
        words={k: _word(k) for k in items.SPECS},
        clock=lambda m: clock(m, conf),
        confirm=ConfirmForm(),
        import_form=ImportForm(),
        section="programme",
    )


def _apply_errors(form: Any, exc: Invalid) -> None:
    for key, message in (exc.fields or {}).items():
        target = getattr(form, key, None)
        if target is not None and hasattr(target, "errors"):
            if isinstance(target.errors, tuple):
                target.errors = list(target.errors)
            target.errors.append(message)
        else:
            form.form_errors.append(message)


@bp.route("/programma/<word>/nieuw", methods=["GET", "POST"])
@organiser_required
def entity_new(word: str):
    """Add a theme, block, room or speaker."""
    return _entity_page(word, None)


@bp.route("/programma/<word>/<int:row_id>", methods=["GET", "POST"])
@organiser_required
def entity(word: str, row_id: int):
    """Edit a theme, block, room or speaker."""
    return _entity_page(word, row_id)


def _entity_page(word: str, row_id: int | None):
    kind = ENTITY_WORDS.get(word) or abort(404)
    conf = current_conference()
    spec = items.SPECS[kind]
    row = None if row_id is None else editing.get_row(conf, spec.model, row_id)
    form_cls = FORMS[kind]
    form = (
        form_cls()
        if request.method == "POST"
        else form_cls(data=items.entity_values(conf, kind, row) if row is not None else None)
    )
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            data = form.data_for_schema(skip=("slug",) if row is not None else ())
            try:
                saved = items.save_entity(
                    conf, kind, row_id, data, actor=actor(), reason=form.reason.data
                )
            except Invalid as exc:
                _apply_errors(form, exc)
            else:
                flash(_("Opgeslagen: %(name)s.", name=saved.name), "success")
                return redirect(url_for("programme_admin.overview") + f"#{kind}s")
        status = 422
    title = ENTITY_TITLES[kind][0 if row is None else 1]
    return render_template(
        "sessions/admin/programme_entity.html",
        conf=conf,
        form=form,
        row=row,
        title=title,
        section="programme",
    ), status


def _activity_choices(form: ActivityForm, conf: Any) -> None:
    none = [("", _("geen"))]
    form.theme.choices = none + [(t.slug, t.name) for t in programme_services.themes(conf)]
    form.room.choices = none + [(r.slug, r.name) for r in items.by_name(conf, Room)]
    form.blocks.choices = [(b.slug, b.name) for b in programme_services.blocks(conf)]
    form.speakers.choices = [(s.slug, s.name) for s in items.by_name(conf, Speaker)]


@bp.route("/programma/activiteiten/nieuw", methods=["GET", "POST"])
@organiser_required
def activity_new():
    """Add an activity."""
    return _activity_page(None)


@bp.route("/programma/activiteiten/<int:activity_id>", methods=["GET", "POST"])
@organiser_required
def activity(activity_id: int):
    """Edit an activity: changes of time or place notify the people who have a seat."""
    return _activity_page(activity_id)


def _activity_page(activity_id: int | None):
    conf = current_conference()
    act = None if activity_id is None else editing.get_row(conf, Activity, activity_id)
    if request.method == "POST":
        form = ActivityForm()
    elif act is not None:
        form = ActivityForm(data=editing.activity_values(conf, act))
    else:
        form = ActivityForm()
    _activity_choices(form, conf)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            data = form.data_for_schema(skip=("slug",) if act is not None else ())
            try:
                if act is None:
                    saved = editing.create_activity(conf, data, actor=actor())
                else:
                    saved = editing.edit_activity(
                        conf, act.id, data, actor=actor(), reason=form.reason.data
                    )
            except Invalid as exc:
                _apply_errors(form, exc)
            except Conflict as exc:
                form.form_errors.append(exc.message)
            else:
                flash(_("Opgeslagen: %(title)s.", title=saved.title), "success")
                return redirect(url_for("programme_admin.activity", activity_id=saved.id))
        status = 422
    return render_template(
        "sessions/admin/programme_activity.html",
        conf=conf,
        form=form,
        act=act,
        section="programme",
    ), status


@bp.post("/programma/activiteiten/<int:activity_id>/publiceren")
@organiser_required
def publish(activity_id: int):
    """Show (published=1) or hide (published=0) an activity on the public programme."""
    form = ConfirmForm()
    if form.validate_on_submit():
        published = request.form.get("published") == "1"
        act = editing.set_published(
            current_conference(), activity_id, published, actor=actor(), reason=form.reason.data
        )
        message = (
            _("%(title)s staat in het programma.") if published else _("%(title)s is verborgen.")
        )
        flash(message % {"title": act.title}, "success")
    return redirect(url_for("programme_admin.overview") + "#activities")


@bp.route("/programma/importeren", methods=["GET", "POST"])
@organiser_required
def import_file():
    """Load a whole data file: all or nothing, with every problem and its line number."""
    conf = current_conference()
    form = ImportForm()
    problems, result, status = None, None, 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = import_programme(conf, upload.read(), actor=actor(), filename=upload.filename)
        except ProgrammeError as exc:
            problems, status = exc.problems, 422
    elif request.method == "POST":
        status = 422
    return render_template(
        "sessions/admin/programme_import.html",
        conf=conf,
        form=form,
        problems=problems,
        result=result,
        section="programme",
    ), status


@bp.get("/programma/export.yaml")
@organiser_required
def export_file():
    """The whole programme as a data file, to edit and load again."""
    conf = current_conference()
    text = export_programme(conf)
    return download(text.encode("utf-8"), f"programma-{conf.slug}.yaml", "application/yaml")
