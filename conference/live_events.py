"""Server-Sent Events for the live topics: a page hears at once that a topic's stamp moved.

`GET /live/events?topics=qa:12,stream:12&grant=…` holds the connection open and sends an event
`version` with `{"topic": …, "version": …}` whenever a stamp of those topics moves, and the
current stamps of all of them on every (re)connect (so a page that was away catches up by
comparing versions). A version event carries no content: the page then fetches the fragment or
API it already polls, with If-None-Match, so what it shows is still decided by that view's checks.

Topics that carry content (`live.content`: the Q&A's approved questions, the polls' counts,
the same for every viewer) get an event `content` in the stream's language (`?lang=`) instead:
what changed since the previous content (`base`), or all of it on a connect (`full`), at most
once per CONTENT_INTERVAL. The page applies it and keeps its own part (its votes, its waiting
questions, its ballot); 3,000 pages then need no fetch per change.

Which topics a caller may hear is decided by the page that showed them: it signs a grant of its
topics (`attributes`), and the endpoint refuses any topic outside a valid grant without reading
the database. So the endpoint also runs on its own in a small gevent process
(`conference.live_app`) beside sync web workers.

Fan-out: one `Hub` per process. With REDIS_URL one thread (a greenlet under gevent) subscribes to
`<prefix>:changes` and hands each message to the streams of that topic; without it the
in-memory stamps call the hub directly (`make run`, one process).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request, url_for
from gevent import monkey
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup

from conference import i18n, live

log = logging.getLogger(__name__)

bp = Blueprint("live", __name__)

GRANT_SALT = "live-events"
# A page may stay open all day; after this its stream is refused and the page polls again.
GRANT_MAX_AGE = 24 * 3600
MAX_TOPICS = 8
# Below the idle timeouts of common proxies and NATs (30-60 s), so an idle stream stays open.
HEARTBEAT_SECONDS = 20.0
RETRY_MS = 3000
# At most one content event per topic in this time: a busy poll (dozens of votes a second)
# reaches each page as two changes a second, not one per vote.
CONTENT_INTERVAL = 0.5
# A topic whose content follows its move sends its version only when no content came in this
# time (its drawing failed): under load a writer may take seconds to draw it, and a bare version
# would have every page fetch the list at once.
CONTENT_GRACE = 3.0


def newer(version: str, than: str | None) -> bool:
    """Whether a stamp ("epoch.count") comes after another (a new epoch: Redis lost its data)."""
    if than is None:
        return True
    epoch, _, count = version.rpartition(".")
    than_epoch, _, than_count = than.rpartition(".")
    return epoch != than_epoch or int(count) > int(than_count)


@dataclass(frozen=True)
class Content:
    """A topic's last content and its events per language: (changes since the last, all)."""

    version: str
    content: dict[str, Any]
    events: dict[str, tuple[str, str]]


def content_events(topic: str, version: str, content: dict, last: Content | None) -> Content:
    """The content events of a new version, each language serialised once for every stream."""
    events = {}
    for lang, part in content.items():
        before = last.content.get(lang) if last is not None else None
        items = part["items"]
        full = {"topic": topic, "version": version, "base": None, "full": True, **part}
        if before is None:
            events[lang] = (_content_event(full), _content_event(full))
            continue
        changed = {k: v for k, v in items.items() if before["items"].get(k) != v}
        diff = {**full, "base": last.version, "full": False, "items": changed}
        events[lang] = (_content_event(diff), _content_event(full))
    return Content(version, content, events)


