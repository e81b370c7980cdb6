"""The person's day: plenaries, their seat per block, online workshops, followed streams, breaks.

The programme comes from an immutable snapshot (`sessions.agenda_snapshot`) kept per app and
checked against the database on every use with one cheap query; a person's part is one small
indexed read (seats, follows and marks in a UNION). `agenda_for` combines them into
`AgendaEntry` rows that the page, the API and the calendar feed all use, so they agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import bindparam, false, literal, select, union_all
from sqlalchemy.orm import Session

from conference import hooks
from conference.clock import isoformat, utcnow
from conference.extensions import db
from conference.models import Conference
from registration.models import Registration
from sessions.agenda.extras import extra_json, extras_for
from sessions.agenda.history import mark_offset
from sessions.agenda.models import AgendaMark, Follow
from sessions.agenda.snapshot import (  # noqa: F401  (re-exported for the agenda's users)
    ActivityInfo,
    AgendaCache,
    BlockInfo,
    ProgrammeSnapshot,
    agenda_cache,
    in_write_transaction,
    snapshot,
)
from sessions.programme.models import Activity
from sessions.seats.models import Seat

# Kinds a person can follow (online, no seat needed); plenaries are in everyone's agenda.
FOLLOWABLE_KINDS = ("stream", "radio")
KIND_ORDER = {
    "networking": 0,
    "plenary": 1,
    "workshop": 2,
    "visit": 2,
    "online_workshop": 2,
    "stream": 3,
    "radio": 4,
    "film": 5,
}


# --- A person's part ----------------------------------------------------------------------


@dataclass
class PersonState:
    """A registration's seats, follows and marks: activity id -> since / (revision, dropped, at)."""

    seats: dict[int, datetime] = field(default_factory=dict)
    follows: dict[int, datetime] = field(default_factory=dict)
    marks: dict[int, tuple[int, bool, datetime]] = field(default_factory=dict)


@cache
def _person_statement(one_activity: bool):
    """Seats, follows and marks of some registrations in one UNION (built once, then reused)."""
    ids = bindparam("ids", expanding=True)
    seat_q = select(
        literal("s").label("what"), Seat.registration_id, Seat.activity_id, Seat.created_at,
        literal(0).label("revision"), false().label("dropped"),
    ).where(Seat.registration_id.in_(ids))  # fmt: skip
    follow_q = select(
        literal("f"), Follow.registration_id, Follow.activity_id, Follow.created_at,
        literal(0), false(),
    ).where(Follow.registration_id.in_(ids))  # fmt: skip
    mark_q = select(
        literal("m"), AgendaMark.registration_id, AgendaMark.activity_id, AgendaMark.changed_at,
        AgendaMark.revision, AgendaMark.dropped,
    ).where(AgendaMark.registration_id.in_(ids))  # fmt: skip
    if one_activity:
        seat_q = seat_q.where(Seat.activity_id == bindparam("activity_id"))
        follow_q = follow_q.where(Follow.activity_id == bindparam("activity_id"))
        mark_q = mark_q.where(AgendaMark.activity_id == bindparam("activity_id"))
    return union_all(seat_q, follow_q, mark_q)


def person_states(
    session: Session, registration_ids: list[int], activity_id: int | None = None
) -> dict[int, PersonState]:
    """Seats, follows and marks of some registrations (optionally of one activity), one query."""
    params: dict = {"ids": list(registration_ids)}
    if activity_id is not None:
        params["activity_id"] = activity_id
    rows = session.connection().execute(_person_statement(activity_id is not None), params)
    states = {rid: PersonState() for rid in registration_ids}
    for what, rid, aid, at, revision, dropped in rows:
        state = states[rid]
        if isinstance(at, str):  # a UNION hides the column type from SQLite
            at = datetime.fromisoformat(at)
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        if what == "s":
            state.seats[aid] = at
        elif what == "f":
            state.follows[aid] = at
        else:
            state.marks[aid] = (int(revision), bool(dropped), at)
    return states


# --- Links that depend on the person and the time -------------------------------------------


def join_link_release_at(activity: Activity | ActivityInfo, conf: Conference) -> datetime:
    """When an online workshop's join link is revealed to the people with a seat."""
    lead = conf.setting("join_link_lead_minutes")
    return activity.starts_at - timedelta(minutes=15 if lead is None else int(lead))


def join_link_released(
    activity: Activity | ActivityInfo, conf: Conference, now: datetime | None = None
) -> bool:
    """Whether the release moment of the join link has come (the seat is checked separately)."""
    return (now or utcnow()) >= join_link_release_at(activity, conf)


def join_url_for(
    activity: Activity | ActivityInfo,
    conf: Conference,
    *,
    has_seat: bool,
    now: datetime | None = None,
) -> str | None:
    """The join link a person may see now: only with a seat, only from the release moment."""
    if not activity.join_url or not has_seat:
        return None
    return activity.join_url if join_link_released(activity, conf, now) else None


