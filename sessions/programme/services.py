"""Programme services: reading the programme, its JSON form, and organisers' changes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.clock import isoformat
from conference.db import write_transaction
from conference.errors import NotFound
from conference.extensions import db
from conference.i18n import localized
from conference.models import Conference
from conference.services import conference_json
from sessions.programme.changes import announce_change, apply_patch, validate_patch, watched
from sessions.programme.models import Activity, ActivitySpeaker, Block, Theme
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


def _free_text(act: Activity) -> str:
    if act.capacity is None:
        return str(_l("onbeperkt"))
    free = max(act.capacity - act.taken, 0)
    if free == 0:
        return str(_l("volzet (%(cap)d plaatsen)", cap=act.capacity))
    return str(_l("%(free)d van %(cap)d plaatsen vrij", free=free, cap=act.capacity))


def seat_choices_by_block(
    acts: list[Activity], value: Callable[[int], Any] = str
) -> dict[str | None, list[tuple[Any, str]]]:
    """Activities with seats for an organiser's move list: grouped by block (an activity over
    two blocks in a group of its own), each with its free seats; a WTForms choices dict."""
    groups: dict[str | None, list[tuple[Any, str]]] = {}
    for act in sorted(acts, key=lambda a: (a.starts_at, a.position, a.id)):
        if not act.seated:
            continue
        if len(act.blocks) == 1:
            block = act.blocks[0]
            group = f"{localized(block, 'name')} · {format_time(block.starts_at, 'HH:mm')}–" + (
                format_time(block.ends_at, "HH:mm")
            )
        else:
            group = str(_l("Over meer dan één blok"))
        groups.setdefault(group, []).append((value(act.id), f"{act.title} — {_free_text(act)}"))
    return groups


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


def update_activity(
    activity_id: int, data: dict[str, Any], *, actor: Any = None, reason: str | None = None
) -> Activity:
    """An organiser's change, one transaction; a capacity never drops below the seats taken."""
    act = db.session.get(Activity, activity_id)
    if act is None:
        raise NotFound()
    changes = validate_patch(act, data)
    with write_transaction(db.session) as session:
        session.refresh(act)
        before = watched(act)
        apply_patch(session, act, changes, actor=actor, reason=reason)
        announce_change(session, act, before)
    return act
