"""An attendee's ways in, and how they end: manage links, the registration's token, proof.

- The manage link in a mail carries a random link token (only its hash is stored) that opens a
  session, as a login link does; it is no API token, so it is useless as a bearer token and a
  bearer token is useless in its place. A new mail with a link revokes the older links.
- The token that `POST /api/v1/registrations` returns proves nothing about the address: anyone
  can register anyone's address. The first proof that the person reads that mailbox (a login
  link or a manage link used) revokes it, and ends browser sessions opened without proof.
- "Log out everywhere", cancelling and erasing end every way in at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from conference.auth import end_sessions
from conference.clock import utcnow
from conference.db import write_transaction
from conference.extensions import db
from conference.models import ApiToken, User, hash_token, new_token
from registration.models import LoginLink, ManageLink

# A mail of March must still open the personal page on the day in May.
LINK_DAYS = 180
# The label of the token a registration returns (registration/signup.py): not proven.
UNPROVEN_LABEL = "registration"
INSERT_LINK = insert(ManageLink.__table__).inline()  # no RETURNING: the id is not needed


def _revoke(
    session: Session, model: type[ApiToken | ManageLink], user_id: int, now: datetime
) -> int:
    """Revoke every live token or link of the account; how many there were."""
    return session.execute(
        update(model)
        .where(model.user_id == user_id, model.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


def new_link_row(user_id: int, now: datetime) -> tuple[str, dict[str, Any]]:
    """A new manage link of the account: the raw token (for the mail only) and its row."""
    raw = new_token()
    row = {"user_id": user_id, "token_hash": hash_token(raw), "created_at": now,
           "expires_at": now + timedelta(days=LINK_DAYS)}  # fmt: skip
    return raw, row


def issue_manage_link(
    session: Session, user_id: int, now: datetime | None = None, *, new_account: bool = False
) -> str:
    """A new manage link for the account (the raw token, for the mail only); older ones end.

    `new_account`: the account was made in this transaction, so it has no older link to end.
    """
    now = now or utcnow()
    raw, row = new_link_row(user_id, now)
    if not new_account:
        _revoke(session, ManageLink, user_id, now)
    session.connection().execute(INSERT_LINK, row)  # Core, not the ORM's execute: it is hot
    return raw


def issue_manage_links(session: Session, user_ids: list[int], now: datetime) -> dict[int, str]:
    """`issue_manage_link` for many accounts at once (a mailing): user id -> raw token."""
    if not user_ids:
        return {}
    session.execute(
        update(ManageLink)
        .where(ManageLink.user_id.in_(user_ids), ManageLink.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    raws = {user_id: new_token() for user_id in user_ids}
    session.execute(
        INSERT_LINK,
        [{"user_id": user_id, "token_hash": hash_token(raw), "created_at": now,
          "expires_at": now + timedelta(days=LINK_DAYS)} for user_id, raw in raws.items()],
    )  # fmt: skip
    return raws


def valid_manage_link(session: Session, raw: str, now: datetime | None = None) -> ManageLink | None:
    """The live link behind `raw` of an active attendee account, or None; reads only."""
    now = now or utcnow()
    link = session.scalar(select(ManageLink).filter_by(token_hash=hash_token(raw)))
    if link is None or link.revoked_at is not None or link.expires_at <= now:
        return None
    # Staff accounts never open a session through a mailed link (they log in with a password).
    if not link.user.active or link.user.role != "attendee":
        return None
    return link


def address_proven(session: Session, user: User, now: datetime) -> None:
    """The person showed they read the address: the unproven registration token ends."""
    user.email_proven_at = now
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.label == UNPROVEN_LABEL,
            ApiToken.kind == "attendee",
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def end_all_access(session: Session, user_id: int, now: datetime) -> dict[str, int]:
    """Revoke every token and link of the account and end its browser sessions."""
    tokens = _revoke(session, ApiToken, user_id, now)
    links = _revoke(session, ManageLink, user_id, now)
    session.execute(
        delete(LoginLink)
        .where(LoginLink.user_id == user_id, LoginLink.used_at.is_(None))
        .execution_options(synchronize_session=False)
    )
    end_sessions(session, user_id)
    return {"tokens": tokens, "links": links}


def log_out_everywhere(user_id: int, now: datetime | None = None) -> dict[str, int]:
    """The person's "log out everywhere": every token, link and browser session ends."""
    with write_transaction(db.session) as session:
        return end_all_access(session, user_id, now or utcnow())


def active_access(session: Session, user_id: int, now: datetime | None = None) -> dict[str, Any]:
    """What can still open this account: live manage links and unrevoked tokens, newest first."""
    now = now or utcnow()
    links = session.scalars(
        select(ManageLink)
        .where(
            ManageLink.user_id == user_id,
            ManageLink.revoked_at.is_(None),
            ManageLink.expires_at > now,
        )
        .order_by(ManageLink.id.desc())
    ).all()
    tokens = session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())
    ).all()
    return {"links": list(links), "tokens": list(tokens)}