def watch_url(act: ActivityInfo) -> str:
    """Where to watch a stream, the radio or a streamed plenary.

    Streaming answers `conference.hooks.watch_url` with its watch page (sessions cannot import
    streaming); the default is the activity's own page.
    """
    found = hooks.first(hooks.watch_url, act)
    return found or external_url("sessions.activity", slug=act.slug)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on BASE_URL, also outside a request (mails, jobs, benchmarks)."""
    adapter = current_app.extensions.get("agenda_url_adapter")
    if adapter is None:
        base = urlsplit(current_app.config["BASE_URL"])
        adapter = current_app.url_map.bind(
            base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
        )
        current_app.extensions["agenda_url_adapter"] = adapter
    return adapter.build(endpoint, values, force_external=True)


# --- The agenda ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaEntry:
    """One item of a person's day (or a cancelled one, for the feed)."""

    activity: ActivityInfo
    reason: str  # "programme" | "seat" | "follow"
    cancelled: bool
    sequence: int
    changed_at: datetime
    join_url: str | None = None
    join_opens_at: datetime | None = None

    @property
    def sort_key(self) -> tuple:
        """Time order; at the same time the shorter and more general item first."""
        a = self.activity
        return (a.starts_at, KIND_ORDER.get(a.kind, 9), a.ends_at, a.title, a.id)


def on_site(registration: Registration) -> bool:
    """Whether the person comes to the venue (a registered on-site place)."""
    return registration.mode == "onsite" and registration.status == "registered"


def programme_items(snap: ProgrammeSnapshot, registration: Registration) -> set[int]:
    """Everyone's items: plenaries, and for people on site the breaks (welcome, lunch, drinks)."""
    ids = set()
    onsite = on_site(registration)
    for act in snap.activities.values():
        if not act.published:
            continue
        if act.kind == "plenary" or (
            act.kind == "networking" and onsite and not snap.overlaps_block(act)
        ):
            ids.add(act.id)
    return ids


def agenda_for(
    registration: Registration,
    snap: ProgrammeSnapshot,
    state: PersonState,
    conf: Conference,
    now: datetime | None = None,
    *,
    only: int | None = None,
) -> list[AgendaEntry]:
    """The person's entries in time order, with cancelled ones for what they lost or dropped."""
    now = now or utcnow()
    canceled = registration.status == "canceled"
    current: dict[int, tuple[str, datetime | None]] = dict.fromkeys(
        programme_items(snap, registration), ("programme", None)
    )
    current.update({aid: ("follow", since) for aid, since in state.follows.items()})
    current.update({aid: ("seat", since) for aid, since in state.seats.items()})
    ids = set(current) | set(state.marks)
    if only is not None:
        ids &= {only}
    entries = []
    for aid in ids:
        act = snap.activities.get(aid)
        if act is None:
            continue
        gone = "follow" if act.kind in FOLLOWABLE_KINDS else "seat"
        reason, since = current.get(aid, (gone, None))
        present = aid in current and act.published and not canceled
        mark = state.marks.get(aid)
        # Cancelled with no mark: the registration or the activity went (one past what was shown).
        offset = mark_offset(mark[0], mark[1], present) if mark is not None else int(not present)
        stamps = [act.changed_at or act.created_at, since, mark[2] if mark else None]
        if canceled and registration.canceled_at:
            stamps.append(registration.canceled_at)
        join_url = opens = None
        if present and reason == "seat" and act.join_url:
            join_url = join_url_for(act, conf, has_seat=True, now=now)
            if join_url is None:
                opens = join_link_release_at(act, conf)
        entries.append(
            AgendaEntry(
                activity=act,
                reason=reason,
                cancelled=not present,
                sequence=act.sequence + offset,
                changed_at=max(s for s in stamps if s is not None),
                join_url=join_url,
                join_opens_at=opens,
            )
        )
    entries.sort(key=lambda e: e.sort_key)
    return entries


def load_agenda(
    registration: Registration, now: datetime | None = None, session: Session | None = None
) -> tuple[ProgrammeSnapshot, list[AgendaEntry]]:
    """The snapshot and the person's entries (cancelled ones included)."""
    session = session or db.session
    conf = registration.conference
    snap = snapshot(conf, session)
    state = person_states(session, [registration.id])[registration.id]
    return snap, agenda_for(registration, snap, state, conf, now)


def entry_json(entry: AgendaEntry, tz: str) -> dict[str, Any]:
    """An agenda item as `GET /api/v1/me/agenda` shows it."""
    act = entry.activity
    item: dict[str, Any] = {
        "activity_id": act.id,
        "slug": act.slug,
        "title": act.title,
        "title_en": act.title_en,
        "kind": act.kind,
        "mode": act.mode,
        "starts_at": isoformat(act.starts_at, tz),
        "ends_at": isoformat(act.ends_at, tz),
        "location": act.place,
        "reason": entry.reason,
        "url": external_url("sessions.activity", slug=act.slug),
    }
    if entry.join_url:
        item["join_url"] = entry.join_url
    elif entry.join_opens_at:
        item["join_url_from"] = isoformat(entry.join_opens_at, tz)
    if act.kind in FOLLOWABLE_KINDS or (act.kind == "plenary" and act.mode != "onsite"):
        item["watch_url"] = watch_url(act)
    return item


def agenda_json(registration: Registration, now: datetime | None = None) -> dict[str, Any]:
    """`GET /api/v1/me/agenda`: the items the person has, in time order."""
    snap, entries = load_agenda(registration, now)
    items = [entry_json(e, snap.timezone) for e in entries if not e.cancelled]
    items += [extra_json(x, snap.timezone) for x in extras_for(registration)]
    items.sort(key=lambda item: item["starts_at"])  # stable: extras after activities at a time
    return {"items": items}
