"""Stream use cases: what the player shows now, live status with the override, the streams list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from conference.clock import isoformat, utcnow
from conference.db import write_transaction
from conference.errors import Invalid, NotFound
from conference.extensions import db
from conference.models import Conference, User
from conference.validation import text_field
from registration.links import external_url
from sessions.programme.models import Activity
from streaming.access import Viewer, join_opens_at, may_join
from streaming.models import OVERRIDES, PROVIDERS, StreamSettings
from streaming.sources import (
    Source,
    detect_source,
    is_url,
    live_source,
    replay_source,
    validate_source,
)

# Activities watched in a player: the theme streams, the hybrid plenaries and the radio.
STREAM_KINDS = ("stream", "plenary", "radio")
# Online workshops happen in a video room: a join link instead of a player.
ONLINE_KINDS = (*STREAM_KINDS, "online_workshop")
STATUSES = ("upcoming", "live", "ended")


@dataclass(frozen=True)
class StreamState:
    """The status viewers see: the timetable's word unless an organiser overrode it."""

    status: str
    delayed: bool
    override: str | None


def current_source(
    act: Activity, settings: StreamSettings | None, state: StreamState, lang: str = "nl"
) -> Source | None:
    """What the player shows now: the replay once the stream ended (when there is one)."""
    if state.status == "ended":
        replay = replay_source(act, settings, lang)
        if replay is not None:
            return replay
    return live_source(act, settings, lang)


# -- status ----------------------------------------------------------------------------------


def timetable_status(act: Activity, now: datetime) -> str:
    """upcoming / live / ended from the activity's times."""
    if now < act.starts_at:
        return "upcoming"
    if now < act.ends_at:
        return "live"
    return "ended"


def stream_state(act: Activity, settings: StreamSettings | None, now: datetime) -> StreamState:
    """The status viewers see: an override ("live", "delayed", "ended") wins over the timetable."""
    override = settings.status_override if settings is not None else None
    if override == "live":
        return StreamState("live", False, override)
    if override == "ended":
        return StreamState("ended", False, override)
    if override == "delayed":
        # Delayed: not started yet, whatever the clock says.
        return StreamState("upcoming", True, override)
    return StreamState(timetable_status(act, now), False, None)


# -- reading ---------------------------------------------------------------------------------


def online_activities(conf: Conference, kinds: tuple[str, ...] = ONLINE_KINDS) -> list[Activity]:
    """Published streams, plenaries, radio and online workshops in time order."""
    return list(
        db.session.scalars(
            select(Activity)
            .where(Activity.conference_id == conf.id, Activity.published.is_(True))
            .where(Activity.kind.in_(kinds))
            .options(selectinload(Activity.theme), selectinload(Activity.room))
            .order_by(Activity.starts_at, Activity.position, Activity.id)
        )
    )


def settings_for(activity_ids: list[int]) -> dict[int, StreamSettings]:
    """The stream settings of these activities, by activity id."""
    if not activity_ids:
        return {}
    rows = db.session.scalars(
        select(StreamSettings).where(StreamSettings.activity_id.in_(activity_ids))
    )
    return {row.activity_id: row for row in rows}


def online_activity(conf: Conference, activity_id: int, kinds=ONLINE_KINDS) -> Activity:
    """One published stream-like activity of the conference, or 404."""
    act = db.session.get(Activity, activity_id)
    if act is None or act.conference_id != conf.id or not act.published or act.kind not in kinds:
        raise NotFound()
    return act


def stream_json(
    conf: Conference,
    act: Activity,
    settings: StreamSettings | None,
    viewer: Viewer,
    now: datetime,
    lang: str = "nl",
) -> dict[str, Any]:
    """One item of GET /api/v1/streams; links only for those allowed to have them."""
    tz = conf.timezone
    state = stream_state(act, settings, now)
    item: dict[str, Any] = {
        "activity_id": act.id,
        "kind": act.kind,
        "title": act.title,
        "title_en": act.title_en,
        "status": state.status,
        "delayed": state.delayed,
        "override": state.override,
        "starts_at": isoformat(act.starts_at, tz),
        "ends_at": isoformat(act.ends_at, tz),
        # From BASE_URL, never from the request's Host header (which a caller chooses).
        "watch_url": external_url("streaming.watch", activity_id=act.id),
        "description": (settings.description if settings else None) or act.summary,
        "captions": bool(settings and (settings.has_captions or settings.captions_url)),
    }
    if act.kind in STREAM_KINDS and viewer.may_watch:
        source = current_source(act, settings, state, lang)
        if source is not None:
            item["provider"] = source.provider
            item["embed_url"] = source.embed_url
            if settings is not None and settings.captions_url and source.provider == "hls":
                item["captions_url"] = settings.captions_url
    if act.kind == "online_workshop":
        item["join_opens_at"] = isoformat(join_opens_at(conf, act), tz)
        item["has_seat"] = viewer.has_seat(act.id)
        if may_join(viewer, conf, act, now):
            item["join_url"] = act.join_url
    return item


