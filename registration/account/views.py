"""Personal pages: login by e-mail link, the manage link, and the page to view, change, cancel,
download and erase one's registration."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from conference import hooks
from conference.auth import UNPROVEN_SESSION, public
from conference.deferred import after_response
from conference.errors import Conflict, Invalid
from conference.extensions import db, limiter
from conference.services import current_conference
from conference.views import safe_next
from registration import services
from registration.access import current_registration
from registration.account import personal_data
from registration.account.login_links import (
    LINK_MINUTES,
    check_login_link,
    check_manage_link,
    request_login_link,
    use_login_link,
    use_manage_link,
)
from registration.forms import SECTOR_SUGGESTIONS, ConfirmForm, EditForm, LoginForm
from registration.journey import steps_for
from registration.manage_links import UNPROVEN_LABEL, active_access, log_out_everywhere
from registration.services import PROFILE_LOCKED
from registration.validation import clean_email
from registration.venue import waiting_position
from registration.views import apply_errors, bp, private

LOGIN_LIMIT = "5/minute;30/hour"


def _email_key() -> str:
    """Rate-limit key per asked address, so nobody floods one mailbox from many networks."""
    raw = request.form.get("email") or ""
    # The address as the rules normalise it: case or Unicode variants of one mailbox share a key.
    address, _problem = clean_email(raw)
    return "login-email:" + (address or raw.strip().lower()[:254])


def _log_in(user) -> None:
    """Log in after a proof of the address: this session is proven from now on."""
    login_user(user)
    session.permanent = True
    session.pop(UNPROVEN_SESSION, None)


def attendee_page(view: Callable) -> Callable:
    """A personal page: log in first; without an active registration, say so kindly."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("registration.login", next=request.full_path))
        reg = current_registration(required=False)
        if reg is None:
            return render_template("registration/no_registration.html"), 404
        return view(reg, *args, **kwargs)

    wrapped.required_roles = ("attendee",)
    return wrapped


# --- login by e-mail link ------------------------------------------------------------------


