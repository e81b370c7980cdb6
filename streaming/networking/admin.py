"""Organiser screens of networking: the networking moments (slots) and the themed tables."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from conference.admin import ConfirmForm, actor, show_domain_error
from conference.auth import organiser_required
from conference.errors import DomainError
from conference.extensions import db
from conference.i18n import localized
from conference.services import current_conference
from sessions.programme.models import Activity, Theme
from streaming.networking import slots, tables
from streaming.networking.forms import SlotForm, TablesForm, ThemeTableForm

bp = Blueprint("networking_admin", __name__, url_prefix="/beheer/netwerken")


def _forms(conf) -> tuple[SlotForm, ThemeTableForm]:
    slot_form, table_form = SlotForm(prefix="slot"), ThemeTableForm(prefix="table")
    acts = db.session.scalars(
        select(Activity)
        .where(Activity.conference_id == conf.id, Activity.kind == "networking")
        .order_by(Activity.starts_at, Activity.id)
    )
    slot_form.activity_id.choices = [(a.id, localized(a, "title")) for a in acts]
    table_form.slot_id.choices = [(s.id, localized(s.activity, "title")) for s in slots.slots(conf)]
    themes = db.session.scalars(
        select(Theme).filter_by(conference_id=conf.id).order_by(Theme.position, Theme.id)
    )
    table_form.theme_id.choices = [(t.id, localized(t, "name")) for t in themes]
    return slot_form, table_form


def _page(conf, slot_form, table_form, status: int = 200):
    return render_template(
        "streaming/networking/admin.html",
        conf=conf,
        slots=slots.slots(conf),
        tables=tables.tables(conf),
        slot_form=slot_form,
        table_form=table_form,
        tables_form=TablesForm,
        confirm=ConfirmForm(),
        section="networking",
    ), status


@bp.get("")
@organiser_required
def overview():
    """The slots with their meeting tables, and the themed tables."""
    conf = current_conference()
    return _page(conf, *_forms(conf))


@bp.post("/momenten")
@organiser_required
def add_slot():
    """Make a networking activity a slot."""
    conf = current_conference()
    slot_form, table_form = _forms(conf)
    if slot_form.validate_on_submit():
        try:
            slots.add_slot(conf, slot_form.activity_id.data, slot_form.tables.data, actor())
        except DomainError as exc:
            show_domain_error(slot_form, exc)
        else:
            flash(_l("Het netwerkmoment is toegevoegd."), "success")
            return redirect(url_for(".overview"))
    return _page(conf, slot_form, table_form, 422)


@bp.post("/momenten/standaard")
@organiser_required
def add_defaults():
    """Add lunch and reception (the moments outside the blocks after the opening)."""
    if ConfirmForm().validate_on_submit():
        added = slots.add_default_slots(current_conference(), actor())
        flash(_l("%(n)d netwerkmomenten toegevoegd.", n=added), "success")
    return redirect(url_for(".overview"))


@bp.post("/momenten/<int:slot_id>")
@organiser_required
def set_tables(slot_id: int):
    """Change a slot's number of meeting tables."""
    form = TablesForm(prefix=f"s{slot_id}")
    if form.validate_on_submit():
        try:
            slots.set_tables(current_conference(), slot_id, form.tables.data, actor())
            flash(_l("Het aantal tafels is gewijzigd."), "success")
        except DomainError as exc:
            flash(exc.message, "error")
    else:
        flash(_l("Vul een getal van 0 tot 500 in."), "error")
    return redirect(url_for(".overview"))


@bp.post("/momenten/<int:slot_id>/verwijderen")
@organiser_required
def remove_slot(slot_id: int):
    """Remove a slot nobody uses."""
    if ConfirmForm().validate_on_submit():
        try:
            slots.remove_slot(current_conference(), slot_id, actor())
            flash(_l("Het netwerkmoment is verwijderd."), "success")
        except DomainError as exc:
            flash(exc.message, "error")
    return redirect(url_for(".overview"))


@bp.post("/tafels")
@organiser_required
def add_table():
    """Set up a themed table."""
    conf = current_conference()
    slot_form, table_form = _forms(conf)
    if table_form.validate_on_submit():
        data = {k: table_form[k].data for k in ("slot_id", "theme_id", "title", "capacity")}
        data["title_en"] = table_form.title_en.data or None
        try:
            tables.add_table(conf, data, actor())
        except DomainError as exc:
            show_domain_error(table_form, exc)
        else:
            flash(_l("De tafel is toegevoegd."), "success")
            return redirect(url_for(".overview") + "#tafels")
    return _page(conf, slot_form, table_form, 422)


@bp.post("/tafels/<int:table_id>/verwijderen")
@organiser_required
def remove_table(table_id: int):
    """Remove a themed table nobody booked."""
    if ConfirmForm().validate_on_submit():
        try:
            tables.remove_table(current_conference(), table_id, actor())
            flash(_l("De tafel is verwijderd."), "success")
        except DomainError as exc:
            flash(exc.message, "error")
    return redirect(url_for(".overview") + "#tafels")
