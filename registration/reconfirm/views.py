"""Reconfirmation pages: the mail's one-click links and the choice on the personal page.

A GET only shows one button (mail scanners open links); the POST behind it answers.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from conference.auth import public
from conference.errors import Conflict
from conference.extensions import limiter
from conference.services import current_conference
from registration.access import attendee_required, current_registration
from registration.forms import ConfirmForm
from registration.reconfirm import services
from registration.views import private

bp = Blueprint("reconfirm", __name__)
ANSWERS = {"ja": True, "nee": False}
LINK_LIMIT = "30/minute"


def _page(status: int = 200, **context):
    context.setdefault("conf", current_conference())
    page = render_template("registration/reconfirm/confirm.html", form=ConfirmForm(), **context)
    return private(current_app.make_response((page, status)))


@bp.route("/bevestigen/<token>", methods=["GET", "POST"], endpoint="link")
@limiter.limit(LINK_LIMIT, methods=["POST"])
@public
def link(token: str):
    """A link from the mail: the GET shows one button, the POST answers once."""
    attending = ANSWERS.get(request.values.get("antwoord", ""))
    if attending is None:
        return _page(404, state="unknown")
    if request.method == "GET":
        reg = services.check_link(token)
        if reg is None:
            return _page(410, state="used")
        return _page(attending=attending, answer=request.values["antwoord"], state="ask")
    ConfirmForm().validate_on_submit()  # the CSRF token (checked app-wide)
    try:
        services.answer_by_link(token, attending)
    except Conflict as exc:
        return _page(409 if exc.code != "link_used" else 410, state="refused", error=exc.message)
    return _page(attending=attending, state="done")


@bp.route("/mijn-inschrijving/komst", methods=["GET", "POST"], endpoint="mine")
@attendee_required
def mine():
    """The same answer from the personal page: choose, then confirm with one button."""
    reg = current_registration()
    attending = ANSWERS.get(request.values.get("antwoord", ""))
    now_state = services.state(reg)
    if attending is None or request.method == "GET":
        return _page(
            attending=attending, answer=request.values.get("antwoord"), reg=reg,
            state="ask" if attending is not None else "choose", current=now_state,
            logged_in=current_user.is_authenticated,
        )  # fmt: skip
    ConfirmForm().validate_on_submit()
    try:
        services.answer(reg.id, attending)
    except Conflict as exc:
        return _page(409, state="refused", error=exc.message)
    return _page(attending=attending, state="done", logged_in=True)
