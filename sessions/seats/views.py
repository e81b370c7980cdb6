"""Attendee pages: choices per block, my seats (swap, leave), booking, waiting-list offers.

Every flow works without JavaScript: plain forms and redirects.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from conference.clock import utcnow
from conference.errors import DomainError, NotFound
from conference.extensions import db
from conference.i18n import localized
from conference.services import current_conference
from conference.views import safe_next
from registration.access import attendee_required, current_registration
from sessions.programme.models import Activity, Block
from sessions.seats import preferences
from sessions.seats import services as seats
from sessions.seats.errors import ActivityFull, FormExpired
from sessions.seats.forms import ButtonForm, ChoiceForm
from sessions.seats.models import Seat, WaitlistEntry
from sessions.seats.rules import booking_open, fits_mode
from sessions.seats.seating import seats_in_blocks
from sessions.seats.waitlist import decline_offer, entry_for_token, open_entry, position

bp = Blueprint("seats", __name__)


def _option_label(act: Activity) -> str:
    kind = {
        "workshop": _("workshop"),
        "online_workshop": _("online workshop"),
        "visit": _("bezoek"),
    }
    parts = [kind.get(act.kind, act.kind)]
    if act.theme is not None:
        parts.append(localized(act.theme, "name"))
    if len(act.blocks) > 1:
        parts.append(_("voor- en namiddag"))
    return f"{localized(act, 'title')} ({', '.join(parts)})"


def _block(block_id: int) -> Block:
    conf = current_conference()
    block = next((b for b in preferences.choice_blocks(conf) if b.id == block_id), None)
    if block is None:
        raise NotFound()
    return block


@bp.get("/mijn/keuzes")
@attendee_required
def choices():
    """The preference round: per block what the person chose, with a link to change it."""
    conf = current_conference()
    reg = current_registration()
    blocks = preferences.choice_blocks(conf)
    ranking = preferences.preferences_of(reg.id)
    acts = {a.id: a for b in blocks for a in b.activities}
    return render_template(
        "sessions/choose_overview.html",
        conf=conf,
        reg=reg,
        blocks=blocks,
        ranking={b: [acts[i] for i in ids if i in acts] for b, ids in ranking.items()},
        window_open=preferences.choice_open(conf),
    )


@bp.route("/mijn/keuzes/<int:block_id>", methods=["GET", "POST"])
@attendee_required
def choose(block_id: int):
    """One select per rank for one block, pre-filled; one button saves."""
    conf = current_conference()
    reg = current_registration()
    block = _block(block_id)
    options = preferences.options_for(reg, block)
    form = ChoiceForm()
    form.set_options([(str(a.id), _option_label(a)) for a in options])
    window_open = preferences.choice_open(conf)
    if request.method == "GET":
        current = preferences.preferences_of(reg.id).get(block.id, [])
        for f, act_id in zip(form.rank_fields(), current, strict=False):
            f.data = str(act_id)
    elif form.validate_on_submit():
        try:
            preferences.save_preferences(reg.id, {block.id: form.ranking()})
        except DomainError as exc:
            flash(str(exc.message), "error")
        else:
            flash(_("Je keuzes voor %(block)s zijn bewaard.", block=block.name), "success")
            blocks = preferences.choice_blocks(conf)
            later = [b for b in blocks if b.starts_at > block.starts_at]
            if later:
                return redirect(url_for("seats.choose", block_id=later[0].id))
            return redirect(url_for("seats.choices"))
    status = 422 if form.errors else 200
    return render_template(
        "sessions/choose.html",
        conf=conf,
        reg=reg,
        block=block,
        form=form,
        options=options,
        window_open=window_open,
    ), status


def _my_state(reg_id: int) -> dict[str, Any]:
    """Seats per block, waiting-list places and open offers of a person."""
    seat_rows = db.session.scalars(
        select(Seat).filter_by(registration_id=reg_id).order_by(Seat.activity_id)
    ).all()
    entries = db.session.scalars(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.registration_id == reg_id,
            WaitlistEntry.status.in_(("waiting", "offered")),
        )
        .order_by(WaitlistEntry.created_at)
    ).all()
    return {
        "seats": seat_rows,
        "waiting": [(e, position(db.session, e)) for e in entries if e.status == "waiting"],
        "offers": [e for e in entries if e.status == "offered"],
    }


@bp.get("/mijn/plaatsen")
@attendee_required
def my_seats():
    """My seats per block with swap and leave, my waiting-list places and offers."""
    conf = current_conference()
    reg = current_registration()
    state = _my_state(reg.id)
    by_block = {}
    for seat in state["seats"]:
        for b in seat.activity.blocks:
            by_block[b.id] = seat
    return render_template(
        "sessions/seats.html",
        conf=conf,
        reg=reg,
        blocks=preferences.choice_blocks(conf),
        by_block=by_block,
        state=state,
        form=ButtonForm(),
        booking_open=_booking_open_any(conf),
        now=utcnow(),
    )


def _booking_open_any(conf) -> bool:
    if conf.allocation_mode == "preferences":
        return conf.allocation_published_at is not None
    return True


def _back(default: str) -> str:
    return safe_next(request.form.get("next"), default)


def _activity(activity_id: int) -> Activity:
    act = db.session.get(Activity, activity_id)
    if act is None or act.conference_id != current_conference().id or not act.published:
        raise NotFound()
    return act


@bp.post("/plaatsen/<int:activity_id>/boeken")
@attendee_required
def book(activity_id: int):
    """Book a seat (or swap with `replace`); when full, offer the waiting list."""
    act = _activity(activity_id)
    reg = current_registration()
    form = ButtonForm()
    if not form.validate_on_submit():
        raise FormExpired()
    replace = request.form.get("replace", type=int)
    join = request.form.get("waitlist") == "1"
    try:
        outcome = seats.enroll(reg.id, act.id, replace_activity_id=replace, waitlist=join)
    except ActivityFull:
        return render_template(
            "sessions/seat_full.html", act=act, form=ButtonForm(), replace=replace
        ), 409
    except DomainError as exc:
        flash(str(exc.message), "error")
        return redirect(_back(url_for("sessions.activity", slug=act.slug)))
    if outcome.status == "waitlisted":
        flash(
            _(
                "Je staat op de wachtlijst van %(title)s (plaats %(n)s). Komt er een plaats"
                " vrij, dan krijg je een mail.",
                title=act.title,
                n=outcome.position,
            ),
            "success",
        )
    elif outcome.status == "already":
        flash(_("Je had al een plaats in %(title)s.", title=act.title), "success")
    else:
        flash(_("Je hebt een plaats in %(title)s.", title=act.title), "success")
    return redirect(url_for("seats.my_seats"))


@bp.route("/plaatsen/<int:activity_id>/verlaten", methods=["GET", "POST"])
@attendee_required
def leave(activity_id: int):
    """Give up a seat or a waiting-list place, after one confirmation."""
    act = _activity(activity_id)
    reg = current_registration()
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            what = seats.leave(reg.id, act.id)
        except DomainError as exc:
            flash(str(exc.message), "error")
        else:
            if what == "released":
                flash(_("Je plaats in %(title)s is vrijgegeven.", title=act.title), "success")
            else:
                flash(
                    _("Je staat niet meer op de wachtlijst van %(title)s.", title=act.title),
                    "success",
                )
        return redirect(url_for("seats.my_seats"))
    has_seat = db.session.scalar(
        select(Seat.id).filter_by(registration_id=reg.id, activity_id=act.id)
    )
    return render_template("sessions/seat_leave.html", act=act, form=form, has_seat=bool(has_seat))


@bp.get("/mijn/plaatsen/wissel/<int:block_id>")
@attendee_required
def swap(block_id: int):
    """Another activity in the same block; the current seat stays until the new one is sure."""
    conf = current_conference()
    reg = current_registration()
    block = _block(block_id)
    current = next(
        (s for s in _my_state(reg.id)["seats"] if any(b.id == block.id for b in s.activity.blocks)),
        None,
    )
    if current is None:
        flash(_("Je hebt nog geen plaats in dit blok. Kies er een."), "warning")
    options = [
        a
        for a in preferences.options_for(reg, block)
        if current is None or a.id != current.activity_id
    ]
    return render_template(
        "sessions/seat_swap.html",
        conf=conf,
        block=block,
        current=current,
        options=options,
        form=ButtonForm(),
        booking_open=_booking_open_any(conf),
    )


@bp.route("/plaatsen/aanbod/<token>", methods=["GET", "POST"])
def offer(token: str):
    """A waiting-list offer from the mail: accept or decline (the link is the key)."""
    entry = entry_for_token(token)
    form = ButtonForm()
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action")
        try:
            if action == "accept":
                outcome = seats.enroll(entry.registration_id, entry.activity_id, waitlist=False)
                if outcome.status in ("enrolled", "already"):
                    flash(
                        _("Gelukt: je hebt een plaats in %(title)s.", title=entry.activity.title),
                        "success",
                    )
            elif action == "decline":
                decline_offer(entry.id, entry.registration_id)
                flash(_("Je zei nee. De plaats gaat naar de volgende op de wachtlijst."), "success")
        except DomainError as exc:
            flash(str(exc.message), "error")
        return redirect(url_for("seats.offer", token=token))
    db.session.refresh(entry)
    held = db.session.scalar(
        select(Seat.id).filter_by(
            registration_id=entry.registration_id, activity_id=entry.activity_id
        )
    )
    overlaps = seats_in_blocks(
        db.session, entry.registration_id, [b.id for b in entry.activity.blocks]
    )
    return render_template(
        "sessions/seat_offer.html",
        entry=entry,
        act=entry.activity,
        form=form,
        held=bool(held),
        overlaps=[s for s in overlaps if s.activity_id != entry.activity_id],
        open_offer=entry.status == "offered" and entry.offer_expires_at > utcnow(),
    )


def seat_state(act: Activity) -> dict[str, Any] | None:
    """What the activity page offers the visitor: book, wait, leave, accept (template global)."""
    if not act.seated or not current_user.is_authenticated:
        return None
    reg = current_registration(required=False)
    if reg is None:
        return None
    conf = act.conference
    seat = db.session.scalar(select(Seat).filter_by(registration_id=reg.id, activity_id=act.id))
    entry = open_entry(db.session, reg.id, act.id)
    return {
        "reg": reg,
        "seat": seat,
        "entry": entry,
        "position": position(db.session, entry) if entry is not None else None,
        "fits": fits_mode(reg.mode, act),
        "booking_open": booking_open(conf, act),
        "choice_open": preferences.choice_open(conf),
        "full": act.capacity is not None and act.taken >= act.capacity,
        "conflict": bool(
            seat is None and seats_in_blocks(db.session, reg.id, [b.id for b in act.blocks])
        ),
        "form": ButtonForm(),
    }
