"""Who is calling: browser sessions, bearer tokens, and role checks for pages and the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request
from flask import session as browser_session
from flask_login import UserMixin, current_user
from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from conference.errors import Forbidden, Unauthenticated
from conference.extensions import db, login_manager
from conference.models import STAFF_ROLES, ApiToken, User, hash_token

# Set in a session opened without proof of the address (see `load_user`).
UNPROVEN_SESSION = "unproven"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the session's account; a bumped session version logs the session out."""
    if bearer_token() is not None:
        return None  # a call with a bearer token is the token's alone (and needs no CSRF token)
    try:
        uid, version = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version or not user.active:
        return None
    # A browser logged in right after registering, before any proof of the address: once the
    # address is proven (perhaps by its real owner, who did not register), it is logged out.
    if browser_session.get(UNPROVEN_SESSION) and user.email_proven_at is not None:
        return None
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """Log the account out of every browser: its session version moves on (one UPDATE).

    The version is in every session cookie of the account (`User.get_id`) and `load_user`
    refuses a cookie whose version is no longer the account's, so no old cookie works again.
    """
    session.execute(
        update(User)
        .where(User.id == user_id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer …` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


# What makes a token valid: unrevoked, of an active account still of the token's kind. Every API
# call by a scanner or a watch page runs it, so the queries are built once and each call binds
# only the hash. Read at every call: a revocation holds at once.
def _token_query(*columns: Any) -> Any:
    """`columns` of the account behind a valid token (bound: `token_hash`)."""
    return (
        select(*columns)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == bindparam("token_hash"),
            ApiToken.revoked_at.is_(None),
            # An attendee's token is never a staff token, whatever the account became.
            or_(
                and_(ApiToken.kind == "staff", User.role.in_(STAFF_ROLES)),
                and_(ApiToken.kind == "attendee", User.role == "attendee"),
            ),
            User.active.is_(True),
        )
    )


TOKEN_USER = _token_query(User)
# The same rules, for views that need only the role check and the caller's id (`role_only`).
TOKEN_ROLE = _token_query(User.id, User.role, User.language)


class TokenCaller(UserMixin):
    """A token's account as a `role_only` view sees it: id, role and language, no ORM object."""

    def __init__(self, id: int, role: str, language: str) -> None:
        self.id, self.role, self.language = id, role, language

    # The account's own rules, so they are written once (they read only `role`).
    is_staff = User.is_staff
    has_role = User.has_role


def role_only(view: Callable) -> Callable:
    """Mark a view that uses only the caller's id and role: a bearer token is read narrowly."""
    # Loading the whole account as an ORM object cost the scan more CPU than its statements.
    view.role_only = True
    return view


def user_for_token(raw: str) -> User | None:
    """The active account behind a valid, unrevoked token."""
    return db.session.scalar(TOKEN_USER, {"token_hash": hash_token(raw)})


def _caller_for_token(raw: str) -> TokenCaller | None:
    """The same check as `user_for_token`, reading only the columns a role check needs."""
    row = db.session.connection().execute(TOKEN_ROLE, {"token_hash": hash_token(raw)}).first()
    return None if row is None else TokenCaller(*row)


@login_manager.request_loader
def load_user_from_request(req: Any) -> User | TokenCaller | None:
    """Authenticate API calls by bearer token (they then need no CSRF token)."""
    raw = bearer_token()
    if raw is None:
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    narrow = getattr(view, "role_only", False)
    user = _caller_for_token(raw) if narrow else user_for_token(raw)
    if user is not None:
        g.token_auth = True
    return user


def check_role(*roles: str) -> User | TokenCaller:
    """The current account if it has one of `roles`; else raise 401 or 403."""
    if bearer_token() is not None and not current_user.is_authenticated:
        raise Unauthenticated()
    if not current_user.is_authenticated:
        raise Unauthenticated()
    if roles and not current_user.has_role(*roles):
        raise Forbidden()
    return current_user._get_current_object()


def role_required(*roles: str) -> Callable:
    """Decorate a page or API view so only accounts with one of `roles` may call it."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            check_role(*roles)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # read by the authorization-matrix test
        return wrapped

    return decorator


def public(view: Callable) -> Callable:
    """Mark a page or API view as open to everyone, on purpose (no role, declared)."""
    view.required_roles = ()  # read by the authorization-matrix test: declared, no role
    return view


staff_required = role_required("organiser", "checkin", "moderator")
organiser_required = role_required("organiser")
