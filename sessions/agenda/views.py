"""Agenda pages: the person's day, the `.ics` download, the private feed, follows, the help desk.

Routes live on the `sessions` blueprint (endpoint `sessions.agenda` and friends); this module
must be imported before that blueprint is registered (see `sessions.init_app`).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Flask,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from werkzeug.http import is_resource_modified
from wtforms import HiddenField
from wtforms.validators import AnyOf

from conference.auth import organiser_required
from conference.clock import utcnow
from conference.errors import NotFound
from conference.extensions import db
from conference.forms import Form
from conference.i18n import lang
from conference.mail.qr import qr_svg
from conference.services import current_conference
from conference.validation import tidy_search
from conference.views import safe_next
from registration.access import attendee_required, current_registration
from registration.models import Registration
from registration.tickets import ticket_url
from sessions.agenda import calendar, feeds, follows
from sessions.agenda.extras import extras_for
from sessions.agenda.services import AgendaEntry, ProgrammeSnapshot, load_agenda, on_site, watch_url
from sessions.programme.models import Activity
from sessions.programme.services import activity_by_slug
from sessions.programme.views import bp
from sessions.seats.preferences import choice_blocks, choice_open, preferences_of

ICS_MIMETYPE = "text/calendar"


class FollowForm(Form):
    """Follow or stop following a stream (CSRF only, plus the wish)."""

    action = HiddenField(validators=[AnyOf(("follow", "unfollow"))])


class ResetFeedForm(Form):
    """Make a new private calendar link (the old one stops working)."""


# --- Building the page ----------------------------------------------------------------------


def _ticket(reg: Registration) -> dict[str, Any] | None:
    """The QR ticket for people on site: its URL and an SVG of it."""
    if not on_site(reg):
        return None
    ticket = reg.ticket
    if ticket is None:
        return None
    url = ticket_url(ticket.secret)
    label = {"role": "img", "aria-label": _("QR-code van je ticket")}
    return {"url": url, "svg": qr_svg(url, attributes=label)}


def agenda_rows(
    snap: ProgrammeSnapshot, entries: list[AgendaEntry], reg: Registration
) -> list[dict]:
    """The day in time order: entries, and an empty slot for each block without a seat."""
    active = [e for e in entries if not e.cancelled]
    rows: list[dict] = [{"entry": e, "at": e.activity.starts_at} for e in active]
    rows += [{"extra": x, "at": x.starts_at} for x in extras_for(reg, language=lang())]
    if reg.status == "registered":
        for block in snap.blocks:
            if not any(e.reason == "seat" and block.id in e.activity.block_ids for e in active):
                rows.append({"block": block, "at": block.starts_at})
    rows.sort(key=lambda r: (r["at"], 0 if "block" in r else 1))
    return rows


def agenda_context(reg: Registration, *, staff: bool = False) -> dict[str, Any]:
    """What the agenda template needs for one registration."""
    snap, entries = load_agenda(reg)
    lost = [e for e in entries if e.cancelled and e.reason != "programme" and e.activity.published]
    return {
        "conf": reg.conference,
        "reg": reg,
        "rows": agenda_rows(snap, entries, reg),
        "lost": lost,
        "onsite": on_site(reg),
        "ticket": _ticket(reg),
        "staff": staff,
        "feed": None if staff else feeds.feed_urls(reg),
        "reset_form": None if staff else ResetFeedForm(),
        "watch_url": watch_url,
        # While the preference round runs, an empty block says what happens next.
        "ranked": preferences_of(reg.id),
        "round": _round_state(reg),
    }


def _round_state(reg: Registration) -> dict[str, Any] | None:
    """The preference round as the agenda tells it: open, not yet, or closed; None when over."""
    conf = reg.conference
    if conf.allocation_mode != "preferences" or conf.allocation_published_at is not None:
        return None
    if conf.choice_closes_at is None or conf.choice_opens_at is None:
        return None
    now = utcnow()
    return {
        "open": choice_open(conf, now),
        "later": now < conf.choice_opens_at,
        "blocks": {b.id for b in choice_blocks(conf)},
    }


# --- Attendee pages -------------------------------------------------------------------------


@bp.get("/agenda")
@attendee_required
def agenda():
    """The person's day: ticket, plenaries, seats, followed streams, breaks; printable."""
    reg = current_registration()
    return render_template("sessions/agenda.html", **agenda_context(reg))


def _ics_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype=ICS_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/agenda.ics")
@attendee_required
def agenda_ics():
    """The person's agenda as an `.ics` file to import once."""
    return _ics_response(calendar.ics_for_registration(current_registration()), "agenda.ics")


