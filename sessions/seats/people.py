"""The seats' part of the organisers' people screens (registration draws the rest of the page).

A person's seats, waiting-list places and ranked choices and the search filter "with a seat in"
(answers to the kernel's hooks, connected in `sessions/setup.py`); and the organiser's move of a
person to an activity, which the seats service checks and audits.
"""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired

from conference.admin import actor, show_domain_error
from conference.auth import organiser_required
from conference.errors import DomainError
from conference.extensions import db
from conference.forms import Form
from conference.models import Conference
from conference.services import current_conference
from registration.admin.forms import reason_field
from registration.admin.people import get_person
from registration.admin.sections import PersonSection
from registration.admin.views import back_to_person, person_page
from registration.models import Registration
from sessions.programme import services as programme_services
from sessions.programme.models import Activity, Block
from sessions.seats.models import Preference, Seat, WaitlistEntry
from sessions.seats.services import move_person
from sessions.seats.views import bp


class MoveForm(Form):
    """Give a person a seat at an activity (their seats in the same blocks are freed)."""

    activity = SelectField(
        _l("Naar activiteit"), validators=[DataRequired(_l("Kies een activiteit."))]
    )
    override = BooleanField(_l("Regels voor on site/online en de keuzeperiode negeren"))
    reason = reason_field()


def seated_activities(conf: Conference) -> list[tuple[str, str]]:
    """The published activities that give seats, as (id, title)."""
    return [
        (str(a.id), a.title)
        for a in programme_services.activities(conf, published_only=True)
        if a.seated
    ]


def move_choices(conf: Conference) -> dict[str | None, list[tuple[Any, str]]]:
    """Where a person can be moved: by block, with the free seats of each activity."""
    acts = programme_services.activities(conf, published_only=True)
    return programme_services.seat_choices_by_block(acts)


def _preferences(reg: Registration) -> list[tuple[Block, list[tuple[int, Activity]]]]:
    """The person's ranked choices, per block in time order."""
    rows = db.session.execute(
        select(Preference, Block, Activity)
        .join(Block, Block.id == Preference.block_id)
        .join(Activity, Activity.id == Preference.activity_id)
        .where(Preference.registration_id == reg.id)
        .order_by(Block.starts_at, Preference.rank)
    ).all()
    by_block: dict[int, tuple[Block, list[tuple[int, Activity]]]] = {}
    for pref, block, act in rows:
        by_block.setdefault(block.id, (block, []))[1].append((pref.rank, act))
    return list(by_block.values())


def seat_holders(activity_id: int) -> Select:
    """Who holds a seat in the activity (the people search's filter)."""
    return select(Seat.registration_id).filter_by(activity_id=activity_id)


def person_sections(
    registration: Registration, *, conference: Conference, forms: dict[str, Any], **others: Any
) -> list[PersonSection]:
    """The seats section of a person's page (with the move form), right after the facts."""
    seats = db.session.execute(
        select(Seat, Activity)
        .join(Activity, Activity.id == Seat.activity_id)
        .where(Seat.registration_id == registration.id)
        .order_by(Activity.starts_at)
    ).all()
    waiting = db.session.execute(
        select(WaitlistEntry, Activity)
        .join(Activity, Activity.id == WaitlistEntry.activity_id)
        .where(WaitlistEntry.registration_id == registration.id)
        .order_by(WaitlistEntry.created_at)
    ).all()
    move = forms.get("move") or MoveForm(formdata=None, prefix="move")
    move.activity.choices = {None: [("", _("kies een activiteit"))], **move_choices(conference)}
    context = {
        "seats": [(s, a) for s, a in seats],
        "waiting": [(w, a) for w, a in waiting],
        "preferences": _preferences(registration),
        "move": move,
    }
    return [PersonSection("activities", "sessions/person_seats.html", context)]


@bp.post("/beheer/deelnemers/<int:registration_id>/verplaatsen")
@organiser_required
def person_move(registration_id: int):
    """Give the person a seat at an activity; capacity is checked, the move is audited."""
    conf = current_conference()
    get_person(conf, registration_id)
    form = MoveForm(prefix="move")
    form.activity.choices = {None: [("", "")], **move_choices(conf)}
    if form.validate_on_submit():
        if form.override.data and not (form.reason.data or "").strip():
            form.reason.errors = [_("Geef een reden als je de regels negeert.")]
        else:
            try:
                move_person(
                    registration_id,
                    int(form.activity.data),
                    actor_id=actor().id,
                    override=form.override.data,
                    reason=form.reason.data or None,
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                flash(_("De plaats is toegewezen."), "success")
                return back_to_person(registration_id, "#seats")
    return person_page(conf, registration_id, 409 if form.form_errors else 422, move=form)
