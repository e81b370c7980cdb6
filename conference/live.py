"""Live updates: a version stamp per topic, moved on after COMMIT, read before any query.

A topic names something pages show live: `qa:<activity_id>`, `stream:<activity_id>`,
`arrivals:<checkpoint>` (and `arrivals:all`), later `poll:<id>`. Services mark the topics they
change in the SQLAlchemy session (`mark`), or a package says once which models feed which
topics (`watch`); when the session's transaction commits the stamps move on, and a rolled-back
change moves nothing. With REDIS_URL the stamps are Redis keys (INCR, then PUBLISH of
"topic version" on the channel `<prefix>:changes`), shared by every process and host; without
it they live in this process's memory (`make run`: one process).

Some topics also carry content (`content`): after such a topic's stamp moves, the registered
renderer draws what every viewer of it sees alike (the Q&A's approved questions), and the store
publishes it on `<prefix>:content`, so the live streams push it instead of each page fetching it.

Polling views declare their validator with `conditional`: a hook that runs before every other
(so before the login loader, the conference row and the rate limiter) answers 304 when the
browser's ETag equals the one the current stamps give, without touching the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Collection, Iterable
from functools import wraps
from typing import Any, Protocol

from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    make_response,
    request,
    session,
)
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

TOPICS_KEY = "live_topics"
CONTENT_KEY = "live_content"
# Every validator also changes once in this many seconds (at a moment of its own per person,
# so the renders spread out): a change that somehow moved no stamp is seen within minutes.
REFRESH_SECONDS = 300


class Versions(Protocol):
    """Where the stamps live."""

    def bump(self, topics: Iterable[str], content: Collection[str] = ()) -> None:
        """Move these topics' stamps on (`content`: those whose content follows the move)."""

    def read(self, topics: list[str]) -> list[str] | None:
        """The stamps of these topics (None when they cannot be read now)."""

    def publish_content(self, topic: str, stamp: str, content: dict[str, Any]) -> None:
        """Hand a topic's content, at least as new as `stamp`, to the live streams."""


class MemoryVersions:
    """Stamps in this process (one process only: `make run`, the tests)."""

    # Not seen by other processes (the scheduler of `make run` is one): see conference/snapshot.py.
    shared = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        # Changes with every start, so an ETag from before a restart never matches again.
        self.epoch = secrets.token_hex(8)
        # Called with (topic, new stamp, whether its content follows) after each move: the live
        # events' fan-out.
        self.listeners: list[Callable[[str, str, bool], None]] = []
        # Called with (topic, stamp, content) for the topics that carry content.
        self.content_listeners: list[Callable[[str, str, dict], None]] = []

    def bump(self, topics: Iterable[str], content: Collection[str] = ()) -> None:
        """Move these topics' stamps on (and tell the listeners)."""
        with self._lock:
            moved = []
            for topic in topics:
                self._counts[topic] = self._counts.get(topic, 0) + 1
                moved.append((topic, f"{self.epoch}.{self._counts[topic]}"))
        for listener in self.listeners:
            for topic, stamp in moved:
                listener(topic, stamp, topic in content)

    def read(self, topics: list[str]) -> list[str]:
        """The stamps of these topics."""
        return [f"{self.epoch}.{self._counts.get(topic, 0)}" for topic in topics]

    def publish_content(self, topic: str, stamp: str, content: dict[str, Any]) -> None:
        """Hand a topic's content, at least as new as `stamp`, to the listeners."""
        for listener in self.content_listeners:
            listener(topic, stamp, content)


# KEYS: the epoch, then one stamp per topic; ARGV: the channel, a new epoch (used only when
# Redis has none), the topics, then per topic "+" when its content follows or "". Publishes
# "topic epoch.count" (the stamp as `read` gives it), with " +" after it when content follows.
BUMP_SCRIPT = """
redis.call('SET', KEYS[1], ARGV[2], 'NX')
local epoch = redis.call('GET', KEYS[1])
local n = #KEYS - 1
for i = 2, #KEYS do
  local stamp = epoch .. '.' .. redis.call('INCR', KEYS[i])
  local mark = ARGV[i + 1 + n] == '+' and ' +' or ''
  redis.call('PUBLISH', ARGV[1], ARGV[i + 1] .. ' ' .. stamp .. mark)
end
"""


