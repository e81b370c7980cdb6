"""The watch page hears a change through its event stream (EventSource), which carries the
approved questions themselves: a question approved elsewhere appears well within the poll
interval with no fetch at all, and the panel keeps its own votes and waiting questions."""

from __future__ import annotations

import time

from sqlalchemy import select

from conference import live, live_events
from conference.db import write_transaction
from conference.extensions import db
from conference.models import User
from registration.models import Registration
from streaming.models import Question, QuestionVote
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
    # No poll and no fetch: the event carried the question.
    assert fragments == []
    assert page.locator("[data-watch]").get_attribute("data-live-events") == "1"
    context.close()


def _question(where: dict, text: str, status: str, user_id: int | None = None) -> int:
    with where["app"].app_context():
        with write_transaction(db.session) as session:
            moderator = session.scalar(select(User.id).filter_by(role="moderator"))
            question = Question(
                activity_id=where["stream_id"],
                user_id=user_id or moderator,
                text=text,
                status=status,
            )
            session.add(question)
            session.flush()
            question_id = question.id
        db.session.remove()
    return question_id


def _watching(browser, site: dict, user_id: str):  # noqa: F811
    """A watch page with its live stream open, and the Q&A list fetches it makes (URLs)."""
    context = _logged_in_context(browser, site, user_id)
    page = context.new_page()
    fragments: list[str] = []
    is_fragment = f"/online/vragen/{site['stream_id']}/lijst"
    page.on("request", lambda r: fragments.append(r.url) if is_fragment in r.url else None)
    page.goto(f"{site['server'].url}/online/kijk/{site['stream_id']}")
    page.locator("[data-watch][data-live-state='open']").wait_for(timeout=10000)
    return context, page, fragments


def test_a_pushed_list_keeps_the_viewers_votes_and_waiting_questions(browser, site):  # noqa: F811
    with site["app"].app_context():
        me = db.session.scalar(
            select(Registration.user_id).where(Registration.id == site["people"][0][0])
        )
        db.session.remove()
    voted = _question(site, "Waar ik voor stemde", "approved")
    waiting = _question(site, "Mijn vraag die wacht", "pending", me)
    with site["app"].app_context():
        with write_transaction(db.session) as session:
            session.add(QuestionVote(question_id=voted, user_id=me))
        db.session.remove()
    context, page, fragments = _watching(browser, site, site["people"][0][1])

    new = _question(site, "Een nieuwe vraag van iemand anders", "approved")
    page.locator(f"#vraag-{new}").wait_for(timeout=2000)
    assert fragments == []
    items = page.locator(".qa-list > li")
    assert items.evaluate_all("(all) => all.map((li) => li.id)") == [
        f"vraag-{voted}",
        f"vraag-{new}",
        f"vraag-{waiting}",
    ]
    mine = page.locator(f"#vraag-{voted}")
    assert mine.get_by_role("button", name="Gestemd").is_visible()
    assert not mine.get_by_role("button", name="Ik wil dit ook weten").is_visible()
    assert page.locator(f"#vraag-{waiting}").get_by_text("Wacht op een moderator").is_visible()
    # The pushed question takes this page's form token: voting on it works.
    page.locator(f"#vraag-{new}").get_by_role("button", name="Ik wil dit ook weten").click()
    page.locator(f"#vraag-{new}").get_by_role("button", name="Gestemd").wait_for(timeout=5000)
    with site["app"].app_context():
        votes = db.session.scalar(select(Question.votes).where(Question.id == new))
        db.session.remove()
    assert votes == 1

    # The moderator shows the waiting question: it moves up once, with no waiting badge.
    with site["app"].app_context():
        with write_transaction(db.session) as session:
            session.get(Question, waiting).status = "approved"
        db.session.remove()
    page.locator(f"#vraag-{waiting}:not(.qa-pending)").wait_for(timeout=2000)
    assert page.locator(f"#vraag-{waiting}").count() == 1
    assert not page.get_by_text("Wacht op een moderator").is_visible()
    context.close()


