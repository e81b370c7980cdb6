"""The conference's settings, cached per process and checked against the `conference` stamp.

Every hot request needs the conference's windows, venue and settings, which change a few
times a month; reading the row costs a query per request. `conference_settings()` keeps a
read-only snapshot of the row per process and keeps it only while the `conference` live
stamp (conference/live.py) is the one it was read under: any change of the row moves the
stamp after its COMMIT (the ORM watch below, or `live.mark` for a bulk UPDATE), so every
process sees it at its next request. The stamp must be shared by every process that can
change the row (Redis: the web workers and the scheduler); with this process's own stamps
(no REDIS_URL, where `make run` starts the web process and the scheduler apart) the row is
read each request, as before.

The same rule keeps other data that changes with the conference and moves its stamp (the
registration questions, whose package watches them): `kept(name, read)`.

The stamp itself is read from Redis at every request (one MGET, about 0.1 ms of CPU), and that
is the rule that makes the cache safe: it is not cached in turn. Keeping it per process would
need word of a change to reach every process before its next request; a pub/sub subscriber
hears it some time after the COMMIT (a request in between would use the old row), and it would
wake every worker at each stamp move, that is at every scan (on two cores, about what the read
costs: issue 18 kept the read).

The snapshot leaves out the venue counter (`onsite_taken`): it moves with every
registration, so it is never cached; decisions on it stay in conditional UPDATEs. Code
that changes the conference, or needs the counter, uses `current_conference()` (the row).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g
from sqlalchemy import select

from conference import live
from conference.errors import NotFound
from conference.extensions import db
from conference.models import Conference

CONFERENCE_TOPIC = "conference"
# Columns that move with every registration: never cached.
COUNTERS = frozenset({"onsite_taken"})
_COLUMNS = [c for c in Conference.__table__.columns if c.key not in COUNTERS]
_CACHE_KEY = "conference_snapshot"
T = TypeVar("T")

ConferenceSettings = dataclasses.make_dataclass(
    "ConferenceSettings",
    [column.key for column in _COLUMNS],
    frozen=True,
    slots=True,
    namespace={
        "__doc__": "The conference row as read under one stamp, read-only, without counters.",
        # The row's own rules, so they are written once (they read only these fields).
        "DEFAULT_SETTINGS": Conference.DEFAULT_SETTINGS,
        "setting": Conference.setting,
        "registration_open": Conference.registration_open,
        "choice_open": Conference.choice_open,
    },
)


def init_app(_app: Any) -> None:
    """Every ORM change of the conference row moves its stamp (after the COMMIT)."""
    live.watch(Conference, lambda _conf: [CONFERENCE_TOPIC])


def _query(slug: str | None) -> Any:
    query = select(*_COLUMNS).order_by(Conference.id).limit(1)
    return query.where(Conference.slug == slug) if slug else query


def _read() -> Any | None:
    """The snapshot read from the database now (None without a conference)."""
    query = _query(current_app.config.get("CONFERENCE_SLUG"))
    row = db.session.execute(query).one_or_none()
    return None if row is None else ConferenceSettings(*row)


def _shared_stamp() -> str | None:
    """The `conference` stamp when every process shares it (else None: do not cache)."""
    if not getattr(live.versions(), "shared", False):
        return None
    return live.stamps([CONFERENCE_TOPIC])


def kept(name: str, read: Callable[[], T]) -> T:
    """`read()`, kept in this process under `name` while the `conference` stamp stands."""
    stamp = _shared_stamp()  # read before the data: a change in between is read again
    found = current_app.extensions.get(name)
    if stamp is not None and found is not None and found[0] == stamp:
        return found[1]
    value = read()
    if stamp is not None and value is not None:
        current_app.extensions[name] = (stamp, value)
    return value


def conference_settings(required: bool = True) -> Any | None:
    """The conference this app serves as a read-only snapshot, fresh for this request."""
    if _CACHE_KEY in g:
        snapshot = g.get(_CACHE_KEY)
    else:
        snapshot = kept(_CACHE_KEY, _read)
        setattr(g, _CACHE_KEY, snapshot)
    if snapshot is None and required:
        raise NotFound()
    return snapshot


def changed(session: Any) -> None:
    """The conference row changes in this transaction by a bulk UPDATE the ORM cannot see."""
    live.mark(session, CONFERENCE_TOPIC)
