"""Stream use cases: sources and players, live status with the override, the streams list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from conference.clock import isoformat, utcnow
from conference.db import write_transaction
from conference.errors import Invalid, NotFound
from conference.extensions import db
from conference.models import Conference, User
from sessions.programme.models import Activity
from streaming.access import Viewer, join_opens_at, may_join
from streaming.models import OVERRIDES, PROVIDERS, StreamSettings

# Activities watched in a player: the theme streams, the hybrid plenaries and the radio.
STREAM_KINDS = ("stream", "plenary", "radio")
# Online workshops happen in a video room: a join link instead of a player.
ONLINE_KINDS = (*STREAM_KINDS, "online_workshop")
STATUSES = ("upcoming", "live", "ended")

YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
VIMEO_ID = re.compile(r"^(?:event/)?\d{3,12}$")
AUDIO_SUFFIXES = (".mp3", ".aac", ".ogg", ".oga", ".opus", ".m4a", ".wav", ".flac")


@dataclass(frozen=True)
class Source:
    """What a player plays: the provider, the stored source and the URL for the page."""

    provider: str
    source: str
    embed_url: str


@dataclass(frozen=True)
class StreamState:
    """The status viewers see: the timetable's word unless an organiser overrode it."""

    status: str
    delayed: bool
    override: str | None


# -- sources ---------------------------------------------------------------------------------


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def detect_source(url: str | None, kind: str = "stream") -> tuple[str, str] | None:
    """The provider and source behind a pasted URL (YouTube, Vimeo, HLS, audio, any embed)."""
    if not url or not _is_url(url.strip()):
        return None
    url = url.strip()
    parts = urlsplit(url)
    host = parts.netloc.lower().split(":")[0]
    host = host[4:] if host.startswith("www.") else host
    path = parts.path.rstrip("/")
    if host in ("youtube.com", "m.youtube.com", "youtube-nocookie.com"):
        video = parse_qs(parts.query).get("v", [None])[0]
        for prefix in ("/embed/", "/live/", "/shorts/"):
            if path.startswith(prefix):
                video = path[len(prefix) :].split("/")[0]
        if video and YOUTUBE_ID.match(video):
            return "youtube", video
    if host == "youtu.be" and YOUTUBE_ID.match(path.lstrip("/")):
        return "youtube", path.lstrip("/")
    if host in ("vimeo.com", "player.vimeo.com"):
        match = re.search(r"/(?:video/)?(event/\d+|\d+)", path)
        if match:
            return "vimeo", match.group(1)
    lowered = path.lower()
    if lowered.endswith(".m3u8"):
        return "hls", url
    if lowered.endswith(AUDIO_SUFFIXES) or kind == "radio":
        return "audio", url
    return "embed", url


def validate_source(provider: str, source: str, field: str) -> str:
    """A source fit for its provider (an id for YouTube/Vimeo, an http(s) URL otherwise)."""
    source = (source or "").strip()
    if provider in ("youtube", "vimeo"):
        detected = detect_source(source) if _is_url(source) else (provider, source)
        if detected and detected[0] == provider:
            source = detected[1]
        pattern = YOUTUBE_ID if provider == "youtube" else VIMEO_ID
        if not pattern.match(source):
            raise Invalid(fields={field: _l("geen geldige video-id of link van deze dienst")})
        return source
    if not _is_url(source) or len(source) > 500:
        raise Invalid(fields={field: _l("geef een volledige link die met https:// begint")})
    return source


def embed_url(provider: str, source: str, captions: bool = False, lang: str = "nl") -> str:
    """The URL a page loads: privacy-enhanced players for YouTube and Vimeo, else the source."""
    if provider == "youtube":
        query = {"rel": "0", "modestbranding": "1", "playsinline": "1", "hl": lang}
        if captions:
            query.update({"cc_load_policy": "1", "cc_lang_pref": lang})
        return f"https://www.youtube-nocookie.com/embed/{source}?{urlencode(query)}"
    if provider == "vimeo":
        query = {"dnt": "1"}
        if captions:
            query["texttrack"] = lang
        if source.startswith("event/"):
            return f"https://vimeo.com/{source}/embed?{urlencode(query)}"
        return f"https://player.vimeo.com/video/{source}?{urlencode(query)}"
    return source


def live_source(act: Activity, settings: StreamSettings | None, lang: str = "nl") -> Source | None:
    """The live source: the organiser's settings, else derived from the activity's stream_url."""
    captions = bool(settings and settings.has_captions)
    if settings is not None and settings.provider and settings.source:
        provider, source = settings.provider, settings.source
    else:
        detected = detect_source(act.stream_url, act.kind)
        if detected is None:
            return None
        provider, source = detected
    return Source(provider, source, embed_url(provider, source, captions, lang))


def replay_source(
    act: Activity, settings: StreamSettings | None, lang: str = "nl"
) -> Source | None:
    """The replay after the live moment, if organisers set one."""
    if settings is None or not settings.replay_source:
        return None
    provider = (
        settings.replay_provider or (detect_source(settings.replay_source, act.kind) or (None,))[0]
    )
    if provider is None:
        return None
    captions = settings.has_captions
    return Source(
        provider,
        settings.replay_source,
        embed_url(provider, settings.replay_source, captions, lang),
    )


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
        "watch_url": url_for("streaming.watch", activity_id=act.id, _external=True),
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
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or len(value) > limit:
        errors[field] = _l("tekst van hoogstens %(n)d tekens", n=limit)
        return None
    return value.strip()


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
        if url is not None and not _is_url(url):
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