def streams_json(conf: Conference, viewer: Viewer, now: datetime, lang: str = "nl") -> list[dict]:
    """GET /api/v1/streams: every stream and online workshop with status and allowed links."""
    acts = online_activities(conf)
    settings = settings_for([a.id for a in acts])
    return [stream_json(conf, a, settings.get(a.id), viewer, now, lang) for a in acts]


def now_and_next(conf: Conference, now: datetime) -> dict[str, list[tuple[Activity, StreamState]]]:
    """What is live now, what comes next (still today or later) and what ended."""
    acts = online_activities(conf)
    settings = settings_for([a.id for a in acts])
    groups: dict[str, list[tuple[Activity, StreamState]]] = {s: [] for s in STATUSES}
    for act in acts:
        state = stream_state(act, settings.get(act.id), now)
        groups[state.status].append((act, state))
    return groups


# -- changes by organisers and moderators ----------------------------------------------------


def get_or_create_settings(session: Session, activity_id: int) -> StreamSettings:
    """The settings row of an activity, created on first use (safe when two staff click)."""
    row = session.get(StreamSettings, activity_id)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = StreamSettings(activity_id=activity_id)
            session.add(row)
    except IntegrityError:
        row = session.get(StreamSettings, activity_id)
    return row


def set_override(
    conf: Conference, activity_id: int, override: str | None, user: User
) -> StreamSettings:
    """Set or clear the status override ("live", "delayed", "ended"); who and when are kept."""
    if override is not None and override not in OVERRIDES:
        raise Invalid(fields={"override": _l("kies live, delayed, ended of leeg")})
    act = online_activity(conf, activity_id)
    with write_transaction(db.session) as session:
        settings = get_or_create_settings(session, act.id)
        settings.status_override = override
        settings.override_by_id = user.id
        settings.override_at = utcnow()
        settings.updated_at = utcnow()
    return settings


SETTING_FIELDS = (
    "provider",
    "source",
    "replay_provider",
    "replay_source",
    "has_captions",
    "captions_url",
    "description",
    "description_en",
)


def _text(value: Any, field: str, limit: int, errors: dict) -> str | None:
    return text_field(value, field, limit, errors, multiline=field.startswith("description"))


def _validated_settings(act: Activity, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {key: _l("onbekend veld") for key in data if key not in SETTING_FIELDS}
    changes: dict[str, Any] = {}
    for prefix in ("", "replay_"):
        provider_key, source_key = f"{prefix}provider", f"{prefix}source"
        if provider_key not in data and source_key not in data:
            continue
        provider = data.get(provider_key)
        source = _text(data.get(source_key), source_key, 500, errors)
        if source is None:
            changes[provider_key] = changes[source_key] = None
            continue
        if provider is None:
            detected = detect_source(source, act.kind)
            if detected is None:
                errors[source_key] = _l("geef een volledige link die met https:// begint")
                continue
            provider, source = detected
        if provider not in PROVIDERS:
            errors[provider_key] = _l("kies youtube, vimeo, hls, audio of embed")
            continue
        try:
            changes[source_key] = validate_source(provider, source, source_key)
            changes[provider_key] = provider
        except Invalid as exc:
            errors.update(exc.fields or {})
    if "has_captions" in data:
        if not isinstance(data["has_captions"], bool):
            errors["has_captions"] = _l("ja of nee (true/false)")
        else:
            changes["has_captions"] = data["has_captions"]
    if "captions_url" in data:
        url = _text(data["captions_url"], "captions_url", 500, errors)
        if url is not None and not is_url(url):
            errors["captions_url"] = _l("geef een volledige link die met https:// begint")
        changes["captions_url"] = url
    for key in ("description", "description_en"):
        if key in data:
            changes[key] = _text(data[key], key, 2000, errors)
    if errors:
        raise Invalid(fields=errors)
    return changes


def update_settings(conf: Conference, activity_id: int, data: dict[str, Any]) -> StreamSettings:
    """An organiser sets the provider, source, replay, captions and text alternative."""
    act = online_activity(conf, activity_id, STREAM_KINDS)
    changes = _validated_settings(act, data)
    with write_transaction(db.session) as session:
        settings = get_or_create_settings(session, act.id)
        for key, value in changes.items():
            setattr(settings, key, value)
        settings.updated_at = utcnow()
    return settings


def settings_json(conf: Conference, act: Activity, settings: StreamSettings | None) -> dict:
    """The organiser's view of a stream's settings, with the source actually used."""
    state = stream_state(act, settings, utcnow())
    source = live_source(act, settings)
    replay = replay_source(act, settings)
    return {
        "activity_id": act.id,
        "provider": source.provider if source else None,
        "source": source.source if source else None,
        "derived_from_stream_url": bool(source and not (settings and settings.source)),
        "replay_provider": replay.provider if replay else None,
        "replay_source": replay.source if replay else None,
        "has_captions": bool(settings and settings.has_captions),
        "captions_url": settings.captions_url if settings else None,
        "description": settings.description if settings else None,
        "description_en": settings.description_en if settings else None,
        "status": state.status,
        "delayed": state.delayed,
        "override": state.override,
        "override_at": isoformat(settings.override_at if settings else None, conf.timezone),
        "override_by": settings.override_by.email if settings and settings.override_by else None,
    }