@bp.route("/aanmelden", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
@limiter.limit("3/10 minutes", methods=["POST"], key_func=_email_key)
@public
def login():
    """Ask for a login link by e-mail (the same answer whether or not the address is known)."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"), "")
        return render_template("registration/login.html", form=form)
    form.validate_on_submit()  # the CSRF token
    address, problem = clean_email(form.email.data)
    if problem:
        apply_errors(form, {"email": problem})
        return render_template("registration/login.html", form=form), 422
    next_path = safe_next(form.next.data, "") or None
    # Looking the address up and making the link and its mail happen after the answer, so the
    # answer takes as long for a registered address as for an unknown one.
    after_response(lambda: request_login_link(address, next_path))
    return render_template(
        "registration/login_sent.html", email=form.email.data.strip(), minutes=LINK_MINUTES
    )


@bp.route("/aanmelden/<token>", methods=["GET", "POST"])
@public
def login_link(token: str):
    """A login link: the GET only shows a button; the POST uses the link once and logs in."""
    form = ConfirmForm()
    if request.method == "GET":
        valid = check_login_link(token) is not None
        page = render_template("registration/login_confirm.html", form=form, valid=valid)
        return private(current_app.make_response((page, 200 if valid else 410)))
    form.validate_on_submit()
    used = use_login_link(token)
    if used is None:
        page = render_template("registration/login_confirm.html", form=form, valid=False)
        return private(current_app.make_response((page, 410)))
    user, next_path = used
    _log_in(user)
    return redirect(safe_next(next_path, url_for("registration.manage")), code=303)


@bp.route("/mijn-inschrijving/link/<token>", methods=["GET", "POST"])
@public
def manage_link(token: str):
    """The personal link from a mail: the GET only shows a button; the POST opens the page.

    The link's token is no API token: it opens a session, as a login link does.
    """
    form = ConfirmForm()
    if request.method == "GET":
        valid = check_manage_link(token)
        page = render_template("registration/manage_link.html", form=form, valid=valid)
        return private(current_app.make_response((page, 200 if valid else 410)))
    form.validate_on_submit()
    user = use_manage_link(token)
    if user is None:
        page = render_template("registration/manage_link.html", form=form, valid=False)
        return private(current_app.make_response((page, 410)))
    _log_in(user)
    return redirect(url_for("registration.manage"), code=303)


# --- the personal page -----------------------------------------------------------------------


@bp.get("/mijn-inschrijving")
@attendee_page
def manage(reg):
    """The personal page: status, ticket, what can be done."""
    return render_template(
        "registration/manage.html",
        reg=reg,
        conf=reg.conference,
        ticket=reg.ticket,
        position=waiting_position(db.session, reg),
        form=ConfirmForm(),
        steps=steps_for(reg),
        access=active_access(db.session, reg.user_id),
        unproven_label=UNPROVEN_LABEL,
        sections=hooks.gather(hooks.my_sections, reg),
    )


@bp.route("/mijn-inschrijving/gegevens", methods=["GET", "POST"])
@attendee_page
def edit(reg):
    """Change one's name, organisation, profile, language and needs."""
    form = EditForm(obj=reg if request.method == "GET" else None)
    profile_locked = reg.holds_venue_place or reg.venue_waitlisted_at is not None
    if request.method == "POST":
        form.validate_on_submit()
        data = form.details()
        if profile_locked:
            data.pop("profile")
        try:
            services.update_registration(reg.id, data)
        except Invalid as exc:
            apply_errors(form, exc.fields)
            return _edit_page(form, reg, profile_locked), 422
        flash(gettext("Je gegevens zijn bewaard."), "success")
        return redirect(url_for("registration.manage"), code=303)
    return _edit_page(form, reg, profile_locked)


def _edit_page(form, reg, profile_locked):
    return render_template(
        "registration/edit.html",
        form=form,
        reg=reg,
        profile_locked=profile_locked,
        profile_locked_text=PROFILE_LOCKED,
        suggestions=SECTOR_SUGGESTIONS,
    )


# One button per choice on the personal page: the action word -> the change it makes.
MODE_ACTIONS: dict[str, dict[str, Any]] = {
    "onsite": {"mode": "onsite"},
    "online": {"mode": "online"},
    "online_wait": {"mode": "online", "venue_waitlist": True},
    "wait": {"venue_waitlist": True},
    "stop_waiting": {"venue_waitlist": False},
}
MODE_MESSAGES = {
    "registered": _l("Je komt ter plaatse. Je ticket staat hieronder en komt ook per e-mail."),
    "waitlisted": _l(
        "Er is nu geen plaats vrij ter plaatse. Je staat op de wachtlijst: "
        "komt er een plaats vrij, dan krijg je een e-mail."
    ),
    "online": _l("Je volgt de conferentie online."),
    "applied": _l(
        "Je doet mee aan de loting van de plaatsen ter plaatse. Je krijgt de uitslag per e-mail."
    ),
}


# The changes that give something up (a place, a ticket, a turn on the waiting list): a page says
# what is lost, and whether it comes back, before the button that makes them.
CONFIRMED_ACTIONS = {
    "online": lambda reg: reg.mode == "onsite" or reg.status == "waitlisted",
    "stop_waiting": lambda reg: reg.venue_waitlisted_at is not None and not reg.holds_venue_place,
}


@bp.get("/mijn-inschrijving/deelname/<action>")
@attendee_page
def confirm_mode(reg, action: str):
    """Ask before a change that gives up a place or a turn: what is lost, what can come back."""
    fits = CONFIRMED_ACTIONS.get(action)
    if fits is None:
        abort(404)
    if not fits(reg):
        return redirect(url_for("registration.manage"), code=303)
    return render_template(
        "registration/confirm_mode.html",
        reg=reg,
        conf=reg.conference,
        action=action,
        position=waiting_position(db.session, reg),
        form=ConfirmForm(),
    )


@bp.post("/mijn-inschrijving/deelname")
@attendee_page
def change_mode(reg):
    """Switch between on site and online, or join or leave the waiting list."""
    ConfirmForm().validate_on_submit()
    change = MODE_ACTIONS.get(request.form.get("action", ""))
    if change is None:
        flash(gettext("Kies wat je wilt doen."), "error")
        return redirect(url_for("registration.manage"), code=303)
    outcome = services.update_registration(reg.id, dict(change))
    if outcome in MODE_MESSAGES:
        flash(str(MODE_MESSAGES[outcome]), "success")
    return redirect(url_for("registration.manage"), code=303)


@bp.post("/mijn-inschrijving/plaats")
@attendee_page
def offer(reg):
    """Confirm or decline the on-site place offered from the waiting list."""
    ConfirmForm().validate_on_submit()
    if request.form.get("action") == "accept":
        outcome = services.accept_offer(reg.id)
        messages = {
            "confirmed": _l("Je plaats ter plaatse is bevestigd. Je ticket staat hieronder."),
            "expired": _l("Helaas, de termijn om te bevestigen is voorbij."),
            "no_offer": _l("Er staat geen plaats voor je klaar."),
        }
        flash(str(messages[outcome]), "success" if outcome == "confirmed" else "error")
    elif services.decline_offer(reg.id):
        flash(
            gettext("Je hebt de plaats ter plaatse doorgegeven aan de volgende persoon."), "success"
        )
    return redirect(url_for("registration.manage"), code=303)


@bp.post("/mijn-inschrijving/nieuw-ticket")
@attendee_page
def new_ticket(reg):
    """Replace a lost or shared ticket: the old QR code stops working."""
    ConfirmForm().validate_on_submit()
    try:
        services.reissue_ticket(reg.id, actor=reg.user)
    except Conflict as exc:
        flash(str(exc.message), "error")
    else:
        flash(gettext("Je hebt een nieuw ticket. Het oude werkt niet meer."), "success")
    return redirect(url_for("registration.manage"), code=303)


@bp.post("/mijn-inschrijving/overal-afmelden")
@attendee_page
def logout_everywhere(reg):
    """End every link, token and browser session of this person, this browser included."""
    ConfirmForm().validate_on_submit()
    log_out_everywhere(reg.user_id)
    logout_user()
    flash(
        gettext(
            "Je bent overal afgemeld. Oude links werken niet meer: vraag een nieuwe aan "
            "met je e-mailadres."
        ),
        "success",
    )
    return redirect(url_for("registration.login"), code=303)


@bp.route("/mijn-inschrijving/annuleren", methods=["GET", "POST"])
@attendee_page
def cancel(reg):
    """Cancel the registration (after a confirm step)."""
    form = ConfirmForm()
    if request.method == "POST":
        form.validate_on_submit()
        services.cancel_registration(reg.id)
        logout_user()
        return render_template("registration/canceled.html", conf=current_conference())
    return render_template("registration/cancel.html", form=form, reg=reg)


@bp.get("/mijn-inschrijving/gegevens.json")
@attendee_page
def download(reg):
    """All data we keep about this person, as a JSON file."""
    body = json.dumps(personal_data.export_data(reg), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="mijn-gegevens.json"'
    return private(response)


@bp.route("/mijn-inschrijving/wissen", methods=["GET", "POST"])
@attendee_page
def erase(reg):
    """Erase one's personal data (after a confirm step)."""
    form = ConfirmForm()
    if request.method == "POST":
        form.validate_on_submit()
        personal_data.erase_registration(reg.id)
        logout_user()
        return render_template("registration/erased.html")
    return render_template("registration/erase.html", form=form, reg=reg)
