"""The online day's live topics: which changes move which stamp, and the polls' validators.

`qa:<activity_id>` moves with every question, vote and moderation of an activity;
`stream:<activity_id>` with its stream settings and its programme entry; `conference` with the
conference row (its settings, e.g. pre-moderation). Polls are answered 304 from these stamps
before any query (`conference.live`); the status poll is even answered in full without one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from flask import request

from conference import live
from conference.clock import isoformat, utcnow
from conference.extensions import db
from conference.services import current_conference
from sessions.programme.models import Activity
from streaming import services
from streaming.models import Question, StreamSettings


def qa_topic(activity_id: int) -> str:
    """The stamp of an activity's Q&A."""
    return f"qa:{activity_id}"


def stream_topic(activity_id: int) -> str:
    """The stamp of a stream's status and settings."""
    return f"stream:{activity_id}"


def watch_models() -> None:
    """Every ORM change of these rows moves their topics when it commits."""
    live.watch(Question, lambda q: [qa_topic(q.activity_id)])
    live.watch(StreamSettings, lambda s: [stream_topic(s.activity_id)])
    live.watch(Activity, lambda a: [qa_topic(a.id), stream_topic(a.id)])


def qa_fragment_etag(activity_id: int) -> str | None:
    """The Q&A list fragment (attendee panel, moderator screen, room screen) of this caller."""
    args = request.args
    return live.etag(
        [qa_topic(activity_id), "conference"],
        "qa-html",
        activity_id,
        args.get("mode", "attendee"),
        args.get("next", ""),
        live.caller_key(),
        live.language_hint(),
    )


def qa_json_etag(activity_id: int) -> str | None:
    """GET /api/v1/activities/<id>/questions of this caller."""
    return live.etag(
        [qa_topic(activity_id), "conference"],
        "qa-json",
        activity_id,
        request.args.get("view", ""),
        live.caller_key(),
        live.language_hint(),
    )


# -- the status poll: answered from this process's memory while the stamp stands ------------


@dataclass(frozen=True)
class StatusFacts:
    """What a stream's status follows from, besides the clock."""

    activity_id: int
    kind: str
    starts_at: datetime
    ends_at: datetime
    override: str | None
    override_at: datetime | None
    timezone: str

    def body(self, now: datetime) -> dict[str, Any]:
        """The status as GET /api/v1/streams/<id>/status shows it at `now`."""
        state = services.stream_state(
            SimpleNamespace(starts_at=self.starts_at, ends_at=self.ends_at),
            SimpleNamespace(status_override=self.override),
            now,
        )
        return {
            "activity_id": self.activity_id,
            "status": state.status,
            "delayed": state.delayed,
            "override": state.override,
            "starts_at": isoformat(self.starts_at, self.timezone),
            "ends_at": isoformat(self.ends_at, self.timezone),
        }


_memo: dict[int, tuple[str, StatusFacts]] = {}
_memo_lock = threading.Lock()


def _status_stamp(activity_id: int) -> str | None:
    return live.stamps([stream_topic(activity_id), "conference"])


def status_etag(activity_id: int) -> str | None:
    """The status poll's validator: the stamp and the status words now (from memory)."""
    stamp = _status_stamp(activity_id)
    known = _memo.get(activity_id)
    if stamp is None or known is None or known[0] != stamp:
        return None  # the view reads the facts (and remembers them for the next polls)
    body = known[1].body(utcnow())
    return live.etag([], "status", activity_id, stamp, body["status"], body["delayed"])


def status_facts(activity_id: int) -> StatusFacts:
    """The facts of a stream's status: from memory while its stamp stands, else the database."""
    # Also what a heartbeat needs (the stream exists, its kind, its live window): thousands of
    # viewers' heartbeats then read no activity or settings row.
    stamp = _status_stamp(activity_id)
    known = _memo.get(activity_id)
    if stamp is not None and known is not None and known[0] == stamp:
        return known[1]
    conf = current_conference()
    act = services.online_activity(conf, activity_id)
    settings = db.session.get(StreamSettings, act.id)
    facts = StatusFacts(
        act.id,
        act.kind,
        act.starts_at,
        act.ends_at,
        settings.status_override if settings is not None else None,
        settings.override_at if settings is not None else None,
        conf.timezone,
    )
    if stamp is not None:
        # Read after the stamp: a change in between gives a new stamp, so it is read again.
        with _memo_lock:
            _memo[act.id] = (stamp, facts)
    return facts
