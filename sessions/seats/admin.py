"""Organiser pages: allocation review and publishing, capacity board, lists, moves."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.admin import actor
from conference.auth import organiser_required, staff_required
from conference.errors import DomainError, NotFound
from conference.extensions import db
from conference.services import current_conference
from registration.models import NOT_ATTENDING, Registration
from sessions.programme import services
from sessions.programme.models import Activity, Block
from sessions.seats.allocation import service as allocation_service
from sessions.seats.allocation.review import left_out
from sessions.seats.forms import ButtonForm, CapacityForm, MoveForm, RunForm
from sessions.seats.models import Seat, SeatLog, WaitlistEntry
from sessions.seats.services import move_person
from sessions.seats.views import bp


def _seated(conf) -> list[Activity]:
    return [a for a in services.activities(conf, published_only=False) if a.seated]


def fill_level(act: Activity) -> tuple[str, str, int | None]:
    """CSS class, text and % full of an activity (colour never alone: the text says it)."""
    if act.capacity is None:
        return "badge-open", _("Onbeperkt"), None
    pct = round(100 * act.taken / act.capacity) if act.capacity else 100
    if act.taken >= act.capacity:
        return "badge-full", _("Volzet"), pct
    if pct >= 80:
        return "badge-few", _("Bijna vol"), pct
    return "badge-free", _("Plaatsen vrij"), pct


@bp.get("/beheer/capaciteit")
@staff_required
def capacity_board():
    """Each activity with seats: capacity, taken, waiting, % full, colour and text."""
    conf = current_conference()
    acts = _seated(conf)
    waiting = services.waitlist_counts(conf)
    blocks = services.blocks(conf)
    rows = [(a, waiting.get(a.id, 0), fill_level(a)) for a in acts]
    return render_template(
        "sessions/capacity.html", conf=conf, rows=rows, blocks=blocks, form=CapacityForm()
    )


@bp.post("/beheer/capaciteit/<int:activity_id>")
@organiser_required
def change_capacity(activity_id: int):
    """Change a capacity: never below the seats taken; a rise offers seats to those waiting."""
    form = CapacityForm()
    act = db.session.get(Activity, activity_id)
    if act is None:
        raise NotFound()
    if not form.validate_on_submit():
        flash(_("Geef een capaciteit van 1 tot 100000."), "error")
    else:
        try:
            services.update_activity(activity_id, {"capacity": form.capacity.data}, actor=actor())
        except DomainError as exc:
            flash(f"{act.title}: {exc.message}", "error")
        else:
            flash(
                _("Capaciteit van %(title)s is nu %(n)s.", title=act.title, n=form.capacity.data),
                "success",
            )
    return redirect(url_for("seats.capacity_board") + f"#act-{activity_id}")


@bp.get("/beheer/activiteit/<int:activity_id>/deelnemers")
@staff_required
def activity_list(activity_id: int):
    """Who has a seat (and who waits) at an activity, printable for speakers and guides."""
    conf = current_conference()
    act = db.session.get(Activity, activity_id)
    if act is None or act.conference_id != conf.id:
        raise NotFound()
    people = db.session.execute(
        select(Seat, Registration)
        .join(Registration, Registration.id == Seat.registration_id)
        .where(Seat.activity_id == act.id)
        .order_by(Registration.last_name, Registration.first_name)
    ).all()
    waiting = db.session.execute(
        select(WaitlistEntry, Registration)
        .join(Registration, Registration.id == WaitlistEntry.registration_id)
        .where(
            WaitlistEntry.activity_id == act.id, WaitlistEntry.status.in_(("waiting", "offered"))
        )
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    ).all()
    return render_template(
        "sessions/seat_list.html", conf=conf, act=act, people=people, waiting=waiting,
        level=fill_level(act),
    )  # fmt: skip


@bp.route("/beheer/verplaatsen", methods=["GET", "POST"])
@organiser_required
def move():
    """Move a person to an activity; capacity always holds, an exception needs a reason."""
    conf = current_conference()
    acts = _seated(conf)
    form = MoveForm()
    form.activity.choices = services.seat_choices_by_block(acts, value=int)
    if request.method == "GET":
        form.email.data = request.args.get("email", "")
        if request.args.get("activity", type=int):
            form.activity.data = request.args.get("activity", type=int)
    elif form.validate_on_submit():
        reg = db.session.scalar(
            select(Registration).where(
                Registration.conference_id == conf.id,
                func.lower(Registration.email) == form.email.data.strip().lower(),
                Registration.status.not_in(NOT_ATTENDING),
            )
        )
        if reg is None:
            form.email.errors = [_("Geen actieve inschrijving met dit e-mailadres.")]
        elif form.override.data and not (form.reason.data or "").strip():
            form.reason.errors = [_("Geef een reden voor de uitzondering.")]
        else:
            try:
                move_person(
                    reg.id, form.activity.data, actor_id=current_user.id,
                    override=form.override.data, reason=(form.reason.data or "").strip() or None,
                )  # fmt: skip
            except DomainError as exc:
                flash(str(exc.message), "error")
            else:
                flash(_("%(name)s is verplaatst.", name=reg.full_name), "success")
                return redirect(url_for("seats.activity_list", activity_id=form.activity.data))
    log = db.session.execute(
        select(SeatLog, Activity.title)
        .join(Activity, Activity.id == SeatLog.activity_id)
        .where(Activity.conference_id == conf.id, SeatLog.actor_id.is_not(None))
        .order_by(SeatLog.id.desc())
        .limit(20)
    ).all()
    status = 422 if form.errors else 200
    return render_template("sessions/seat_move.html", conf=conf, form=form, log=log), status


@bp.route("/beheer/verdeling", methods=["GET", "POST"])
@organiser_required
def allocation():
    """Runs of the allocation: make a dry run, review, re-run with another seed, publish."""
    conf = current_conference()
    form = RunForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            run = allocation_service.run_allocation(
                conf,
                seed=form.seed.data,
                dry_run=True,
                actor_id=current_user.id,
                options={"fill_unranked": bool(form.fill_unranked.data)},
            )
        except DomainError as exc:
            flash(str(exc.message), "error")
        else:
            return redirect(url_for("seats.allocation_run", run_id=run.id))
    runs = allocation_service.latest_runs(conf)
    return render_template(
        "sessions/allocation.html", conf=conf, form=form, runs=runs,
        choice_open=conf.choice_open(),
    )  # fmt: skip


@bp.get("/beheer/verdeling/<int:run_id>")
@organiser_required
def allocation_run(run_id: int):
    """One run: figures overall, per profile and per activity, next to first come, first served."""
    conf = current_conference()
    run = allocation_service.get_run(conf, run_id)
    blocks = {b.id: b for b in db.session.scalars(select(Block).filter_by(conference_id=conf.id))}
    acts = {
        a.id: a
        for a in db.session.scalars(
            select(Activity).filter_by(conference_id=conf.id).options(selectinload(Activity.blocks))
        )
    }
    return render_template(
        "sessions/allocation_run.html",
        conf=conf,
        run=run,
        s=allocation_service.summary(run),
        stats=run.stats or {},
        blocks=blocks,
        acts=acts,
        form=ButtonForm(),
        rerun=RunForm(formdata=None, fill_unranked=(run.options or {}).get("fill_unranked", True)),
        choice_open=conf.choice_open(),
        left_out=left_out(run),
    )


@bp.post("/beheer/verdeling/<int:run_id>/publiceren")
@organiser_required
def publish(run_id: int):
    """Publish a reviewed run: seats are written and everyone gets a mail."""
    conf = current_conference()
    allocation_service.get_run(conf, run_id)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            n = allocation_service.publish_run(run_id, actor_id=current_user.id)
        except DomainError as exc:
            flash(str(exc.message), "error")
        else:
            flash(
                _("Gepubliceerd: %(n)s plaatsen toegekend, iedereen krijgt een mail.", n=n),
                "success",
            )
    return redirect(url_for("seats.allocation_run", run_id=run_id))
