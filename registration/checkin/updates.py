"""The arrival figures' live topics: every scan moves `arrivals:<checkpoint>` and `arrivals:all`."""

from __future__ import annotations

import time

from flask import request

from conference import live
from registration.checkin.models import Scan

# The figures also follow the clock (arrivals per quarter hour, no-shows once a workshop
# starts): an unchanged poll is answered 304 for at most this long.
CLOCK_SECONDS = 60


def arrivals_topic(checkpoint: str) -> str:
    """The stamp of one checkpoint's arrivals ("entrance", an activity id, "online:12")."""
    return f"arrivals:{checkpoint}"


ALL_ARRIVALS = arrivals_topic("all")


def watch_models() -> None:
    """Every scan (entry, exit, online presence, a flag) moves its checkpoint's stamps."""
    live.watch(Scan, lambda scan: [arrivals_topic(scan.checkpoint), ALL_ARRIVALS])


def figures_etag() -> str | None:
    """The figures fragment of this caller (the full page is always rendered)."""
    if not request.args.get("fragment"):
        return None
    return live.etag(
        [ALL_ARRIVALS],
        "arrivals",
        live.caller_key(),
        live.language_hint(),
        int(time.time() // CLOCK_SECONDS),
    )
