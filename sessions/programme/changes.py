"""How an activity changes: the patch rules, the capacity rule and the one change notice.

These steps run inside the caller's write transaction, so an organiser's edit is one transaction:
its audit rows, the waiting list's offers and the mails about the change commit together with the
change, or not at all.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm import Session

from conference import audit, hooks
from conference.errors import Invalid
from conference.validation import parse_time, text_field
from sessions.programme.errors import BelowTaken
from sessions.programme.models import Activity

EDITABLE = ("capacity", "starts_at", "ends_at", "location", "title", "stream_url", "join_url")
TEXT_LIMITS = (("location", 300), ("title", 300), ("stream_url", 500), ("join_url", 500))


def validate_patch(act: Activity, data: dict[str, Any]) -> dict[str, Any]:
    """A change in the API's vocabulary checked and typed; Invalid names every bad field."""
    errors: dict[str, Any] = {key: _l("onbekend veld") for key in data if key not in EDITABLE}
    changes: dict[str, Any] = {}
    _check_capacity(data, changes, errors)
    _check_times(act, data, changes, errors)
    _check_texts(data, changes, errors)
    starts = changes.get("starts_at", act.starts_at)
    ends = changes.get("ends_at", act.ends_at)
    if not errors and ends <= starts:
        errors["ends_at"] = _l("moet na het begin liggen")
    if errors:
        raise Invalid(fields=errors)
    return changes


def _check_capacity(data: dict[str, Any], changes: dict[str, Any], errors: dict[str, Any]) -> None:
    if "capacity" not in data:
        return
    cap = data["capacity"]
    whole = isinstance(cap, int) and not isinstance(cap, bool)
    if cap is not None and not (whole and 1 <= cap <= 100_000):
        errors["capacity"] = _l("geef een geheel getal van 1 tot 100000, of null voor onbeperkt")
    else:
        changes["capacity"] = cap


def _check_times(
    act: Activity, data: dict[str, Any], changes: dict[str, Any], errors: dict[str, Any]
) -> None:
    for key in ("starts_at", "ends_at"):
        if key in data:
            try:
                changes[key] = parse_time(data[key], key, around=act.conference.starts_at)
            except Invalid as exc:
                errors.update(exc.fields or {})


def _check_texts(data: dict[str, Any], changes: dict[str, Any], errors: dict[str, Any]) -> None:
    for key, limit in TEXT_LIMITS:
        if key not in data:
            continue
        problems: dict[str, Any] = {}
        value = text_field(data[key], key, limit, problems)  # the one text rule
        if problems:
            errors[key] = problems[key]
        elif key == "title" and not value:
            errors[key] = _l("een titel is verplicht")
        elif key.endswith("_url") and value and not value.startswith(("https://", "http://")):
            errors[key] = _l("geef een adres dat begint met https://")
        else:
            changes[key] = value


def apply_patch(
    session: Session, act: Activity, changes: dict[str, Any], *, actor: Any, reason: str | None
) -> None:
    """Write a checked change (the capacity by its rule) and audit it as `activity.update`."""
    before = {key: getattr(act, key) for key in changes}
    rest = dict(changes)
    if "capacity" in rest:
        set_capacity(session, act, rest.pop("capacity"))
    for key, value in rest.items():
        if getattr(act, key) != value:
            setattr(act, key, value)
    audit.record_changes(
        session, actor=actor, action="activity.update", target_type="activity", target_id=act.id,
        before=before, after={key: getattr(act, key) for key in changes}, reason=reason,
    )  # fmt: skip


def set_capacity(session: Session, act: Activity, cap: int | None) -> None:
    """Never below the seats taken; a rise offers the new seats to the people waiting."""
    old_cap = act.capacity
    query = update(Activity).where(Activity.id == act.id)
    if cap is not None:
        # Conditional UPDATE: a booking racing this change cannot push taken past cap.
        query = query.where(Activity.taken <= cap)
    if not session.execute(query.values(capacity=cap)).rowcount:
        raise BelowTaken()
    session.refresh(act)
    if old_cap is not None and (cap is None or cap > old_cap):
        hooks.activity_capacity_raised.send(act, session=session)


def watched(act: Activity) -> dict[str, Any]:
    """What the people with a seat or a follow hear of: time, place (as they see it), links."""
    return {
        "starts_at": act.starts_at,
        "ends_at": act.ends_at,
        "location": act.place,
        "stream_url": act.stream_url,
        "join_url": act.join_url,
    }


def announce_change(
    session: Session, act: Activity, before: dict[str, Any], *, tell: bool = True
) -> dict[str, tuple[Any, Any]]:
    """The one change rule: against `watched(act)` from before, a new sequence and one notice."""
    # tell=False (a file loaded from the command line, e.g. a demo whose dates move every week)
    # raises the calendar sequence only, so calendar apps update without anyone being mailed.
    now = watched(act)
    changes = {key: (old, now[key]) for key, old in before.items() if now[key] != old}
    if changes:
        act.sequence += 1
        session.flush()
        if tell:
            hooks.activity_changed.send(act, changes=changes, session=session)
    return changes
