"""The watch page hears a change through its event stream (EventSource) and fetches it once:
a question approved elsewhere appears well within the poll interval, with no poll before it."""

from __future__ import annotations

import time

from sqlalchemy import select

from conference.db import write_transaction
from conference.extensions import db
from conference.models import User
from streaming.models import Question
from tests.browser.test_streaming_browser import (  # noqa: F401  (fixtures)
    _logged_in_context,
    hls_url,
    site,
)

POLL_SECONDS = 5.0  # the attendee panel's poll interval (data-poll)


def test_an_approved_question_arrives_through_the_event_stream(browser, site):  # noqa: F811
    context = _logged_in_context(browser, site, site["people"][0][1])
    page = context.new_page()
    fragments: list[tuple[float, str]] = []
    is_fragment = f"/online/vragen/{site['stream_id']}/lijst"
    page.on(
        "request",
        lambda r: fragments.append((time.monotonic(), r.url)) if is_fragment in r.url else None,
    )
    page.goto(f"{site['server'].url}/online/kijk/{site['stream_id']}")
    page.locator("[data-watch][data-live-state='open']").wait_for(timeout=10000)
    with site["app"].app_context():
        with write_transaction(db.session) as session:
            session.add(
                Question(
                    activity_id=site["stream_id"],
                    user_id=session.scalar(select(User.id).filter_by(role="moderator")),
                    text="Komt deze vraag meteen?",
                    status="approved",
                )
            )
        approved = time.monotonic()
        db.session.remove()
    shown = page.locator(".qa-text", has_text="Komt deze vraag meteen?")
    shown.wait_for(timeout=POLL_SECONDS * 1000)
    seconds = time.monotonic() - approved
    assert seconds < 2.0, seconds
    # No poll before the change: the one fetch of the list is the one the event asked for.
    assert [at for at, _ in fragments if at < approved] == []
    assert len(fragments) == 1, fragments
    assert page.locator("[data-watch]").get_attribute("data-live-events") == "1"
    context.close()
