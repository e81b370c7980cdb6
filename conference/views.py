"""Kernel pages: practical information, language switch, staff login, health check.

The staff landing page and the jobs overview join this blueprint from the back-office shell
(`conference.backoffice.dashboard_views`), which may read every package.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from conference.auth import end_sessions
from conference.db import write_transaction
from conference.extensions import db, limiter
from conference.forms import StaffLoginForm
from conference.i18n import COOKIE
from conference.login_guard import LoginRefused, LoginWait, authenticate_staff
from conference.services import current_conference

bp = Blueprint("conference", __name__)


# Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so "/\t/x.org"
# and "/\\x.org" lead to another site; CR and LF would also split the Location header.
_NOT_IN_A_NEXT = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")


def safe_next(target: str | None, default: str) -> str:
    """A local path to go back to; anything pointing elsewhere falls back to `default`."""
    if not target or not isinstance(target, str) or _NOT_IN_A_NEXT.search(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@bp.get("/praktisch")
def practical():
    """Venue, accessibility of the building and how to get there."""
    return render_template("conference/practical.html", conf=current_conference())


@bp.get("/taal/<code>")
def set_language(code: str):
    """Switch the interface language and go back where the person was."""
    target = safe_next(request.args.get("next"), url_for("sessions.home"))
    response = make_response(redirect(target))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            COOKIE,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response


@bp.route("/beheer/login", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
def staff_login():
    """Login for organisers, check-in volunteers and moderators."""
    form = StaffLoginForm()
    error, status = None, 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            user = authenticate_staff(form.email.data, form.password.data)
        except (LoginRefused, LoginWait) as exc:
            # One message for every refusal, so the form does not reveal which accounts exist;
            # a wait (429) is counted per address, known or not, so it reveals nothing either.
            error, status = exc.message, exc.status
        else:
            login_user(user, remember=False)
            default = url_for("conference.dashboard")
            return redirect(safe_next(request.args.get("next"), default))
    # A refused login is 401; a form the rules refused (an address that is none, say) is 422.
    return render_template("conference/staff_login.html", form=form, error=error), status


@bp.post("/uitloggen")
def logout():
    """Log out (a form with a CSRF token posts here): the session ends on the server too.

    The account's session version moves on, so a copy of this cookie, and the sessions of the
    account's other browsers, stop working as well.
    """
    if current_user.is_authenticated and not g.get("token_auth"):
        with write_transaction(db.session) as session:
            end_sessions(session, current_user.id)
    logout_user()
    response = redirect(url_for("sessions.home"))
    # Nothing of the session stays on the device: the scanner's cached pages, its list and
    # queue (Cache Storage, localStorage, IndexedDB) and its service worker.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Liveness and database check for the load balancer."""
    db.session.execute(select(1))
    return {"status": "ok"}
