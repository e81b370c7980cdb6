"""Reconfirmation: mails once each in the person's language, single-use links, races, release."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from conference.clock import utcnow
from conference.extensions import db
from conference.mail.delivery import deliver_due
from registration.reconfirm.errors import NoPlaceToConfirm
from registration.reconfirm.jobs import reconfirm
from registration.reconfirm.services import answer
from registration.services import cancel_registration
from tests.factories import conference, register, set_venue, token_for
from tests.helpers import assert_counters_match, bearer, mails, waiting

LINK = re.compile(r"https?://[^/\s]+(/bevestigen/[^\s?]+\?antwoord=(?:ja|nee))")


def _window(release: bool = True):
    now = utcnow()
    return set_venue(
        reconfirm_opens_at=now - timedelta(hours=1),
        reconfirm_closes_at=now + timedelta(hours=9),
        reconfirm_release=release,
    )


def _venue_with_waiting_list(places: int, waiting_people: int):
    set_venue(onsite_capacity=places)
    held = [register(i, venue="waitlist") for i in range(places)]
    extra = [register(100 + i, venue="waitlist") for i in range(waiting_people)]
    return held, extra


def test_mail_and_reminder_once_each_in_the_persons_language(app, smtp):
    set_venue(onsite_capacity=3)
    held = [register(1, venue="waitlist"), register(2, venue="waitlist", language="en")]
    conf = _window()
    deliver_due()  # the confirmations
    smtp.messages.clear()
    assert reconfirm(utcnow())["asked"] == 2
    assert reconfirm(utcnow())["asked"] == 0
    halfway = conf.reconfirm_opens_at + timedelta(hours=6)
    assert reconfirm(halfway)["reminded"] == 2
    assert reconfirm(halfway)["reminded"] == 0
    deliver_due()
    assert len(mails("reconfirm")) == 2 and len(mails("reconfirm_reminder")) == 2
    subjects = sorted((m["To"], str(m["Subject"])) for m in smtp.messages)
    assert len(subjects) == 4
    assert subjects[0][0] == held[0].email and subjects[0][1].startswith(("Kom je", "Herinnering"))
    english = [s for to, s in subjects if to == held[1].email]
    assert all(s.startswith(("Will you", "Reminder")) for s in english), english


def test_the_link_is_single_use_and_no_gives_the_place_to_the_waiting_list(app):
    _venue_with_waiting_list(1, 1)
    _window()
    reconfirm(utcnow())
    path = LINK.findall(mails("reconfirm")[0].body_text)
    no = next(p for p in path if p.endswith("nee"))
    client = app.test_client()
    page = client.get(no)
    assert page.status_code == 200 and "Ja, geef mijn plaats vrij" in page.text
    assert client.post(no.split("?")[0], data={"antwoord": "nee"}).status_code == 200
    db.session.rollback()
    assert conference().onsite_taken == 1
    assert waiting() == []  # the waiting person got the offer at once
    assert client.get(no).status_code == 410
    assert client.post(no.split("?")[0], data={"antwoord": "ja"}).status_code == 410
    assert_counters_match()


def test_api_answer_and_me(app):
    reg = register(1, venue="waitlist")
    _window()
    client = app.test_client()
    headers = bearer(token_for(reg))
    assert client.get("/api/v1/me", headers=headers).json["reconfirmed_at"] is None
    answer_ = client.post("/api/v1/me/reconfirm", json={"attending": True}, headers=headers)
    assert answer_.status_code == 200 and answer_.json["answer"] == "yes"
    assert client.get("/api/v1/me", headers=headers).json["reconfirmed_at"]
    bad = client.post("/api/v1/me/reconfirm", json={"attending": "ja"}, headers=headers)
    assert bad.status_code == 422 and "attending" in bad.json["fields"]


def test_unanswered_places_are_released_after_the_deadline_once(app):
    held, _extra = _venue_with_waiting_list(2, 2)
    conf = _window(release=True)
    reconfirm(utcnow())
    answer(held[0].id, True)
    after = conf.reconfirm_closes_at + timedelta(minutes=1)
    assert reconfirm(after)["released"] == 1
    assert reconfirm(after)["released"] == 0
    assert len(mails("reconfirm_released")) == 1
    assert len(waiting()) == 1
    assert_counters_match()


def test_a_no_racing_waiting_list_promotions_loses_or_doubles_nothing(any_db_app):
    held, _extra = _venue_with_waiting_list(8, 12)
    _window()

    def run(job):
        with any_db_app.app_context():
            try:
                return job()
            finally:
                db.session.remove()

    jobs = [lambda r=r: answer(r.id, False) for r in held[:4]]
    jobs += [lambda r=r: cancel_registration(r.id) for r in held[4:]]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(run, jobs))
    db.session.rollback()
    conf = assert_counters_match()
    assert conf.onsite_taken == 8
    assert len(waiting()) == 4


def test_a_no_gets_one_short_mail_in_the_persons_language(app, smtp):
    set_venue(onsite_capacity=2)
    dutch, english = register(1, venue="waitlist"), register(2, venue="waitlist", language="en")
    _window()
    reconfirm(utcnow())
    deliver_due()
    smtp.messages.clear()
    answer(dutch.id, False)
    answer(english.id, False)
    deliver_due()
    assert len(mails("reconfirm_declined")) == 2
    got = {m["To"]: m for m in smtp.messages}
    assert str(got[dutch.email]["Subject"]).startswith("Je plaats ter plaatse is vrijgegeven")
    assert str(got[english.email]["Subject"]).startswith("Your on-site place")
    body = got[english.email].get_body(("plain",)).get_content()
    assert "follow the conference online" in body
    # A second "no" is refused (no place any more): no second mail.
    with pytest.raises(NoPlaceToConfirm):
        answer(dutch.id, False)
    assert len(mails("reconfirm_declined")) == 2
    assert_counters_match()
