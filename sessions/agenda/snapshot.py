"""The programme snapshot: the activities as immutable data, cached per app, checked per use.

One cheap query (a few columns per activity) tells whether the cached snapshot still holds;
otherwise it is rebuilt with rooms, themes, speakers and blocks. Each activity carries a hash of
its calendar content and the moment that content last changed (`activity_revisions`), which
becomes DTSTAMP / LAST-MODIFIED in the feeds.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from conference.clock import utcnow
from conference.db import in_write_transaction
from conference.extensions import db
from conference.models import Conference
from sessions.agenda.history import upsert_revisions
from sessions.agenda.models import ActivityRevision
from sessions.programme.models import Activity, ActivitySpeaker, Block

SNAPSHOT_TTL = 60.0  # seconds: summary edits and room, theme or speaker renames show by then


@dataclass(frozen=True)
class SpeakerInfo:
    """A speaker, moderator or guide as the agenda shows them."""

    name: str
    organisation: str | None
    role: str


@dataclass(frozen=True)
class ActivityInfo:
    """What the agenda and the calendar need of an activity, detached from the database."""

    id: int
    slug: str
    kind: str
    mode: str
    title: str
    title_en: str | None
    summary: str | None
    summary_en: str | None
    theme_name: str | None
    theme_name_en: str | None
    room_name: str | None
    room_floor: str | None
    directions: str | None
    directions_en: str | None
    location: str | None
    starts_at: datetime
    ends_at: datetime
    speakers: tuple[SpeakerInfo, ...]
    join_url: str | None
    stream_url: str | None
    sequence: int
    published: bool
    block_ids: tuple[int, ...]
    created_at: datetime
    content_hash: str = ""
    changed_at: datetime | None = None

    @property
    def place(self) -> str | None:
        """The free-text location when set, else the room (as `Activity.place`)."""
        return self.location or self.room_name

    @property
    def online(self) -> bool:
        """Whether it happens only online."""
        return self.mode == "online"

    def text(self, name: str, language: str) -> Any:
        """A bilingual field in `language`, falling back to Dutch."""
        if language == "en":
            value = getattr(self, f"{name}_en", None)
            if value:
                return value
        return getattr(self, name)


@dataclass(frozen=True)
class BlockInfo:
    """A time block."""

    id: int
    name: str
    name_en: str | None
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class ProgrammeSnapshot:
    """The conference's programme at one moment; `version` hashes everything the feeds show."""

    conference_id: int
    timezone: str
    activities: dict[int, ActivityInfo]
    blocks: tuple[BlockInfo, ...]
    version: str
    probe: int
    built_at: float = field(default=0.0, compare=False)

    def overlaps_block(self, act: ActivityInfo) -> bool:
        """Whether the activity runs during a block (then it is no break)."""
        return any(b.starts_at < act.ends_at and act.starts_at < b.ends_at for b in self.blocks)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, default=str, sort_keys=True).encode()).hexdigest()


def activity_info(act: Activity) -> ActivityInfo:
    """Copy an activity (with room, theme and speakers loaded) into an `ActivityInfo`."""
    info = ActivityInfo(
        id=act.id,
        slug=act.slug,
        kind=act.kind,
        mode=act.mode,
        title=act.title,
        title_en=act.title_en,
        summary=act.summary,
        summary_en=act.summary_en,
        theme_name=act.theme.name if act.theme else None,
        theme_name_en=act.theme.name_en if act.theme else None,
        room_name=act.room.name if act.room else None,
        room_floor=act.room.floor if act.room else None,
        directions=act.room.directions if act.room else None,
        directions_en=act.room.directions_en if act.room else None,
        location=act.location,
        starts_at=act.starts_at,
        ends_at=act.ends_at,
        speakers=tuple(
            SpeakerInfo(link.speaker.name, link.speaker.organisation, link.role)
            for link in act.speaker_links
        ),
        join_url=act.join_url,
        stream_url=act.stream_url,
        sequence=act.sequence or 0,
        published=act.published,
        block_ids=tuple(b.id for b in act.blocks),
        created_at=act.created_at,
    )
    skip = ("content_hash", "changed_at", "created_at")
    content = {k: v for k, v in info.__dict__.items() if k not in skip}
    return replace(info, content_hash=_digest(content))


@cache
def _probe_statement():
    """The columns whose change must rebuild the snapshot at once (cheap: a short row each).

    Long texts (summaries) and room, theme or speaker renames wait for SNAPSHOT_TTL.
    """
    return (
        select(
            Activity.id,
            Activity.sequence,
            Activity.kind,
            Activity.mode,
            Activity.title,
            Activity.title_en,
            Activity.starts_at,
            Activity.ends_at,
            Activity.location,
            Activity.room_id,
            Activity.theme_id,
            Activity.join_url,
            Activity.stream_url,
            Activity.published,
        )
        .where(Activity.conference_id == bindparam("conference_id"))
        .order_by(Activity.id)
    )


def _probe(session: Session, conference_id: int) -> int:
    """A cheap fingerprint of the activities (compared within this process only)."""
    rows = session.connection().execute(_probe_statement(), {"conference_id": conference_id})
    return hash(tuple(tuple(row) for row in rows))


