"""Who the attendee is: the registration behind the logged-in account or bearer token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from conference.errors import Forbidden, Unauthenticated, wants_json
from conference.extensions import db
from conference.services import current_conference
from registration.models import Registration


def current_registration(required: bool = True) -> Registration | None:
    """The active registration of the current account in this conference (cached per request)."""
    if "registration" not in g:
        g.registration = None
        if current_user.is_authenticated:
            conf = current_conference()
            g.registration = db.session.scalar(
                select(Registration).where(
                    Registration.conference_id == conf.id,
                    Registration.user_id == current_user.id,
                    # An invited colleague has not consented yet: no session or token before.
                    Registration.status.not_in(("canceled", "invited")),
                )
            )
    if g.registration is None and required:
        if not current_user.is_authenticated:
            raise Unauthenticated()
        raise Forbidden()
    return g.registration


def attendee_required(view: Callable) -> Callable:
    """Pages and API calls for registered attendees; pages send others to the login-link page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated and not wants_json():
            return redirect(url_for("registration.login", next=request.full_path))
        current_registration()
        return view(*args, **kwargs)

    wrapped.required_roles = ("attendee",)
    return wrapped
