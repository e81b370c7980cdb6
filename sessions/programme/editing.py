"""Organisers' edits of activities: add, change, show or hide; each one write transaction.

Forms are checked by the data file's pydantic models (`validation.validate`). A change of time,
place, capacity, title or links follows the API's rules (`changes`), and the people concerned
hear of it once, in the transaction of the edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conference import audit
from conference.db import write_transaction
from conference.errors import Invalid, NotFound
from conference.extensions import db
from conference.models import Conference
from sessions.programme.changes import announce_change, apply_patch, validate_patch, watched
from sessions.programme.errors import HasSeats, SlugTaken
from sessions.programme.models import (
    SEATED_KINDS,
    Activity,
    ActivitySpeaker,
    Block,
    Room,
    Speaker,
    Theme,
)
from sessions.programme.schema import ActivityIn
from sessions.programme.validation import MESSAGES, at, check_urls, clock, validate
from sessions.seats.models import Seat


def get_row(conf: Conference, model: type, row_id: int) -> Any:
    """A programme row of this conference, or 404."""
    row = db.session.get(model, row_id)
    if row is None or row.conference_id != conf.id:
        raise NotFound()
    return row


def next_position(session: Session, model: type, conf: Conference) -> int:
    """The position after the last one of this kind."""
    top = session.scalar(select(func.max(model.position)).filter_by(conference_id=conf.id))
    return (top if top is not None else -1) + 1


def _by_slug(conf: Conference, model: type, slug: str | None, field: str) -> Any:
    if slug is None:
        return None
    row = db.session.scalar(select(model).filter_by(conference_id=conf.id, slug=slug))
    if row is None:
        raise Invalid(fields={field: _l("onbekend: %(slug)s", slug=slug)})
    return row


def activity_values(conf: Conference, act: Activity) -> dict[str, Any]:
    """An activity in the file's vocabulary (what the form shows and the audit compares)."""
    return {
        "slug": act.slug,
        "kind": act.kind,
        "mode": act.mode,
        "title": act.title,
        "title_en": act.title_en,
        "summary": act.summary,
        "summary_en": act.summary_en,
        "theme": act.theme.slug if act.theme else None,
        "blocks": [b.slug for b in act.blocks],
        "room": act.room.slug if act.room else None,
        "location": act.location,
        "starts": clock(act.starts_at, conf),
        "ends": clock(act.ends_at, conf),
        "capacity": act.capacity,
        "speakers": [link.speaker.slug for link in act.speaker_links],
        "stream_url": act.stream_url,
        "join_url": act.join_url,
        "example": act.is_example,
        "published": act.published,
    }


@dataclass
class Resolved:
    """A checked activity form with its references looked up and its times as moments."""

    item: ActivityIn
    theme: Theme | None
    room: Room | None
    blocks: list[Block]
    speakers: list[Speaker]
    starts_at: datetime
    ends_at: datetime


def resolve(conf: Conference, data: dict[str, Any]) -> Resolved:
    """Check an activity form and look up its theme, room, blocks and speakers by slug."""
    item: ActivityIn = validate(ActivityIn, data)
    check_urls(data)
    blocks = [_by_slug(conf, Block, slug, "blocks") for slug in item.blocks]
    speakers = []
    for ref in item.speakers:
        slug = ref if isinstance(ref, str) else ref.speaker
        speakers.append(_by_slug(conf, Speaker, slug, "speakers"))
    starts = at(conf, item.starts) if item.starts else min(b.starts_at for b in blocks)
    ends = at(conf, item.ends) if item.ends else max(b.ends_at for b in blocks)
    if ends <= starts:
        raise Invalid(fields={"ends": MESSAGES["must end after it starts"]})
    return Resolved(
        item=item,
        theme=_by_slug(conf, Theme, item.theme, "theme"),
        room=_by_slug(conf, Room, item.room, "room"),
        blocks=blocks,
        speakers=speakers,
        starts_at=starts,
        ends_at=ends,
    )


def _set_speakers(act: Activity, speakers: list[Speaker]) -> None:
    existing = {link.speaker_id: link for link in act.speaker_links}
    links = []
    for pos, speaker in enumerate(speakers):
        link = existing.get(speaker.id) or ActivitySpeaker(speaker=speaker, role="speaker")
        link.position = pos
        links.append(link)
    act.speaker_links = links