class RedisVersions:
    """Stamps in Redis, shared by every process and host: one round trip to read or bump."""

    shared = True

    def __init__(self, url: str, prefix: str = "swc:live") -> None:
        import redis

        self.url = url
        # A blocking pool: under gevent thousands of streams read the stamps as they connect;
        # they wait their turn for one of a few connections instead of failing.
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=32, timeout=2, socket_timeout=1, socket_connect_timeout=1
        )
        self.client = redis.Redis(connection_pool=pool)
        self.prefix = prefix
        self.channel = f"{prefix}:changes"
        self.content_channel = f"{prefix}:content"
        self.epoch_key = f"{prefix}:epoch"
        # One EVALSHA per commit (a scan commits one), not a round trip to INCR and one to PUBLISH.
        self._bump = self.client.register_script(BUMP_SCRIPT)

    def key(self, topic: str) -> str:
        """The Redis key of a topic's stamp."""
        return f"{self.prefix}:v:{topic}"

    def bump(self, topics: Iterable[str], content: Collection[str] = ()) -> None:
        """INCR each stamp, then PUBLISH "topic stamp" (the stamp as `read` gives it)."""
        topics = sorted(set(topics))
        if topics:
            marks = ["+" if t in content else "" for t in topics]
            self._bump(
                keys=[self.epoch_key, *(self.key(t) for t in topics)],
                args=[self.channel, secrets.token_hex(8), *topics, *marks],
            )

    def publish_content(self, topic: str, stamp: str, content: dict[str, Any]) -> None:
        """PUBLISH {"topic", "version", "content"} for every process's live streams."""
        message = {"topic": topic, "version": stamp, "content": content}
        self.client.publish(self.content_channel, json.dumps(message, separators=(",", ":")))

    def read(self, topics: list[str]) -> list[str] | None:
        """The stamps, with an epoch that changes when Redis lost its data (a flush, a restart)."""
        import redis

        epoch_key = self.epoch_key
        try:
            epoch, *counts = self.client.mget([epoch_key, *map(self.key, topics)])
            if epoch is None:
                self.client.set(epoch_key, secrets.token_hex(8), nx=True)
                epoch = self.client.get(epoch_key)
        except redis.RedisError:
            log.warning("live: Redis cannot be read; polls are answered in full", exc_info=True)
            return None
        epoch_text = epoch.decode() if epoch else "none"
        return [f"{epoch_text}.{int(c or 0)}" for c in counts]


def versions(app: Flask | None = None) -> Versions:
    """The app's stamp store."""
    return (app or current_app).extensions["live"]


def init_app(app: Flask) -> None:
    """Pick the store (Redis when REDIS_URL is set) and answer unchanged polls first of all."""
    url = app.config.get("REDIS_URL") or ""
    if url:
        store: Versions = RedisVersions(url, app.config.get("LIVE_PREFIX", "swc:live"))
    else:
        store = MemoryVersions()
        if "gunicorn" in os.environ.get("SERVER_SOFTWARE", ""):
            log.warning("live: no REDIS_URL; with several workers set it, or polls go stale")
    app.extensions["live"] = store
    # First in the list: it runs before the login loader, the conference and the rate limiter.
    app.before_request_funcs.setdefault(None, []).insert(0, _answer_unchanged)


# -- after commit ----------------------------------------------------------------------------


def mark(session: Session, *topics: str) -> None:
    """These topics change when the session's transaction commits (nothing on a rollback)."""
    session.info.setdefault(TOPICS_KEY, set()).update(topics)


_watched: dict[type, Callable[[Any], Iterable[str]]] = {}


def watch(model: type, topics: Callable[[Any], Iterable[str]]) -> None:
    """Every ORM insert, change or delete of `model` marks `topics(row)` (a package's setup)."""
    _watched[model] = topics


# Renderers of the topics that carry content, by the topic's kind (before its ":").
_renderers: dict[str, Callable[[str], dict[str, Any] | None]] = {}


def content(kind: str, render: Callable[[str], dict[str, Any] | None]) -> None:
    """Topics `<kind>:…` carry content: `render(topic)` draws it after each move (a setup).

    The content must be the same for every viewer allowed to hear the topic; it is drawn in
    its own connection (the committed session cannot run SQL) and must be JSON.
    """
    _renderers[kind] = render


def carrying_content(topics: Iterable[str]) -> set[str]:
    """Those of the topics whose content is drawn and published after they move."""
    if current_app.config.get("LIVE_EVENTS", "auto") == "off":
        return set()
    return {topic for topic in topics if topic.partition(":")[0] in _renderers}


def publish_content(topics: Iterable[str]) -> None:
    """Draw and publish the content of these topics (`carrying_content`), their stamps moved."""
    store = versions()
    for topic in sorted(topics):
        render = _renderers[topic.partition(":")[0]]
        # The stamp is read before drawing, so the content holds at least what it stands for.
        found = store.read([topic])
        drawn = render(topic) if found else None
        if drawn is not None:
            store.publish_content(topic, found[0], drawn)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    if not _watched:
        return
    for row in (*session.new, *session.dirty, *session.deleted):
        topics = _watched.get(type(row))
        if topics is not None:
            mark(session, *topics(row))


