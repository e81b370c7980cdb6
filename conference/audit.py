"""The audit log: every staff action that changes data, written in the transaction of the change.

Call `record(...)` inside the service's `write_transaction`, so the entry commits (or rolls
back) together with the change it describes.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from conference.models import AuditEntry, User


def jsonable(value: Any) -> Any:
    """A value the JSON column can store: times as ISO 8601, sets as sorted lists."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()  # one zone, so equal moments compare equal
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=str)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return str(value)


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose value differs, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(
    session: Session,
    *,
    actor: User | int | None,
    action: str,
    target_type: str,
    target_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """Add an audit entry to the current write transaction (actor None = the system).

    `actor` may be an account id, as services that take `actor_id` have it.
    """
    if isinstance(actor, int):
        actor = session.get(User, actor)
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=jsonable(before),
        after=jsonable(after),
        reason=(reason or "").strip() or None,
    )
    session.add(entry)
    return entry


def record_changes(
    session: Session,
    *,
    actor: User | None,
    action: str,
    target_type: str,
    target_id: Any,
    before: dict[str, Any],
    after: dict[str, Any],
    reason: str | None = None,
) -> AuditEntry | None:
    """Record only the keys whose value changed; nothing when none did."""
    old, new = changed(jsonable(before), jsonable(after))
    if not new:
        return None
    return record(
        session, actor=actor, action=action, target_type=target_type, target_id=target_id,
        before=old, after=new, reason=reason,
    )  # fmt: skip