class Hub:
    """This process's open streams by topic; `publish` hands a new version to each of them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: dict[str, set[queue.Queue]] = {}
        self._listener: threading.Thread | None = None
        # The last version heard per topic: while subscribed, every change comes through
        # `publish`, so thousands of connects cost no Redis read each.
        self._latest: dict[str, str] = {}
        self._reading = threading.Lock()
        # The last content sent per topic that carries some, and what waits its turn.
        self._content: dict[str, Content] = {}
        self._pending: dict[str, tuple[str, dict[str, Any]]] = {}
        self._sent_at: dict[str, float] = {}

    def subscribe(self, topics: list[str]) -> queue.Queue:
        """A queue that receives (topic, version) for these topics from now on."""
        box: queue.Queue = queue.Queue()
        with self._lock:
            for topic in topics:
                self._streams.setdefault(topic, set()).add(box)
        return box

    def unsubscribe(self, box: queue.Queue, topics: list[str]) -> None:
        """Stop sending to this queue."""
        with self._lock:
            for topic in topics:
                boxes = self._streams.get(topic)
                if boxes is not None:
                    boxes.discard(box)
                    if not boxes:
                        del self._streams[topic]

    def publish(self, topic: str, version: str, content: bool = False) -> None:
        """Hand a topic's new version to every stream of it (`content`: its content follows)."""
        with self._lock:
            self._latest[topic] = version
            if content or topic in self._content:
                # Its content follows and carries the version: send this only if it does not.
                _later(CONTENT_GRACE, self._unless_content, topic, version)
                return
            boxes = list(self._streams.get(topic, ()))
        for box in boxes:
            box.put((topic, version))

    def _unless_content(self, topic: str, version: str) -> None:
        with self._lock:
            waiting, sent = self._pending.get(topic), self._content.get(topic)
            if newer(version, waiting[0] if waiting else sent.version if sent else None):
                boxes = list(self._streams.get(topic, ()))
            else:
                boxes = []
        for box in boxes:
            box.put((topic, version))

    def publish_content(self, topic: str, version: str, content: dict[str, Any]) -> None:
        """Hand a topic's new content to its streams: what changed, at most once an interval."""
        with self._lock:
            waiting, sent = self._pending.get(topic), self._content.get(topic)
            last = waiting[0] if waiting else sent.version if sent else None
            if last is not None and not newer(version, last):
                return  # drawn by a slower writer: what the streams get is as new
            self._pending[topic] = (version, content)
            wait = self._sent_at.get(topic, -CONTENT_INTERVAL) + CONTENT_INTERVAL - time.monotonic()
            if waiting is not None:
                return  # a send is due already and takes this newer content
            if wait > 0:
                _later(wait, self._send_content, topic)
                return
        self._send_content(topic)

    def _send_content(self, topic: str) -> None:
        with self._lock:
            waiting = self._pending.pop(topic, None)
            if waiting is None:
                return
            version, content = waiting
            now = self._content[topic] = content_events(
                topic, version, content, self._content.get(topic)
            )
            self._sent_at[topic] = time.monotonic()
            boxes = list(self._streams.get(topic, ()))
        for box in boxes:
            box.put((topic, now))

    def contents(self, topics: list[str]) -> list[Content]:
        """The last content of those topics that carry some."""
        with self._lock:
            return [self._content[t] for t in topics if t in self._content]

    def current(self, store: live.Versions, topics: list[str]) -> list[str] | None:
        """The topics' versions now: as last heard, else read once from the store."""
        # One read at a time: when thousands of pages connect at once (a stream process
        # restarted), the first reads the stamps and the others find them heard.
        with self._reading:
            with self._lock:
                missing = [t for t in topics if t not in self._latest]
            if missing:
                found = store.read(missing)
                if found is None:
                    return None
                with self._lock:
                    for topic, version in zip(missing, found, strict=True):
                        # A version published meanwhile is as new or newer than this read.
                        self._latest.setdefault(topic, version)
        with self._lock:
            return [self._latest[t] for t in topics]

    def streams(self) -> int:
        """How many stream subscriptions are open (a stream counts once per topic)."""
        with self._lock:
            return sum(len(boxes) for boxes in self._streams.values())

    def resync(self, store: live.Versions) -> None:
        """Send the current stamps of every heard topic (after a gap in the subscription)."""
        with self._lock:
            self._latest.clear()  # what was heard before the gap may be stale now
            topics = sorted(self._streams)
        found = store.read(topics) if topics else None
        for topic, version in zip(topics, found or (), strict=False):
            self.publish(topic, version)

    def listen(self, store: live.RedisVersions) -> None:
        """Start the one Redis subscriber of this process (once)."""
        with self._lock:
            if self._listener is not None:
                return
            self._listener = threading.Thread(
                target=self._listen, args=(store,), name="live-events", daemon=True
            )
        self._listener.start()

    def _listen(self, store: live.RedisVersions) -> None:
        import redis

        # No socket timeout: the subscription is quiet between changes; the health check
        # pings it so a dead connection is noticed.
        client = redis.Redis.from_url(store.url, socket_connect_timeout=2, health_check_interval=30)
        while True:
            try:
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(store.channel, store.content_channel)
                self.resync(store)  # what moved while this process was not subscribed
                for message in pubsub.listen():
                    self._heard(message, store)
            except (redis.RedisError, OSError, ValueError):
                log.warning("live events: the Redis subscription broke; again in 1 s",
                            exc_info=True)  # fmt: skip
                time.sleep(1)

    def _heard(self, message: dict, store: live.RedisVersions) -> None:
        if message["channel"].decode() == store.content_channel:
            data = json.loads(message["data"])
            self.publish_content(data["topic"], data["version"], data["content"])
        else:
            topic, _, rest = message["data"].decode().partition(" ")
            version, _, mark = rest.partition(" ")
            self.publish(topic, version, content=mark == "+")