def test_the_moderators_list_hears_a_change_that_came_with_content(browser, site):  # noqa: F811
    """Once the stream carries the Q&A's content it sends no separate version: the moderator's
    list, which shows every question and takes no content, still fetches at once."""
    context = _logged_in_context(browser, site, site["moderator"])
    page = context.new_page()
    page.goto(f"{site['server'].url}/online/moderatie/{site['stream_id']}")
    page.locator("[data-qa][data-live-state='open']").wait_for(timeout=10000)
    _question(site, "De eerste, die de stroom leert dat er inhoud is", "approved")
    page.locator(".qa-text", has_text="De eerste").wait_for(timeout=2000)
    asked = time.monotonic()
    _question(site, "Een tweede die op een moderator wacht", "pending")
    page.locator(".qa-text", has_text="Een tweede").wait_for(timeout=2000)
    assert time.monotonic() - asked < 2.0
    context.close()


def test_a_page_that_fetched_between_two_pushes_applies_the_next(browser, site, monkeypatch):  # noqa: F811
    """A change whose content could not be drawn makes the page fetch (a version never pushed);
    the next push, whose base is older, still applies: thousands of pages fetching at every
    push after one such change would be a storm."""
    monkeypatch.setattr(live_events, "CONTENT_GRACE", 0.3)
    context, page, fragments = _watching(browser, site, site["people"][1][1])
    _question(site, "Een vraag die geduwd wordt", "approved")
    page.locator(".qa-text", has_text="Een vraag die geduwd").wait_for(timeout=3000)
    assert fragments == []
    drawing = live._renderers["qa"]
    monkeypatch.setitem(live._renderers, "qa", lambda _topic: None)  # the writer's drawing fails
    _question(site, "Een vraag die opgehaald wordt", "approved")
    page.locator(".qa-text", has_text="Een vraag die opgehaald").wait_for(timeout=8000)
    assert len(fragments) == 1
    monkeypatch.setitem(live._renderers, "qa", drawing)
    _question(site, "Weer een vraag die geduwd wordt", "approved")
    page.locator(".qa-text", has_text="Weer een vraag").wait_for(timeout=3000)
    assert len(fragments) == 1, fragments  # applied on the fetched version, no second fetch
    context.close()


def test_the_status_turns_live_at_the_start_with_no_clock_polls_before(browser, site):  # noqa: F811
    """While the stream is open the page asks the status only just after the start (each page
    a few seconds after it) and every few minutes as a net, not every 30 s."""
    from datetime import timedelta

    from conference.clock import utcnow
    from sessions.programme.models import Activity

    with site["app"].app_context():
        with write_transaction(db.session) as session:
            act = session.get(Activity, site["stream_id"])
            act.starts_at = utcnow() + timedelta(seconds=4)
            act.ends_at = act.starts_at + timedelta(hours=1)
        db.session.remove()
    context = _logged_in_context(browser, site, site["people"][0][1])
    page = context.new_page()
    asked: list[float] = []
    is_status = f"/api/v1/streams/{site['stream_id']}/status"
    page.on("request", lambda r: asked.append(time.monotonic()) if is_status in r.url else None)
    page.goto(f"{site['server'].url}/online/kijk/{site['stream_id']}")
    page.locator("[data-watch][data-live-state='open']").wait_for(timeout=10000)
    badge = page.locator(f"[data-status-for='{site['stream_id']}']")
    assert "Begint" in badge.inner_text()
    # The start (4 s) plus this page's spread (under 5 s) plus a tick of the status poll (1 s).
    page.wait_for_function(
        f"() => document.querySelector(\"[data-status-for='{site['stream_id']}']\")"
        ".textContent.includes('Nu live')",
        timeout=15000,
    )
    assert len(asked) == 1, asked  # the one after the start, none before it
    context.close()
