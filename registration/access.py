"""Who the attendee is: the registration behind the logged-in account or bearer token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, select

from conference.errors import Forbidden, Unauthenticated, wants_json
from conference.extensions import db
from conference.snapshot import conference_settings
from registration.models import Registration

# Built once: every attendee page and poll reads it.
ACTIVE_REGISTRATION = select(Registration).where(
    Registration.conference_id == bindparam("conference_id"),
    Registration.user_id == bindparam("user_id"),
    # An invited colleague has not consented yet: no session or token before.
    Registration.status.not_in(("canceled", "invited")),
)


def current_registration(required: bool = True) -> Registration | None:
    """The active registration of the current account in this conference (cached per request)."""
    if "registration" not in g:
        g.registration = None
        if current_user.is_authenticated:
            conf = conference_settings()  # the id only: the cached snapshot serves
            g.registration = db.session.scalar(
                ACTIVE_REGISTRATION, {"conference_id": conf.id, "user_id": current_user.id}
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