def _later(seconds: float, call, *args) -> None:
    """Call `call(*args)` in `seconds` (a thread; a greenlet under gevent)."""
    timer = threading.Timer(seconds, call, args)
    timer.daemon = True
    timer.start()


def init_app(app: Flask) -> None:
    """This app's hub, fed by the Redis subscriber or by the in-memory stamps."""
    hub = Hub()
    app.extensions["live_events"] = hub
    store = live.versions(app)
    if isinstance(store, live.MemoryVersions):
        store.listeners.append(hub.publish)
        store.content_listeners.append(hub.publish_content)
    app.jinja_env.globals["live_attributes"] = attributes


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=GRANT_SALT)


def attributes(*topics: str) -> Markup:
    """`data-live-*` attributes for a page's element: the stream's URL and the stamps now."""
    if current_app.config.get("LIVE_EVENTS", "auto") == "off":
        return Markup("")
    wanted = sorted(set(topics))
    grant = _serializer().dumps(wanted)
    url = url_for("live.events", lang=i18n.lang(), topics=",".join(wanted), grant=grant)
    found = live.versions().read(wanted) or []
    versions = json.dumps(dict(zip(wanted, found, strict=False)), separators=(",", ":"))
    return Markup(' data-live-url="{}" data-live-versions="{}" data-live-topics="{}"').format(
        url, versions, " ".join(wanted)
    )


def granted_topics() -> list[str] | None:
    """The requested topics when a valid grant covers them all, else None."""
    try:
        granted = _serializer().loads(request.args.get("grant", ""), max_age=GRANT_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(granted, list):
        return None
    asked = request.args.get("topics", "")
    topics = sorted({t for t in asked.split(",") if t}) if asked else sorted(granted)
    if not topics or len(topics) > MAX_TOPICS or not set(topics) <= set(granted):
        return None
    return topics


def _served_here() -> bool:
    """Whether this server can hold long connections (gevent, or threads outside gunicorn)."""
    setting = current_app.config.get("LIVE_EVENTS", "auto")
    if setting in ("on", "off"):
        return setting == "on"
    if monkey.is_module_patched("socket"):
        return True
    # A sync gunicorn worker would be held by one viewer: the page keeps polling instead.
    software = request.environ.get("SERVER_SOFTWARE", "")
    return bool(request.environ.get("wsgi.multithread")) and "gunicorn" not in software


def _event(topic: str, version: str) -> str:
    data = json.dumps({"topic": topic, "version": version}, separators=(",", ":"))
    return f"event: version\ndata: {data}\n\n"


def _content_event(data: dict[str, Any]) -> str:
    return f"event: content\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _in_language(content: Content, lang: str, full: bool) -> str | None:
    events = content.events.get(lang) or content.events.get("nl")
    return None if events is None else events[1 if full else 0]


def stream(hub: Hub, store: live.Versions, topics: list[str], lang: str = "nl") -> Iterator[str]:
    """The event stream: the retry hint, the stamps and contents now, then each change."""
    # Subscribed before the stamps are read: a change in between is sent (again), never lost.
    box = hub.subscribe(topics)
    try:
        yield f"retry: {RETRY_MS}\n\n"
        for topic, version in zip(topics, hub.current(store, topics) or (), strict=False):
            yield _event(topic, version)
        for content in hub.contents(topics):
            yield _in_language(content, lang, full=True) or ""
        while True:
            try:
                topic, change = box.get(timeout=HEARTBEAT_SECONDS)
            except queue.Empty:
                yield ": ping\n\n"
                continue
            if isinstance(change, Content):
                yield _in_language(change, lang, full=False) or ""
            else:
                yield _event(topic, change)
    finally:
        hub.unsubscribe(box, topics)


@bp.get("/live/events")
def events() -> Response:
    """The live stream of the granted topics (403 outside a grant, 503 where it cannot be held)."""
    topics = granted_topics()
    if topics is None:
        return Response("forbidden\n", status=403, mimetype="text/plain")
    if not _served_here():
        return Response(
            "live events are not served by this worker; poll instead\n",
            status=503,
            mimetype="text/plain",
        )
    hub: Hub = current_app.extensions["live_events"]
    store = live.versions()
    if isinstance(store, live.RedisVersions):
        hub.listen(store)
    lang = request.args.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        lang = current_app.config["LANGUAGES"][0]
    return Response(
        stream(hub, store, topics, lang),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