@event.listens_for(Session, "after_commit")
def _publish(session: Session) -> None:
    topics = session.info.pop(TOPICS_KEY, None)
    if not topics:
        return
    carrying = carrying_content(topics)
    try:
        # The streams then wait a moment for that content instead of sending the bare version.
        versions().bump(topics, content=carrying)
    except Exception:
        # The change is committed; its viewers see it at their next refresh (REFRESH_SECONDS).
        log.warning("live: could not move the stamps of %s", sorted(topics), exc_info=True)
        return
    # Drawn when the transaction has given its connection back (below): drawing needs one, and
    # holding two per writer could empty the pool under a rush.
    if carrying:
        session.info[CONTENT_KEY] = carrying


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit (after_commit has taken its topics):
    # what it marked was rolled back. A savepoint's end keeps the outer transaction's marks.
    if transaction.parent is None and not transaction.nested:
        session.info.pop(TOPICS_KEY, None)
        committed = session.info.pop(CONTENT_KEY, None)
        if committed:
            try:
                publish_content(committed)
            except Exception:
                # The stamps moved: the pages hear the change and fetch it themselves.
                log.warning("live: no content published for %s", sorted(committed), exc_info=True)


# -- conditional answers ---------------------------------------------------------------------


def caller_key() -> str:
    """Who asks, without the database: the session's account or a hash of the bearer token."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "t:" + hashlib.sha256(token.strip().encode()).hexdigest()
    return "s:" + str(session.get("_user_id") or "")


def language_hint() -> str:
    """What picks the language before the account is read (?lang=, cookie, Accept-Language)."""
    return "|".join(
        (
            request.args.get("lang", ""),
            request.cookies.get("lang", ""),
            request.headers.get("Accept-Language", "")[:64],
        )
    )


def stamps(topics: list[str]) -> str | None:
    """The topics' stamps as one string (None when they cannot be read now).

    Read once per request: a validator computed again after the view has read its data
    still gives the stamps from before, so a change in between is never hidden.
    """
    if not has_request_context():
        found = versions().read(topics)
        return None if found is None else " ".join(found)
    known = g.setdefault("live_stamps", {})
    key = tuple(topics)
    if key not in known:
        if all((topic,) in known for topic in topics):
            # Each one read earlier in this request (a validator read them together).
            parts = [known[(topic,)] for topic in topics]
            known[key] = None if None in parts else " ".join(parts)
            return known[key]
        found = versions().read(topics)
        known[key] = None if found is None else " ".join(found)
        for topic, stamp in zip(topics, found or [None] * len(topics), strict=True):
            known.setdefault((topic,), stamp)
    return known[key]


def etag(topics: list[str], *parts: Any) -> str | None:
    """A validator for what `parts` (who, how) shows of `topics`; None when no stamp is known."""
    now = stamps(topics)
    if now is None:
        return None
    who = "/".join(map(str, parts))
    spread = int.from_bytes(hashlib.sha256(who.encode()).digest()[:4], "big") % REFRESH_SECONDS
    period = int((time.time() + spread) // REFRESH_SECONDS)
    raw = "\n".join([*topics, now, who, str(period)])
    secret = current_app.config["SECRET_KEY"].encode()
    # Keyed: an ETag cannot be made up, so a 304 only confirms what its holder was sent.
    return hmac.new(secret, raw.encode(), hashlib.sha256).hexdigest()[:32]


def conditional(
    validator: Callable[..., str | None], cache_control: str = "private, no-cache"
) -> Callable:
    """Decorate a polled view: `validator(**view_args)` gives its ETag from the stamps alone.

    An unchanged poll is answered 304 before any query; a changed one runs the view, which
    reads its data after the stamps were read (so a change in between is simply sent again).
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            response = make_response(view(*args, **kwargs))
            # Computed again when the hook had no answer (the status poll's memory is now
            # filled); the stamps are the ones read before the view, see `stamps`.
            tag = g.get("live_etag") or validator(**kwargs)
            if tag and response.status_code == 200:
                response.set_etag(tag)
                response.headers["Cache-Control"] = cache_control
            return response

        wrapped.live_validator = validator
        wrapped.live_cache_control = cache_control
        return wrapped

    return decorator


def _answer_unchanged() -> Response | None:
    if request.method != "GET" or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    validator = getattr(view, "live_validator", None)
    if validator is None:
        return None
    tag = g.live_etag = validator(**(request.view_args or {}))
    if tag is None or request.if_none_match.star_tag or not request.if_none_match.contains(tag):
        return None
    response = Response(status=304)
    response.set_etag(tag)
    response.headers["Cache-Control"] = view.live_cache_control
    return response