def create_activity(conf: Conference, data: dict[str, Any], *, actor: Any) -> Activity:
    """Add an activity to the programme."""
    r = resolve(conf, data)
    item = r.item
    with write_transaction(db.session) as session:
        position = next_position(session, Activity, conf)
        try:
            with session.begin_nested():
                act = Activity(
                    conference_id=conf.id, slug=item.slug, kind=item.kind, mode=item.mode,
                    title=item.title, title_en=item.title_en, summary=item.summary,
                    summary_en=item.summary_en, location=item.location, starts_at=r.starts_at,
                    ends_at=r.ends_at, capacity=item.capacity, stream_url=item.stream_url,
                    join_url=item.join_url, is_example=item.example, published=item.published,
                    position=position,
                )  # fmt: skip
                session.add(act)
                act.theme, act.room, act.blocks = r.theme, r.room, r.blocks
                _set_speakers(act, r.speakers)
                session.flush()
        except IntegrityError as exc:
            raise SlugTaken() from exc
        audit.record(
            session, actor=actor, action="activity.create", target_type="activity",
            target_id=act.id, after=activity_values(conf, act),
        )  # fmt: skip
    return act


def edit_activity(
    conf: Conference,
    activity_id: int,
    data: dict[str, Any],
    *,
    actor: Any,
    reason: str | None = None,
) -> Activity:
    """Change an activity in one transaction; its people hear of a new time or place once."""
    act = get_row(conf, Activity, activity_id)
    r = resolve(conf, {**data, "slug": act.slug})
    patch = validate_patch(act, _patch(act, r))
    with write_transaction(db.session) as session:
        session.refresh(act)
        _refuse_reshaping_seated(session, act, r)
        before = watched(act)
        apply_patch(session, act, patch, actor=actor, reason=reason)
        _apply_the_rest(session, conf, act, r, actor=actor, reason=reason)
        announce_change(session, act, before)
    return act


def _patch(act: Activity, r: Resolved) -> dict[str, Any]:
    """What differs in the fields the API can change, in the API's vocabulary (its rules apply)."""
    wanted = {
        "capacity": r.item.capacity,
        "starts_at": r.starts_at,
        "ends_at": r.ends_at,
        "location": r.item.location,
        "title": r.item.title,
        "stream_url": r.item.stream_url,
        "join_url": r.item.join_url,
    }
    patch = {key: value for key, value in wanted.items() if getattr(act, key) != value}
    for key in ("starts_at", "ends_at"):
        if key in patch:
            patch[key] = patch[key].isoformat()
    return patch


def _refuse_reshaping_seated(session: Session, act: Activity, r: Resolved) -> None:
    """People with a seat keep its block, kind and mode: move them first."""
    seats = session.scalar(select(func.count()).select_from(Seat).filter_by(activity_id=act.id))
    if not seats:
        return
    moved = [b.id for b in act.blocks] != [b.id for b in r.blocks]
    if moved or r.item.mode != act.mode or (r.item.kind in SEATED_KINDS) != act.seated:
        raise HasSeats()


def _apply_the_rest(
    session: Session, conf: Conference, act: Activity, r: Resolved, *, actor: Any, reason: Any
) -> None:
    """Kind, mode, texts, theme, room, blocks, speakers and flags, audited as `activity.edit`."""
    before = activity_values(conf, act)
    item = r.item
    act.kind, act.mode = item.kind, item.mode
    act.title_en, act.summary, act.summary_en = item.title_en, item.summary, item.summary_en
    act.theme, act.room, act.blocks = r.theme, r.room, r.blocks
    act.is_example, act.published = item.example, item.published
    _set_speakers(act, r.speakers)
    session.flush()
    audit.record_changes(
        session, actor=actor, action="activity.edit", target_type="activity", target_id=act.id,
        before=before, after=activity_values(conf, act), reason=reason,
    )  # fmt: skip


def set_published(
    conf: Conference, activity_id: int, published: bool, *, actor: Any, reason: str | None = None
) -> Activity:
    """Show or hide an activity on the public programme."""
    act = get_row(conf, Activity, activity_id)
    with write_transaction(db.session) as session:
        session.refresh(act)
        if act.published != published:
            act.published = published
            audit.record(
                session,
                actor=actor,
                action="activity.publish" if published else "activity.unpublish",
                target_type="activity",
                target_id=act.id,
                before={"published": not published},
                after={"published": published},
                reason=reason,
            )
    return act
