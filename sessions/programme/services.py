"""Programme services: reading the programme, its JSON form, and organisers' changes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from conference import audit
from conference.clock import isoformat
from conference.db import write_transaction
from conference.errors import Conflict, Invalid, NotFound
from conference.extensions import db
from conference.models import Conference
from conference.services import conference_json
from conference.validation import parse_time
from sessions.programme.models import Activity, ActivitySpeaker, Block, Theme
from sessions.programme.signals import activity_capacity_raised, activity_changed
from sessions.seats.models import WaitlistEntry


def themes(conf: Conference) -> list[Theme]:
    """The conference's themes in order."""
    return list(
        db.session.scalars(select(Theme).filter_by(conference_id=conf.id).order_by(Theme.position))
    )


def blocks(conf: Conference) -> list[Block]:
    """The conference's blocks in time order."""
    return list(
        db.session.scalars(select(Block).filter_by(conference_id=conf.id).order_by(Block.starts_at))
    )


def activities(conf: Conference, *, published_only: bool = True) -> list[Activity]:
    """Every activity with its theme, room, blocks and speakers loaded, in time order."""
    query = (
        select(Activity)
        .filter_by(conference_id=conf.id)
        .options(
            selectinload(Activity.blocks),
            selectinload(Activity.room),
            selectinload(Activity.theme),
            selectinload(Activity.speaker_links).selectinload(ActivitySpeaker.speaker),
        )
        .order_by(Activity.starts_at, Activity.position)
    )
    if published_only:
        query = query.filter_by(published=True)
    return list(db.session.scalars(query))


def activity_by_slug(conf: Conference, slug: str) -> Activity:
    """One published activity, or 404."""
    act = db.session.scalar(
        select(Activity).filter_by(conference_id=conf.id, slug=slug, published=True)
    )
    if act is None:
        raise NotFound()
    return act


def waitlist_counts(conf: Conference) -> dict[int, int]:
    """People waiting (or holding an offer) per activity."""
    rows = db.session.execute(
        select(WaitlistEntry.activity_id, func.count())
        .join(Activity, Activity.id == WaitlistEntry.activity_id)
        .where(Activity.conference_id == conf.id, WaitlistEntry.status.in_(("waiting", "offered")))
        .group_by(WaitlistEntry.activity_id)
    )
    return dict(rows.all())


def activity_json(act: Activity, waiting: int = 0) -> dict[str, Any]:
    """An activity as the API shows it."""
    tz = act.conference.timezone if act.conference else "Europe/Brussels"
    return {
        "id": act.id,
        "slug": act.slug,
        "kind": act.kind,
        "title": act.title,
        "title_en": act.title_en,
        "theme_id": act.theme_id,
        "block_ids": [b.id for b in act.blocks],
        "starts_at": isoformat(act.starts_at, tz),
        "ends_at": isoformat(act.ends_at, tz),
        "mode": act.mode,
        "capacity": act.capacity,
        "taken": act.taken,
        "waitlist": waiting,
        "location": act.place,
    }


def programme_json(conf: Conference) -> dict[str, Any]:
    """The whole public programme (GET /api/v1/programme)."""
    tz = conf.timezone
    waiting = waitlist_counts(conf)
    return {
        "conference": conference_json(conf),
        "themes": [
            {"id": t.id, "slug": t.slug, "name": t.name, "name_en": t.name_en} for t in themes(conf)
        ],
        "blocks": [
            {
                "id": b.id,
                "slug": b.slug,
                "name": b.name,
                "starts_at": isoformat(b.starts_at, tz),
                "ends_at": isoformat(b.ends_at, tz),
            }
            for b in blocks(conf)
        ],
        "activities": [activity_json(a, waiting.get(a.id, 0)) for a in activities(conf)],
    }


