"""Programme editing: themes, blocks, rooms, speakers and activities, with the data file's rules.

Every form is validated by the same pydantic models as the data-file loader
(`sessions.programme_schema`). Changes of an activity's time, place, capacity, title or links go
through `sessions.services.update_activity`, which notifies the people concerned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from conference import audit
from conference.clock import at_local, local
from conference.db import write_transaction
from conference.errors import Conflict, Invalid, NotFound
from conference.extensions import db
from conference.models import Conference
from sessions.programme import services as programme_services
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
from sessions.programme.signals import activity_changed
from sessions.seats.models import Seat

# The loader's messages are written for the data file (English); the screens speak Dutch.
MESSAGES = {
    "write a time as": _l("schrijf een tijd als UU:MM, bv. 09:30"),
    "is not a time of day": _l("dat is geen uur van de dag"),
    "use lower-case letters": _l("gebruik alleen kleine letters, cijfers en streepjes, bv. blok-1"),
    "must end after it starts": _l("het einde moet na het begin liggen"),
    "give the blocks of the activity": _l("kies de blokken, of geef een begin- en einduur"),
    "needs a capacity": _l("een workshop, bezoek of online workshop heeft een capaciteit nodig"),
}
TYPE_MESSAGES = {
    "missing": _l("dit veld is verplicht"),
    "string_too_short": _l("dit veld is verplicht"),
    "string_too_long": _l("deze tekst is te lang"),
    "greater_than_equal": _l("dit getal is te klein"),
    "less_than_equal": _l("dit getal is te groot"),
    "int_parsing": _l("geef een geheel getal"),
    "int_type": _l("geef een geheel getal"),
    "literal_error": _l("kies een van de mogelijkheden"),
}
# Model-level rules have no field in their location: put the message next to the right field.
RULE_FIELDS = (
    ("must end after", "ends"),
    ("give the blocks", "blocks"),
    ("needs a capacity", "capacity"),
)


def _message(error: dict[str, Any]) -> Any:
    text = error["msg"].removeprefix("Value error, ")
    for needle, dutch in MESSAGES.items():
        if needle in text:
            return dutch
    return TYPE_MESSAGES.get(error["type"], text)


def validate(schema: type[BaseModel], data: dict[str, Any]) -> Any:
    """Validate form data with the loader's pydantic model; Invalid names the fields in Dutch."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        fields: dict[str, Any] = {}
        for error in exc.errors():
            loc = [p for p in error["loc"] if isinstance(p, str)]
            name = loc[0] if loc else None
            if name is None:
                text = error["msg"]
                name = next((f for needle, f in RULE_FIELDS if needle in text), "form")
            fields.setdefault(name, _message(error))
        raise Invalid(fields=fields) from exc


def _check_urls(data: dict[str, Any]) -> None:
    """The same rule as the activity API: links start with http(s)://."""
    errors = {
        key: _l("geef een adres dat begint met https://")
        for key in ("stream_url", "join_url")
        if data.get(key) and not str(data[key]).startswith(("https://", "http://"))
    }
    if errors:
        raise Invalid(fields=errors)


def conference_day(conf: Conference) -> date:
    """The conference's day in its own time zone."""
    return local(conf.starts_at, conf.timezone).date()


def at(conf: Conference, clock: time) -> datetime:
    return at_local(conference_day(conf), clock, conf.timezone)


def clock(moment: datetime | None, conf: Conference) -> str:
    """A stored time as "HH:MM" in the conference's zone."""
    return "" if moment is None else local(moment, conf.timezone).strftime("%H:%M")


def _by_slug(conf: Conference, model: type, slug: str | None, field: str) -> Any:
    if slug is None:
        return None
    row = db.session.scalar(select(model).filter_by(conference_id=conf.id, slug=slug))
    if row is None:
        raise Invalid(fields={field: _l("onbekend: %(slug)s", slug=slug)})
    return row


def get_row(conf: Conference, model: type, row_id: int) -> Any:
    row = db.session.get(model, row_id)
    if row is None or row.conference_id != conf.id:
        raise NotFound()
    return row


def next_position(session: Any, model: type, conf: Conference) -> int:
    top = session.scalar(select(func.max(model.position)).filter_by(conference_id=conf.id))
    return (top if top is not None else -1) + 1


def slug_taken(field: str = "slug") -> Invalid:
    return Invalid(fields={field: _l("deze slug bestaat al; kies een andere")})


# --- activities ---------------------------------------------------------------------------------


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
class _Resolved:
    item: ActivityIn
    theme: Theme | None
    room: Room | None
    blocks: list[Block]
    speakers: list[Speaker]
    starts_at: datetime
    ends_at: datetime


