"""Attendee pages of networking: profile, colleagues, meetings, themed tables (no script needed)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from conference.admin import page_number, show_domain_error
from conference.errors import DomainError, NotFound
from conference.extensions import db, limiter
from conference.i18n import localized
from conference.services import current_conference
from registration.access import attendee_required, current_registration
from sessions.programme.models import Theme
from streaming.api import per_person
from streaming.forms import ActionForm
from streaming.networking import meetings, profiles, slots, tables
from streaming.networking.api import MEETING_LIMIT
from streaming.networking.errors import NotVisible
from streaming.networking.forms import MeetingForm, ProfileForm

bp = Blueprint("networking", __name__, url_prefix="/netwerken")

# The confirm step of each action that cannot simply be undone.
CONFIRM = {
    "decline": (_l("Verzoek weigeren?"), _l("Weigeren"), meetings.decline),
    "cancel": (_l("Afspraak annuleren?"), _l("Annuleren"), meetings.cancel),
}


def _themes(conf) -> list[Theme]:
    """The programme's themes in their order."""
    return list(
        db.session.scalars(
            select(Theme).filter_by(conference_id=conf.id).order_by(Theme.position, Theme.id)
        )
    )


@bp.route("", methods=["GET", "POST"])
@attendee_required
def profile():
    """The opt-in profile: visible or not, and what colleagues see."""
    reg, conf = current_registration(), current_conference()
    saved = profiles.profile_of(reg.id)
    form = ProfileForm(obj=saved)
    form.themes.choices = [(t.id, localized(t, "name")) for t in _themes(conf)]
    if request.method == "GET" and saved is not None:
        form.themes.data = [t.id for t in saved.themes]
        form.visible.data = profiles.is_visible(reg)
    if form.validate_on_submit():
        try:
            profiles.save_profile(
                reg,
                {
                    "visible": form.visible.data,
                    "sector": form.sector.data or None,
                    "region": form.region.data or None,
                    "themes": form.themes.data or [],
                    "ask_me_about": form.ask_me_about.data or None,
                },
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(
                _l("Je profiel is bewaard.")
                if form.visible.data
                else _l("Je staat niet in de lijst van collega's."),
                "success",
            )
            return redirect(url_for(".people" if form.visible.data else ".profile"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "streaming/networking/profile.html",
        form=form,
        reg=reg,
        visible=profiles.is_visible(reg),
        registered=reg.status == "registered",
    ), status


@bp.get("/collegas")
@limiter.limit("120/minute", key_func=per_person)
@attendee_required
def people():
    """The directory of visible colleagues, with filters and pages."""
    reg, conf = current_registration(), current_conference()
    try:
        filters = profiles.parse_filters(request.args)
        pager = profiles.directory(reg, filters, page_number())
    except NotVisible as exc:
        return render_template("streaming/networking/not_visible.html", message=exc.message), 403
    found = profiles.profiles_for([p.id for p in pager.items])
    return render_template(
        "streaming/networking/people.html",
        pager=pager,
        profiles=found,
        filters=filters,
        themes=_themes(conf),
        slots=[s for s in slots.slots(conf) if slots.is_open(s)],
    )


@bp.route("/collegas/<int:person_id>/afspraak", methods=["GET", "POST"])
@limiter.limit(MEETING_LIMIT, key_func=per_person, methods=["POST"])
@attendee_required
def request_meeting(person_id: int):
    """Ask one colleague to meet at a networking moment."""
    reg, conf = current_registration(), current_conference()
    profiles.require_visible(reg)
    other = profiles.visible_person(conf.id, person_id, db.session)
    form = MeetingForm()
    open_slots = [s for s in slots.slots(conf) if slots.is_open(s)]
    form.slot.choices = [(s.id, localized(s.activity, "title")) for s in open_slots]
    both_here = meetings.on_site(reg) and meetings.on_site(other)
    if request.method == "GET":
        form.mode.data = "onsite" if both_here else "online"
    if form.validate_on_submit():
        try:
            meetings.request_meeting(
                reg,
                {
                    "with": other.id,
                    "slot": form.slot.data,
                    "mode": form.mode.data,
                    "note": form.note.data,
                },
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            flash(
                _l("Je verzoek is verstuurd. Je krijgt een e-mail als het aanvaard is."), "success"
            )
            return redirect(url_for(".meetings_page"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "streaming/networking/request.html",
        form=form,
        other=other,
        both_here=both_here,
        slots=open_slots,
    ), status


@bp.get("/afspraken")
@attendee_required
def meetings_page():
    """The person's requests and meetings, and the people they blocked."""
    reg, conf = current_registration(), current_conference()
    mine = [(m, meetings.meeting_json(m, reg, conf.timezone)) for m in meetings.meetings_of(reg)]
    return render_template(
        "streaming/networking/meetings.html",
        items=mine,
        form=ActionForm(),
        blocked=profiles.blocked_people(reg),
    )


@bp.post("/afspraken/<int:meeting_id>/aanvaarden")
@attendee_required
def accept(meeting_id: int):
    """Accept a request (it can be cancelled later)."""
    if ActionForm().validate_on_submit():
        try:
            meetings.accept(current_registration(), meeting_id)
            flash(_l("Afgesproken. De afspraak staat in je agenda."), "success")
        except DomainError as exc:
            if exc.status == 404:
                raise
            flash(exc.message, "error")
    return redirect(url_for(".meetings_page"))


@bp.route(
    "/afspraken/<int:meeting_id>/weigeren", defaults={"action": "decline"}, methods=["GET", "POST"]
)
@bp.route(
    "/afspraken/<int:meeting_id>/annuleren", defaults={"action": "cancel"}, methods=["GET", "POST"]
)
@attendee_required
def confirm(meeting_id: int, action: str):
    """Decline or cancel, after a confirm step."""
    reg = current_registration()
    question, button, do = CONFIRM[action]
    found = {m.id: m for m in meetings.meetings_of(reg)}.get(meeting_id)
    if found is None:
        raise NotFound()
    form = ActionForm()
    if form.validate_on_submit():
        try:
            do(reg, meeting_id)
            flash(_l("Gedaan."), "success")
        except DomainError as exc:
            flash(exc.message, "error")
        return redirect(url_for(".meetings_page"))
    info = meetings.meeting_json(found, reg, current_conference().timezone)
    return render_template(
        "streaming/networking/confirm.html", form=form, question=question, button=button, info=info
    )


@bp.route("/blokkeren/<int:person_id>", methods=["GET", "POST"])
@attendee_required
def block(person_id: int):
    """Block a sender, after a confirm step (they are not told)."""
    reg = current_registration()
    form = ActionForm()
    if form.validate_on_submit():
        profiles.block(reg, person_id)
        flash(_l("Deze persoon kan je geen verzoeken meer sturen."), "success")
        return redirect(url_for(".meetings_page"))
    other = next(
        (
            m.requester
            for m in meetings.meetings_of(reg)
            if m.requester_id == person_id and m.invitee_id == reg.id
        ),
        None,
    )
    if other is None:
        raise NotFound()
    return render_template("streaming/networking/block.html", form=form, other=other)


@bp.post("/blokkeren/<int:person_id>/opheffen")
@attendee_required
def unblock(person_id: int):
    """Allow a blocked person's requests again."""
    if ActionForm().validate_on_submit():
        profiles.unblock(current_registration(), person_id)
        flash(_l("Deze persoon kan je weer verzoeken sturen."), "success")
    return redirect(url_for(".meetings_page"))


@bp.get("/tafels")
@attendee_required
def tables_page():
    """The themed tables per networking moment, with places left."""
    reg, conf = current_registration(), current_conference()
    booked = {b.table_id for b in tables.bookings_of(reg.id)}
    groups = [(s, tables.tables(conf, s.id)) for s in slots.slots(conf)]
    return render_template(
        "streaming/networking/tables.html",
        groups=[g for g in groups if g[1]],
        booked=booked,
        form=ActionForm(),
        onsite=meetings.on_site(reg),
        is_open=slots.is_open,
    )


@bp.post("/tafels/<int:table_id>/boeken")
@limiter.limit("30/minute", key_func=per_person)
@attendee_required
def book_table(table_id: int):
    """Take a place at a themed table."""
    if ActionForm().validate_on_submit():
        try:
            tables.book(current_registration(), table_id)
            flash(_l("Je hebt een plaats aan deze tafel. Ze staat in je agenda."), "success")
        except DomainError as exc:
            if exc.status == 404:
                raise
            flash(exc.message, "error")
    return redirect(url_for(".tables_page"))


@bp.route("/tafels/<int:table_id>/verlaten", methods=["GET", "POST"])
@attendee_required
def leave_table(table_id: int):
    """Give up a place at a themed table, after a confirm step."""
    reg = current_registration()
    table = tables.get_table(current_conference(), table_id)
    form = ActionForm()
    if form.validate_on_submit():
        tables.leave(reg, table_id)
        flash(_l("Je plaats aan deze tafel is vrijgegeven."), "success")
        return redirect(url_for(".tables_page"))
    return render_template("streaming/networking/leave_table.html", form=form, table=table)