def programme_by_block(conf: Conference) -> list[tuple[Block | None, list[Activity]]]:
    """Activities grouped per block, in time order; items outside blocks stand on their own."""
    groups: dict[int | None, list[Activity]] = defaultdict(list)
    for act in activities(conf):
        groups[act.blocks[0].id if act.blocks else None].append(act)
    result: list[tuple[Block | None, list[Activity]]] = []
    loose = sorted(groups.pop(None, []), key=lambda a: (a.starts_at, a.position))
    for block in blocks(conf):
        # Loose items (plenaries, lunch) that start before this block come first.
        while loose and loose[0].starts_at < block.starts_at:
            result.append((None, [loose.pop(0)]))
        result.append((block, groups.get(block.id, [])))
    result.extend((None, [a]) for a in loose)
    return result


EDITABLE = ("capacity", "starts_at", "ends_at", "location", "title", "stream_url", "join_url")
NOTIFY_FIELDS = ("starts_at", "ends_at", "location", "stream_url", "join_url")


def _validate_activity_patch(act: Activity, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {key: _l("onbekend veld") for key in data if key not in EDITABLE}
    changes: dict[str, Any] = {}
    if "capacity" in data:
        cap = data["capacity"]
        if cap is not None and (
            isinstance(cap, bool) or not isinstance(cap, int) or not 1 <= cap <= 100_000
        ):
            errors["capacity"] = _l(
                "geef een geheel getal van 1 tot 100000, of null voor onbeperkt"
            )
        else:
            changes["capacity"] = cap
    for key in ("starts_at", "ends_at"):
        if key in data:
            try:
                changes[key] = parse_time(data[key], key)
            except Invalid as exc:
                errors.update(exc.fields or {})
    for key, limit in (("location", 300), ("title", 300), ("stream_url", 500), ("join_url", 500)):
        if key in data:
            value = data[key]
            if value is not None and (not isinstance(value, str) or len(value) > limit):
                errors[key] = _l("geef een tekst van hoogstens %(n)s tekens", n=limit)
            elif key == "title" and not (value or "").strip():
                errors[key] = _l("een titel is verplicht")
            elif key.endswith("_url") and value and not value.startswith(("https://", "http://")):
                errors[key] = _l("geef een adres dat begint met https://")
            else:
                changes[key] = value.strip() if isinstance(value, str) else value
    starts = changes.get("starts_at", act.starts_at)
    ends = changes.get("ends_at", act.ends_at)
    if not errors and ends <= starts:
        errors["ends_at"] = _l("moet na het begin liggen")
    if errors:
        raise Invalid(fields=errors)
    return changes


def update_activity(
    activity_id: int, data: dict[str, Any], *, actor: Any = None, reason: str | None = None
) -> Activity:
    """Apply an organiser's change; a capacity never drops below the seats taken."""
    act = db.session.get(Activity, activity_id)
    if act is None:
        raise NotFound()
    changes = _validate_activity_patch(act, data)
    with write_transaction(db.session) as session:
        session.refresh(act)
        audited = list(changes)
        before = {key: getattr(act, key) for key in audited}
        if "capacity" in changes:
            cap = changes.pop("capacity")
            old_cap = act.capacity
            if cap is not None:
                # Conditional UPDATE: a booking racing this change cannot push taken past cap.
                done = session.execute(
                    update(Activity)
                    .where(Activity.id == act.id, Activity.taken <= cap)
                    .values(capacity=cap)
                ).rowcount
                if not done:
                    raise Conflict(
                        _l("Er zijn al meer plaatsen ingenomen dan die capaciteit."),
                        code="below_taken",
                    )
            else:
                session.execute(update(Activity).where(Activity.id == act.id).values(capacity=None))
            session.refresh(act)
            if old_cap is not None and (cap is None or cap > old_cap):
                activity_capacity_raised.send(act, session=session)
        diff = {k: (getattr(act, k), v) for k, v in changes.items() if getattr(act, k) != v}
        for key, (_old, new) in diff.items():
            setattr(act, key, new)
        if any(k in NOTIFY_FIELDS for k in diff):
            act.sequence += 1
            session.flush()
            activity_changed.send(act, changes=diff, session=session)
        after = {key: getattr(act, key) for key in audited}
        old, new = audit.changed(audit.jsonable(before), audit.jsonable(after))
        if new:
            audit.record(
                session, actor=actor, action="activity.update", target_type="activity",
                target_id=act.id, before=old, after=new, reason=reason,
            )  # fmt: skip
    return act