def _revisions(session: Session, infos: dict[int, ActivityInfo]) -> dict[int, datetime]:
    """When each activity's content last changed; record changes no one has recorded yet.

    `sessions.notifications` records an organiser's change in its own transaction; this
    catches the rest (a programme reload, a title edit) the first time a feed is built after.
    """
    stored = {
        row.activity_id: (row.content_hash, row.changed_at)
        for row in session.execute(
            select(
                ActivityRevision.activity_id,
                ActivityRevision.content_hash,
                ActivityRevision.changed_at,
            ).where(ActivityRevision.activity_id.in_(list(infos)))
        )
    }
    now = utcnow()
    fresh: list[tuple[int, str, datetime]] = []
    result: dict[int, datetime] = {}
    for aid, info in infos.items():
        known = stored.get(aid)
        if known and known[0] == info.content_hash:
            result[aid] = known[1]
            continue
        # Never seen: an unchanged activity dates from its creation; a changed one from now.
        changed = info.created_at if known is None and info.sequence == 0 else now
        result[aid] = changed
        fresh.append((aid, info.content_hash, changed))
    if fresh:
        if in_write_transaction():
            result.update(_store(session.connection(), fresh))
        else:
            # Its own short transaction, so a read-only request does not have to commit.
            with db.engine.begin() as conn:
                result.update(_store(conn, fresh))
    return result


def _store(conn, rows: list[tuple[int, str, datetime]]) -> dict[int, datetime]:
    """Upsert revisions, then read back what is stored: another worker may have been first, and
    every worker must send the same LAST-MODIFIED for the same content."""
    upsert_revisions(conn, rows)
    table = ActivityRevision.__table__
    stored = conn.execute(
        select(table.c.activity_id, table.c.changed_at).where(
            table.c.activity_id.in_([aid for aid, _, _ in rows])
        )
    )
    return {aid: at for aid, at in stored}


def build_snapshot(
    session: Session, conf: Conference, probe: int | None = None
) -> ProgrammeSnapshot:
    """Read the whole programme (activities with rooms, themes, speakers, blocks)."""
    acts = session.scalars(
        select(Activity)
        .where(Activity.conference_id == conf.id)
        .options(
            selectinload(Activity.blocks),
            selectinload(Activity.room),
            selectinload(Activity.theme),
            selectinload(Activity.speaker_links).selectinload(ActivitySpeaker.speaker),
        )
    ).all()
    infos = {a.id: activity_info(a) for a in acts}
    changed = _revisions(session, infos) if infos else {}
    infos = {aid: replace(info, changed_at=changed[aid]) for aid, info in infos.items()}
    blocks = tuple(
        BlockInfo(b.id, b.name, b.name_en, b.starts_at, b.ends_at)
        for b in session.scalars(
            select(Block).where(Block.conference_id == conf.id).order_by(Block.starts_at)
        )
    )
    version = _digest(
        [conf.timezone, sorted((a.id, a.content_hash) for a in infos.values()),
         [(b.id, b.name, b.name_en, b.starts_at, b.ends_at) for b in blocks]]
    )  # fmt: skip
    return ProgrammeSnapshot(
        conference_id=conf.id,
        timezone=conf.timezone,
        activities=infos,
        blocks=blocks,
        version=version,
        probe=probe if probe is not None else _probe(session, conf.id),
        built_at=time.monotonic(),
    )


class AgendaCache:
    """Per-app caches: the programme snapshot and rendered feeds (bounded LRU)."""

    def __init__(self, feed_size: int = 4096):
        self.lock = threading.Lock()
        self.snapshots: dict[int, ProgrammeSnapshot] = {}
        self.feeds: dict[str, tuple[bytes, datetime]] = {}
        self.feed_size = feed_size

    def clear(self) -> None:
        """Forget everything (a cold cache)."""
        with self.lock:
            self.snapshots.clear()
            self.feeds.clear()

    def get_feed(self, key: str) -> tuple[bytes, datetime] | None:
        """A rendered feed, moved to the recent end."""
        with self.lock:
            hit = self.feeds.pop(key, None)
            if hit is not None:
                self.feeds[key] = hit
            return hit

    def put_feed(self, key: str, value: tuple[bytes, datetime]) -> None:
        """Keep a rendered feed, dropping the least recently used beyond the bound."""
        with self.lock:
            self.feeds[key] = value
            while len(self.feeds) > self.feed_size:
                self.feeds.pop(next(iter(self.feeds)))


def agenda_cache() -> AgendaCache:
    """This app's cache (one per app, so tests with their own database never share one)."""
    cache = current_app.extensions.get("agenda_cache")
    if cache is None:
        size = int(current_app.config.get("CALENDAR_CACHE_SIZE", 4096))
        cache = current_app.extensions.setdefault("agenda_cache", AgendaCache(size))
    return cache


def snapshot(conf: Conference, session: Session | None = None) -> ProgrammeSnapshot:
    """The programme snapshot, rebuilt when the activities changed or it is a minute old."""
    session = session or db.session
    cache = agenda_cache()
    probe = _probe(session, conf.id)
    cached = cache.snapshots.get(conf.id)
    if (
        cached is not None
        and cached.probe == probe
        and time.monotonic() - cached.built_at < SNAPSHOT_TTL
    ):
        return cached
    snap = build_snapshot(session, conf, probe)
    if not in_write_transaction():
        # Inside a write transaction we may see changes that are rolled back later.
        cache.snapshots[conf.id] = snap
    return snap
