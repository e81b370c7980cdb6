"""Stream sources: which player plays what (YouTube, Vimeo, HLS, audio, an embed), from a URL.

The organiser's settings win; otherwise the source is derived from the activity's stream URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from flask_babel import lazy_gettext as _l

from conference.errors import Invalid
from sessions.programme.models import Activity
from streaming.models import StreamSettings

YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
VIMEO_ID = re.compile(r"^(?:event/)?\d{3,12}$")
AUDIO_SUFFIXES = (".mp3", ".aac", ".ogg", ".oga", ".opus", ".m4a", ".wav", ".flac")


@dataclass(frozen=True)
class Source:
    """What a player plays: the provider, the stored source and the URL for the page."""

    provider: str
    source: str
    embed_url: str


def is_url(value: str) -> bool:
    """An absolute http(s) address without spaces."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def detect_source(url: str | None, kind: str = "stream") -> tuple[str, str] | None:
    """The provider and source behind a pasted URL (YouTube, Vimeo, HLS, audio, any embed)."""
    if not url or not is_url(url.strip()):
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
        detected = detect_source(source) if is_url(source) else (provider, source)
        if detected and detected[0] == provider:
            source = detected[1]
        pattern = YOUTUBE_ID if provider == "youtube" else VIMEO_ID
        if not pattern.match(source):
            raise Invalid(fields={field: _l("geen geldige video-id of link van deze dienst")})
        return source
    if not is_url(source) or len(source) > 500:
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