@bp.post("/agenda/kalender/nieuw")
@attendee_required
def reset_calendar_link():
    """A new private calendar link; the old one stops working at once."""
    form = ResetFeedForm()
    if form.validate_on_submit():
        feeds.reset_feed(current_registration())
        flash(_("Je hebt een nieuwe agendalink. De oude werkt niet meer."), "success")
    return redirect(url_for("sessions.agenda") + "#kalender")


@bp.get("/kalender/<token>.ics")
def calendar_feed(token: str):
    """The private, subscribable feed: no login, the token in the path; 304 when unchanged."""
    reg = feeds.registration_for_token(token)
    if reg is None or reg.anonymized_at is not None:
        raise NotFound()
    etag, modified, body = calendar.feed_validators(reg)
    if is_resource_modified(request.environ, etag=etag, last_modified=modified):
        response = Response(body(), mimetype=ICS_MIMETYPE)
        response.headers["Content-Disposition"] = 'inline; filename="agenda.ics"'
    else:
        response = Response(status=304)
    response.set_etag(etag)
    response.last_modified = modified
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/programma/<slug>/volgen")
@attendee_required
def follow_toggle(slug: str):
    """Follow a stream or stop following it (the page works without JavaScript)."""
    act = activity_by_slug(current_conference(), slug)
    form = FollowForm()
    reg = current_registration()
    if form.validate_on_submit():
        if form.action.data == "follow":
            follows.follow(reg, act.id)
            flash(_("Je volgt deze stream. Hij staat nu in je agenda."), "success")
        else:
            follows.unfollow(reg, act.id)
            flash(_("Je volgt deze stream niet meer."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("sessions.activity", slug=slug)))


def follow_state(act: Activity) -> dict[str, Any] | None:
    """For the activity page: can this visitor follow it, and do they?"""
    if not follows.can_follow(act):
        return None
    if not current_user.is_authenticated:
        login = url_for("registration.login", next=request.full_path)
        return {"registered": False, "login_url": login}
    reg = current_registration(required=False)
    if reg is None:
        return {"registered": False, "login_url": None}
    return {
        "registered": True,
        "following": follows.is_following(reg, act.id),
        "form": FollowForm(),
    }


# --- Organisers: the help desk and one file per activity ---------------------------------------


@bp.get("/beheer/agenda")
@organiser_required
def staff_agenda_search():
    """Find an attendee to see their agenda; and the `.ics` of each activity for its team."""
    conf = current_conference()
    q = tidy_search(request.args.get("q"))
    found: list[Registration] = []
    if q:
        like = f"%{q.lower()}%"
        found = list(
            db.session.scalars(
                select(Registration)
                .where(Registration.conference_id == conf.id)
                .where(
                    or_(
                        Registration.email.ilike(like),
                        Registration.first_name.ilike(like),
                        Registration.last_name.ilike(like),
                        (Registration.first_name + " " + Registration.last_name).ilike(like),
                    )
                )
                .order_by(Registration.last_name, Registration.first_name)
                .limit(25)
            )
        )
    acts = db.session.scalars(
        select(Activity)
        .where(Activity.conference_id == conf.id)
        .order_by(Activity.starts_at, Activity.position)
    ).all()
    return render_template(
        "sessions/agenda_staff.html", conf=conf, q=q, found=found, activities=acts
    )


def _registration_or_404(registration_id: int) -> Registration:
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg.conference_id != current_conference().id:
        raise NotFound()
    return reg


@bp.get("/beheer/agenda/<int:registration_id>")
@organiser_required
def staff_agenda(registration_id: int):
    """Any attendee's agenda, as they see it (for the help desk)."""
    reg = _registration_or_404(registration_id)
    return render_template("sessions/agenda.html", **agenda_context(reg, staff=True))


@bp.get("/beheer/agenda/<int:registration_id>.ics")
@organiser_required
def staff_agenda_ics(registration_id: int):
    """An attendee's agenda as an `.ics` (to send along by hand)."""
    reg = _registration_or_404(registration_id)
    return _ics_response(calendar.ics_for_registration(reg), f"agenda-{reg.id}.ics")


@bp.get("/beheer/agenda/activiteit/<int:activity_id>.ics")
@organiser_required
def activity_ics(activity_id: int):
    """One activity as an `.ics` for its speakers and guides."""
    act = db.session.get(Activity, activity_id)
    if act is None or act.conference_id != current_conference().id:
        raise NotFound()
    return _ics_response(calendar.ics_for_activity(act), f"{act.slug}.ics")


def init_app(app: Flask) -> None:
    """Template helpers of the agenda (the follow button on activity pages)."""
    app.jinja_env.globals["agenda_follow_state"] = follow_state
