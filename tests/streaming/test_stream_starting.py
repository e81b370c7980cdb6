"""'Starting in 15 minutes' for followed streams: once per person, only followers, in their
language, never to people who turned news off or canceled (streaming/jobs.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from conference import scheduler
from conference.clock import utcnow
from conference.extensions import db
from conference.mail.policy import news_token
from conference.models import MailMessage
from sessions.agenda.models import Follow
from streaming.jobs import followed_stream_notices
from streaming.models import StreamSettings
from tests.factories import activity_of_kind, attendee, fresh
from tests.helpers import at


@pytest.fixture
def app(any_db_app):
    """On SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


@pytest.fixture
def crowd(app):
    """Followers of the first stream (Dutch, English, opted out, canceled), and somebody who
    follows nothing."""
    stream = activity_of_kind("stream")
    people = {
        "nl": attendee("online", first_name="Noor", language="nl"),
        "en": attendee("onsite", first_name="Emma", language="en"),
        "quiet": attendee("online", first_name="Stil"),
        "gone": attendee("online", first_name="Weg", status="canceled"),
        "other": attendee("online", first_name="Ander"),
    }
    fresh()
    for key in ("nl", "en", "quiet", "gone"):
        db.session.add(Follow(registration_id=people[key].id, activity_id=stream.id))
    people["quiet"].news_opt_out_at = utcnow()
    db.session.commit()
    return {"stream": stream, "people": people}


def _mails() -> dict[str, MailMessage]:
    db.session.rollback()
    rows = db.session.scalars(select(MailMessage).filter_by(kind="stream_starting")).all()
    return {row.to_address: row for row in rows}


def test_the_job_is_scheduled():
    spec = scheduler.job_by_name("followed_stream_notices")
    assert spec.run is followed_stream_notices and spec.interval <= 60


def test_followers_hear_once_in_their_language(app, crowd):
    stream, people = crowd["stream"], crowd["people"]
    spec = scheduler.job_by_name("followed_stream_notices")
    assert scheduler.run_job(spec, now=at(stream, -20)).result["starting_mails"] == 0  # too early
    first = scheduler.run_job(spec, now=at(stream, -14))
    second = scheduler.run_job(spec, now=at(stream, -5))
    assert first.status == "ok" and first.result["starting_mails"] == 2
    assert second.status == "ok" and second.result["starting_mails"] == 0  # never twice
    assert scheduler.run_job(spec, now=at(stream, 1)).result["starting_mails"] == 0  # started

    mails = _mails()
    # Only followers: not the one who turned news off, the canceled one, or a non-follower.
    assert set(mails) == {people["nl"].email, people["en"].email}
    dutch, english = mails[people["nl"].email], mails[people["en"].email]
    assert dutch.subject == f"Over 15 minuten begint {stream.title}"
    assert "Beste Noor," in dutch.body_text and "Meld je af:" in dutch.body_text
    title_en = stream.title_en or stream.title
    assert english.subject == f"{title_en} starts in 15 minutes"
    assert "Dear Emma," in english.body_text and 'lang="en"' in english.body_html
    for mail, person in ((dutch, people["nl"]), (english, people["en"])):
        assert f"/online/kijk/{stream.id}" in mail.body_text
        assert mail.dedupe_key == f"stream-starting:{stream.id}:{person.id}"
        assert mail.unsubscribe_token == news_token("r", person.id)
        assert mail.registration_id == person.id


def test_the_job_twice_at_the_same_time_has_its_effect_once(app, crowd):
    now = at(crowd["stream"], -10)  # read here: the threads must not touch this session's rows
    spec = scheduler.job_by_name("followed_stream_notices")

    def run_once(_):
        with app.app_context():
            try:
                run = scheduler.run_job(spec, now=now)
                return run.status, run.result, run.error
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(run_once, range(2)))
    assert [status for status, _, _ in runs] == ["ok", "ok"], runs
    assert sum(result["starting_mails"] for _, result, _ in runs) == 2
    assert len(_mails()) == 2


def test_a_stream_called_off_sends_nothing(app, crowd):
    stream = crowd["stream"]
    fresh()
    db.session.add(StreamSettings(activity_id=stream.id, status_override="ended"))
    db.session.commit()
    assert followed_stream_notices(at(stream, -10))["starting_mails"] == 0
    assert _mails() == {}