def _resolve(conf: Conference, data: dict[str, Any]) -> _Resolved:
    item: ActivityIn = validate(ActivityIn, data)
    _check_urls(data)
    blocks = [_by_slug(conf, Block, slug, "blocks") for slug in item.blocks]
    speakers = []
    for ref in item.speakers:
        slug = ref if isinstance(ref, str) else ref.speaker
        speakers.append(_by_slug(conf, Speaker, slug, "speakers"))
    starts = at(conf, item.starts) if item.starts else min(b.starts_at for b in blocks)
    ends = at(conf, item.ends) if item.ends else max(b.ends_at for b in blocks)
    if ends <= starts:
        raise Invalid(fields={"ends": MESSAGES["must end after it starts"]})
    return _Resolved(
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
    r = _resolve(conf, data)
    item = r.item
    with write_transaction(db.session) as session:
        position = next_position(session, Activity, conf)
        try:
            with session.begin_nested():
                act = Activity(
                    conference_id=conf.id,
                    slug=item.slug,
                    kind=item.kind,
                    mode=item.mode,
                    title=item.title,
                    title_en=item.title_en,
                    summary=item.summary,
                    summary_en=item.summary_en,
                    location=item.location,
                    starts_at=r.starts_at,
                    ends_at=r.ends_at,
                    capacity=item.capacity,
                    stream_url=item.stream_url,
                    join_url=item.join_url,
                    is_example=item.example,
                    published=item.published,
                    position=position,
                )
                session.add(act)
                act.theme, act.room, act.blocks = r.theme, r.room, r.blocks
                _set_speakers(act, r.speakers)
                session.flush()
        except IntegrityError as exc:
            raise slug_taken() from exc
        audit.record(
            session,
            actor=actor,
            action="activity.create",
            target_type="activity",
            target_id=act.id,
            after=activity_values(conf, act),
        )
    return act


def _has_seats(session: Any, act: Activity) -> bool:
    return bool(
        session.scalar(select(func.count()).select_from(Seat).filter_by(activity_id=act.id))
    )


def edit_activity(
    conf: Conference,
    activity_id: int,
    data: dict[str, Any],
    *,
    actor: Any,
    reason: str | None = None,
) -> Activity:
    """Change an activity. Time, place, capacity, title and links go through `update_activity`."""
    act = get_row(conf, Activity, activity_id)
    r = _resolve(conf, {**data, "slug": act.slug})
    item = r.item
    # 1. What notifies people, with the capacity rule (never below the seats taken).
    wanted = {
        "capacity": item.capacity,
        "starts_at": r.starts_at,
        "ends_at": r.ends_at,
        "location": item.location,
        "title": item.title,
        "stream_url": item.stream_url,
        "join_url": item.join_url,
    }
    patch = {k: v for k, v in wanted.items() if getattr(act, k) != v}
    for key in ("starts_at", "ends_at"):
        if key in patch:
            patch[key] = patch[key].isoformat()
    # 2. The rest, checked before anything is written.
    with write_transaction(db.session) as session:
        session.refresh(act)
        if _has_seats(session, act):
            moved = [b.id for b in act.blocks] != [b.id for b in r.blocks]
            if moved or item.mode != act.mode or (item.kind in SEATED_KINDS) != act.seated:
                raise Conflict(
                    _l(
                        "Er hebben al mensen een plaats. Verplaats hen eerst, en wijzig dan "
                        "de blokken, de soort of on site/online."
                    ),
                    code="has_seats",
                )
    if patch:
        programme_services.update_activity(act.id, patch, actor=actor, reason=reason)
    with write_transaction(db.session) as session:
        session.refresh(act)
        before = activity_values(conf, act)
        old_place = act.place
        act.kind, act.mode = item.kind, item.mode
        act.title_en, act.summary, act.summary_en = item.title_en, item.summary, item.summary_en
        act.theme, act.room, act.blocks = r.theme, r.room, r.blocks
        act.is_example, act.published = item.example, item.published
        _set_speakers(act, r.speakers)
        session.flush()
        if act.place != old_place:
            # A new room is a new place: the people concerned hear of it like a time change.
            act.sequence += 1
            session.flush()
            activity_changed.send(
                act, changes={"location": (old_place, act.place)}, session=session
            )
        old, new = audit.changed(audit.jsonable(before), audit.jsonable(activity_values(conf, act)))
        if new:
            audit.record(
                session,
                actor=actor,
                action="activity.edit",
                target_type="activity",
                target_id=act.id,
                before=old,
                after=new,
                reason=reason,
            )
    return act


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
