"""The polls' shared content for the live streams: each shown poll's counts, drawn once per change.

Every attendee sees the same counts; only their own ballot differs. So after each vote, opening
or closing (`polls:<activity_id>`) the counts are drawn once per language (`_results.html`) and
the live streams push those that changed to every open panel (`conference.live_events`); the
panel replaces its counts and keeps its ballot, or fetches the list when a poll opened or closed.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import current_app, get_template_attribute
from flask_babel import force_locale
from sqlalchemy.orm import Session

from conference.extensions import db
from streaming.polls import results


def content(topic: str) -> dict[str, Any]:
    """Per language: the shown polls' ids in order, their states, each one's counts."""
    activity = SimpleNamespace(id=int(topic.partition(":")[2]))
    app = current_app._get_current_object()
    drawn: dict[str, Any] = {}
    # A session and a request of their own: the writer's have ended or belong to the writer.
    with Session(db.engine) as session, app.test_request_context():
        polls = results.polls_of(activity, session=session)
        counted = {poll.id: results.counts(poll, session) for poll in polls}  # once, every language
        draw = get_template_attribute("streaming/polls/_results.html", "poll_results")
        for lang in app.config["LANGUAGES"]:
            with force_locale(lang):
                drawn[lang] = {
                    "order": [poll.id for poll in polls],
                    "states": {str(poll.id): poll.status for poll in polls},
                    "items": {
                        str(poll.id): str(
                            draw({"results": results.results(poll, lang, counted=counted[poll.id])})
                        )
                        for poll in polls
                    },
                }
    return drawn
