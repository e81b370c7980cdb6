"""The statements of a registration (`registration.signup`), built once per process.

Each call then only binds its values: building a statement costs more CPU than running it.
On PostgreSQL a new account, its registration row, its manage link, the caller's API token and
(when the guess gives a place) the ticket are written by one statement of data-modifying CTEs,
one round trip instead of five. SQLite, which has no such CTEs, and an address that already
has an account (whose older links are revoked first) write them one by one. The statement is
atomic: when the one-active-registration-per-address index refuses the row, nothing is kept.
"""

from __future__ import annotations

from sqlalchemy import BindParameter, Column, Select, bindparam, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from conference.models import ApiToken, User
from registration.manage_links import UNPROVEN_LABEL
from registration.models import ManageLink, Registration, Ticket

REGISTRATIONS = Registration.__table__
TICKETS = Ticket.__table__
USERS = User.__table__
# `inline()` where the new id is not needed: no RETURNING to fetch and wrap in a result.
INSERT_REGISTRATION = insert(REGISTRATIONS).returning(REGISTRATIONS.c.id)
INSERT_TOKEN = insert(ApiToken.__table__).inline()
INSERT_TICKET = insert(TICKETS).inline()
NEW_USER = {
    dialect: factory(USERS).on_conflict_do_nothing(index_elements=["email"]).returning(USERS.c.id)
    for dialect, factory in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
# The account's and the registration's columns as `signup.one_statement` binds them.
USER_COLUMNS = ("email", "role", "language", "name", "active", "session_version", "created_at")
ROW_COLUMNS = (
    "conference_id", "user_id", "email", "first_name", "last_name", "organisation", "profile",
    "sector", "mode", "status", "language", "accessibility_needs", "diet", "consent_at",
    "waitlist_ok", "holds_venue_place", "venue_waitlisted_at", "created_at", "updated_at",
)  # fmt: skip


def _bind(name: str, column: Column) -> BindParameter:
    """A named value typed as `column` (so the UTC check and the casts still apply)."""
    return bindparam(name, type_=column.type)


def _together(with_ticket: bool) -> Select:
    """A new account's rows in one statement: (registration id, account id), or no row when
    the address already has an account (ON CONFLICT DO NOTHING: nothing is written then)."""
    user = (
        pg_insert(USERS)
        .values({name: _bind(f"user_{name}", USERS.c[name]) for name in USER_COLUMNS})
        .on_conflict_do_nothing(index_elements=["email"])
        .returning(USERS.c.id)
        .cte("new_user")
    )
    others = [name for name in ROW_COLUMNS if name != "user_id"]
    reg = (
        insert(REGISTRATIONS)
        .from_select(
            ["user_id", *others],
            select(user.c.id, *(_bind(f"reg_{name}", REGISTRATIONS.c[name]) for name in others)),
        )
        .returning(REGISTRATIONS.c.id, REGISTRATIONS.c.user_id)
        .cte("new_registration")
    )
    links, tokens = ManageLink.__table__, ApiToken.__table__
    link = insert(links).from_select(
        ["user_id", "token_hash", "created_at", "expires_at"],
        select(user.c.id, _bind("link_hash", links.c.token_hash),
               _bind("reg_created_at", links.c.created_at),
               _bind("link_expires_at", links.c.expires_at)),
    )  # fmt: skip
    token = insert(tokens).from_select(
        ["user_id", "token_hash", "kind", "label", "created_at"],
        select(user.c.id, _bind("token_hash", tokens.c.token_hash), literal("attendee"),
               literal(UNPROVEN_LABEL), _bind("reg_created_at", tokens.c.created_at)),
    )  # fmt: skip
    ctes = [user, reg, link.cte("new_link"), token.cte("new_token")]
    if with_ticket:
        row = select(
            reg.c.id,
            _bind("ticket_secret", TICKETS.c.secret),
            literal("active"),
            _bind("reg_created_at", TICKETS.c.created_at),
        )
        columns = ["registration_id", "secret", "status", "created_at"]
        ctes.append(insert(TICKETS).from_select(columns, row).cte("new_ticket"))
    return select(reg.c.id, reg.c.user_id).add_cte(*ctes)


# Keyed by whether the ticket is written too.
NEW_ACCOUNT_ROWS = {with_ticket: _together(with_ticket) for with_ticket in (False, True)}
