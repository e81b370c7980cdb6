"""The Q&A's shared content for the live streams: the approved questions, drawn once per change.

Every attendee sees the same approved questions; only their own votes and their own waiting
questions differ. So after each change of a Q&A (`qa:<activity_id>`) the list is drawn once per
language, with no form token and no one's votes (`_qa_item.html`, shared), and the live streams
push what changed to every open panel (`conference.live_events`); the page keeps its own part.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, get_template_attribute, url_for
from flask_babel import force_locale

from conference.extensions import db
from streaming import qa


def content(topic: str) -> dict[str, Any]:
    """Per language: the approved questions' ids in order, each one's list item, the empty item."""
    activity_id = int(topic.partition(":")[2])
    with db.engine.connect() as connection:
        rows = connection.execute(
            qa.QUESTION_ROWS[False], {"activity_id": activity_id, "user_id": None}
        ).all()
    app = current_app._get_current_object()
    drawn: dict[str, Any] = {}
    # A request of its own: the writer's session, form token and language stay out of it.
    with app.test_request_context():
        item = get_template_attribute("streaming/_qa_item.html", "qa_item")
        empty = get_template_attribute("streaming/_qa_item.html", "qa_empty")
        back = url_for("streaming.questions", activity_id=activity_id)
        for lang in app.config["LANGUAGES"]:
            with force_locale(lang):
                drawn[lang] = {
                    "order": [row.id for row in rows],
                    "items": {str(r.id): str(item(r, "attendee", (), back, True)) for r in rows},
                    "empty": str(empty()),
                }
    return drawn
