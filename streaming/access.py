"""Who may watch, join and moderate: the viewer behind the request and the page decorators."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from flask import g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from conference.auth import TokenCaller
from conference.errors import Forbidden, Unauthenticated, wants_json
from conference.extensions import db
from conference.models import Conference, User
from registration.access import current_registration
from registration.models import Registration
from sessions.programme.models import Activity
from sessions.seats.models import Seat

# Staff who may watch every stream, see every join link and run the Q&A.
STREAM_STAFF = ("organiser", "moderator")


@dataclass
class Viewer:
    """The person asking: an account, its registration (if any) and its seats."""

    user: User | TokenCaller | None  # a `role_only` API call reads its token narrowly
    registration: Registration | None
    staff: bool = False
    # Loaded on first use: most calls (heartbeats, Q&A polls) never ask about seats.
    seat_ids: set[int] | None = field(default=None)

    @property
    def registered(self) -> bool:
        """A registered attendee (on site or online, also while on the venue waiting list)."""
        return self.registration is not None

    @property
    def may_watch(self) -> bool:
        """Whether stream pages and embeds are for this person."""
        return self.registered or self.staff

    def has_seat(self, activity_id: int) -> bool:
        """Whether the person holds a seat at the activity."""
        if self.seat_ids is None:
            self.seat_ids = seat_ids(self.registration)
        return activity_id in self.seat_ids


def seat_ids(registration: Registration | None) -> set[int]:
    """The activities where a registration holds a seat."""
    if registration is None:
        return set()
    return set(
        db.session.scalars(select(Seat.activity_id).filter_by(registration_id=registration.id))
    )


def current_viewer() -> Viewer:
    """The viewer of this request (cached per request)."""
    if "stream_viewer" not in g:
        user = current_user._get_current_object() if current_user.is_authenticated else None
        staff = bool(user is not None and user.has_role(*STREAM_STAFF))
        registration = current_registration(required=False) if user is not None else None
        g.stream_viewer = Viewer(user, registration, staff)
    return g.stream_viewer


def join_opens_at(conf: Conference, act: Activity) -> datetime:
    """The moment the join link of an online workshop is released to its participants."""
    lead = conf.setting("join_link_lead_minutes")
    return act.starts_at - timedelta(minutes=15 if lead is None else int(lead))


def may_join(viewer: Viewer, conf: Conference, act: Activity, now: datetime) -> bool:
    """Whether the viewer gets the video-room link of an online workshop now."""
    if act.kind != "online_workshop" or not act.join_url:
        return False
    if viewer.staff:
        return True
    return viewer.registered and viewer.has_seat(act.id) and now >= join_opens_at(conf, act)


def _login_redirect():
    """Send a browser without a login to the attendees' login-link page."""
    return redirect(url_for("registration.login", next=request.full_path))


def viewer_required(view: Callable) -> Callable:
    """Pages and API calls for registered attendees and stream staff (organiser, moderator)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            if not wants_json():
                return _login_redirect()
            raise Unauthenticated()
        if not current_viewer().may_watch:
            raise Forbidden()
        return view(*args, **kwargs)

    wrapped.required_roles = ("attendee", *STREAM_STAFF)
    return wrapped
