"""The reconfirmation in the back office: unconfirmed places flagged on the people screens,
and the dashboard's answers per day."""

from __future__ import annotations

from datetime import timedelta

from conference.clock import utcnow
from registration.reconfirm.jobs import reconfirm
from registration.reconfirm.services import answer, figures
from tests.factories import register, set_venue
from tests.helpers import assert_counters_match, login


def _closed_window(release: bool):
    """Asked from two days ago; the tests run the closing job just after the deadline."""
    now = utcnow()
    conf = set_venue(
        onsite_capacity=4,
        reconfirm_opens_at=now - timedelta(days=2),
        reconfirm_closes_at=now + timedelta(hours=1),
        reconfirm_release=release,
    )
    return conf


def test_without_release_unanswered_places_are_flagged_on_the_people_screens(app, tokens):
    people = [register(i, venue="waitlist", last_name=f"Naam{i}") for i in range(3)]
    conf = _closed_window(release=False)
    reconfirm(conf.reconfirm_opens_at)
    answer(people[0].id, True, now=conf.reconfirm_opens_at + timedelta(hours=1))
    assert reconfirm(conf.reconfirm_closes_at + timedelta(minutes=1))["released"] == 0
    conf = assert_counters_match()
    assert conf.onsite_taken == 3  # flagged places are kept
    client = app.test_client()
    login(client)
    listed = client.get("/beheer/deelnemers")
    assert listed.status_code == 200 and "Bevestiging van komst" in listed.text
    assert listed.text.count("niet bevestigd</strong>") == 2
    only = client.get("/beheer/deelnemers?reconfirm=unconfirmed")
    assert "2 personen gevonden" in only.text
    assert "Naam1" in only.text and "Naam2" in only.text and "Naam0" not in only.text
    page = client.get(f"/beheer/deelnemers/{people[1].id}")
    assert "niet bevestigd</strong>" in page.text and "de plaats is niet vrijgegeven" in page.text
    assert "komt zeker" in client.get(f"/beheer/deelnemers/{people[0].id}").text
    dashboard = client.get("/beheer")
    assert "/beheer/deelnemers?reconfirm=unconfirmed" in dashboard.text


def test_with_release_nobody_is_flagged(app, tokens):
    people = [register(i, venue="waitlist") for i in range(2)]
    conf = _closed_window(release=True)
    reconfirm(conf.reconfirm_opens_at)
    assert reconfirm(conf.reconfirm_closes_at + timedelta(minutes=1))["released"] == 2
    client = app.test_client()
    login(client)
    assert "0 personen gevonden" in client.get("/beheer/deelnemers?reconfirm=unconfirmed").text
    page = client.get(f"/beheer/deelnemers/{people[0].id}").text
    assert "geen antwoord: plaats vrijgegeven" in page
    assert_counters_match()


def test_the_dashboard_shows_answers_per_day(app, tokens):
    people = [register(i, venue="waitlist") for i in range(4)]
    conf = _closed_window(release=True)
    opens = conf.reconfirm_opens_at
    reconfirm(opens)
    answer(people[0].id, True, now=opens + timedelta(minutes=5))
    answer(people[1].id, False, now=opens + timedelta(days=1, minutes=5))
    answer(people[2].id, True, now=opens + timedelta(days=1, minutes=10))
    result = figures(conf.id)
    assert (result["yes"], result["no"], result["open"]) == (2, 1, 1)
    days = result["days"]
    assert len(days) == 3  # from two days ago up to today
    assert sum(d["yes"] for d in days) == 2 and sum(d["no"] for d in days) == 1
    assert days[-1]["open"] == 1 and days[0]["open"] >= 2
    client = app.test_client()
    login(client)
    page = client.get("/beheer")
    assert "Antwoorden per dag" in page.text and "Nog geen antwoord (einde van de dag)" in page.text
