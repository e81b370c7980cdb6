"""What streaming adds to lower packages, connected at app start by `streaming.setup`."""

from __future__ import annotations

from sessions.agenda.services import external_url
from sessions.agenda.snapshot import ActivityInfo
from streaming.services import ONLINE_KINDS


def watch_url_for_agenda(activity: ActivityInfo) -> str | None:
    """The watch page of a stream, plenary, radio or online workshop, for agendas and feeds."""
    if activity.kind not in ONLINE_KINDS:
        return None
    return external_url("streaming.watch", activity_id=activity.id)
