"""Streams: who gets which link when (the access matrix), status from the timetable and the
override, organisers' stream settings, the pages, and the join-link notices."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from conference.clock import utcnow
from conference.extensions import db
from conference.models import MailMessage, User
from sessions.programme.models import Activity
from streaming import jobs
from streaming.access import Viewer
from streaming.hooks import watch_url_for_agenda
from streaming.models import StreamPresence, StreamSettings
from streaming.services import stream_state
from streaming.sources import detect_source
from tests.factories import activity_of_kind, attendee, give_seat, token_for
from tests.helpers import at, bearer, login

JOIN_URL = "https://video.example.org/room/ow-geheim-8f3a"
HLS_URL = "https://cdn.example.org/live/plenair/index.m3u8"
YOUTUBE_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


@pytest.fixture
def setup(app, tokens):
    """An online workshop with a video room, a stream with a YouTube link, and people."""
    ow = activity_of_kind("online_workshop")
    stream = activity_of_kind("stream")
    ow.join_url = JOIN_URL
    stream.stream_url = YOUTUBE_URL
    db.session.commit()
    people = {
        "online_seat": attendee("online"),
        "online_no_seat": attendee("online"),
        "onsite_no_seat": attendee("onsite"),
        "canceled": attendee("online", status="canceled"),
    }
    give_seat(people["online_seat"], ow)
    give_seat(people["canceled"], ow)
    return {"ow": ow, "stream": stream, "people": people, "tokens": tokens}


def _items(client, headers=None):
    response = client.get("/api/v1/streams", headers=headers or {})
    assert response.status_code == 200
    return {item["activity_id"]: item for item in response.get_json()}


# (who, minutes before the online workshop's start, embed link?, join link?)
MATRIX = [
    ("anonymous", 60, False, False),
    ("anonymous", 5, False, False),
    ("canceled", 5, False, False),
    ("online_no_seat", 60, True, False),
    ("online_no_seat", 5, True, False),
    ("onsite_no_seat", 5, True, False),
    ("online_seat", 16, True, False),  # one minute before the link is released
    ("online_seat", 15, True, True),  # the moment itself: join_link_lead_minutes = 15
    ("online_seat", 5, True, True),
    ("online_seat", -30, True, True),  # during the workshop
    ("moderator", 60, True, True),  # staff see the room to help out
]


@pytest.mark.parametrize(("who", "before", "embed", "join"), MATRIX)
def test_access_matrix_of_stream_and_join_links(app, client, setup, who, before, embed, join):
    ow, stream = setup["ow"], setup["stream"]
    user = None
    if who in setup["people"]:
        user = setup["people"][who].user
    elif who == "moderator":
        user = db.session.scalar(select(User).filter_by(email="moderator@example.org"))
    with time_machine.travel(at(ow, -before), tick=False):
        if user is not None:
            login(client, user)  # the session cookie is signed at the travelled moment
        items = _items(client)
    assert ("embed_url" in items[stream.id]) is embed
    assert ("join_url" in items[ow.id]) is join
    if embed:
        assert items[stream.id]["embed_url"].startswith("https://www.youtube-nocookie.com/embed/")
    if join:
        assert items[ow.id]["join_url"] == JOIN_URL
    # The same rule decides the join button: the raw room link never appears in HTML.
    with time_machine.travel(at(ow, -before), tick=False):
        page = client.get(f"/online/kijk/{ow.id}/deelnemen")
    if who == "canceled":
        assert page.status_code == 403  # logged in, but no active registration
        return
    assert page.status_code == 302
    if join:
        assert page.headers["Location"] == JOIN_URL
    else:
        assert JOIN_URL not in page.headers["Location"]


def test_bearer_token_gets_the_same_links_as_the_browser(app, setup):
    client = app.test_client()
    ow = setup["ow"]
    raw = token_for(setup["people"]["online_seat"].user)
    with time_machine.travel(at(ow, -5), tick=False):
        items = _items(client, bearer(raw))
    assert items[ow.id]["join_url"] == JOIN_URL
    assert "embed_url" in items[setup["stream"].id]
    # A check-in volunteer is staff but not a viewer: no links.
    items = _items(client, bearer(setup["tokens"]["checkin"]))
    assert "embed_url" not in items[setup["stream"].id]


def test_stream_list_holds_streams_plenaries_radio_and_online_workshops(app, client):
    kinds = {item["kind"] for item in _items(client).values()}
    assert kinds == {"stream", "plenary", "radio", "online_workshop"}
    counts = {}
    for item in _items(client).values():
        counts[item["kind"]] = counts.get(item["kind"], 0) + 1
    assert counts == {"stream": 6, "plenary": 2, "radio": 1, "online_workshop": 3}


def test_pages_for_anonymous_people_hold_no_links(app, client, setup):
    stream, ow = setup["stream"], setup["ow"]
    with time_machine.travel(at(ow, -5), tick=False):
        for path in ("/online", "/programma", f"/programma/{stream.slug}", f"/programma/{ow.slug}"):
            html = client.get(path).get_data(as_text=True)
            assert "dQw4w9WgXcQ" not in html, path
            assert "video.example.org" not in html, path
        watch = client.get(f"/online/kijk/{stream.id}")
    assert watch.status_code == 302  # to the login page


def test_watch_page_of_a_registered_attendee_has_the_player_and_no_raw_room_link(
    app, client, setup
):
    stream, ow = setup["stream"], setup["ow"]
    login(client, setup["people"]["online_seat"].user)
    html = client.get(f"/online/kijk/{stream.id}").get_data(as_text=True)
    # Issue 19: first a still with a play button; the player from YouTube only after a tap.
    assert "<iframe" not in html and "data-player-start" in html and "Start de stream" in html
    html = client.get(f"/online/kijk/{stream.id}?speler=1").get_data(as_text=True)
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?' in html
    assert "<iframe" in html and 'title="Speler: ' in html
    with time_machine.travel(at(ow, -5), tick=False):
        login(client, setup["people"]["online_seat"].user)
        html = client.get(f"/online/kijk/{ow.id}").get_data(as_text=True)
    assert f"/online/kijk/{ow.id}/deelnemen" in html
    assert JOIN_URL not in html
    with time_machine.travel(at(ow, -60), tick=False):
        login(client, setup["people"]["online_seat"].user)
        html = client.get(f"/online/kijk/{ow.id}").get_data(as_text=True)
    assert "verschijnt hier vanaf" in html and "/deelnemen" not in html


def test_logged_in_without_registration_is_refused_the_watch_page(app, client, setup):
    login(client, setup["people"]["canceled"].user)
    assert client.get(f"/online/kijk/{setup['stream'].id}").status_code == 403


def test_join_through_the_page_is_remembered(app, client, setup):
    ow = setup["ow"]
    person = setup["people"]["online_seat"]
    with time_machine.travel(at(ow, -2), tick=False):
        login(client, person.user)
        assert client.get(f"/online/kijk/{ow.id}/deelnemen").headers["Location"] == JOIN_URL
    db.session.rollback()
    row = db.session.scalar(select(StreamPresence).filter_by(registration_id=person.id))
    assert row.joined_at is not None and row.attended_seconds == 0


# -- status ----------------------------------------------------------------------------------


def test_status_follows_the_timetable(app, client):
    stream = activity_of_kind("stream")
    expected = [(-1, "upcoming"), (0, "live"), (45, "live"), (89.9, "live"), (90, "ended")]
    for minutes, status in expected:
        assert stream_state(stream, None, at(stream, minutes)).status == status
        with time_machine.travel(at(stream, minutes), tick=False):
            body = client.get(f"/api/v1/streams/{stream.id}/status").get_json()
        assert body["status"] == status and body["override"] is None


def test_override_wins_and_every_viewer_sees_it_on_the_next_poll(app, client, setup):
    stream = setup["stream"]
    tokens = setup["tokens"]
    staff = app.test_client()
    url = f"/api/v1/streams/{stream.id}/status"
    with time_machine.travel(at(stream, -10), tick=False):
        assert client.get(url).get_json()["status"] == "upcoming"
        response = staff.post(url, json={"override": "live"}, headers=bearer(tokens["organiser"]))
        assert response.status_code == 200
        assert response.get_json()["override_by"] == "organiser@example.org"
        live = client.get(url)
        assert live.get_json()["status"] == "live"
        assert live.headers["Cache-Control"] == "public, max-age=5"
    with time_machine.travel(at(stream, 5), tick=False):
        staff.post(url, json={"override": "delayed"}, headers=bearer(tokens["moderator"]))
        body = client.get(url).get_json()
        assert (body["status"], body["delayed"], body["override"]) == ("upcoming", True, "delayed")
        assert _items(client)[stream.id]["delayed"] is True
        staff.post(url, json={"override": "ended"}, headers=bearer(tokens["moderator"]))
        assert client.get(url).get_json()["status"] == "ended"
        staff.post(url, json={"override": None}, headers=bearer(tokens["organiser"]))
        assert client.get(url).get_json()["status"] == "live"
    db.session.rollback()
    settings = db.session.get(StreamSettings, stream.id)
    assert settings.status_override is None and settings.override_at is not None


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 401), ("attendee", 403), ("checkin", 403)]
)
def test_only_organisers_and_moderators_override(app, setup, who, status):
    client = app.test_client()
    headers = {}
    if who == "attendee":
        headers = bearer(token_for(setup["people"]["online_seat"].user))
    elif who == "checkin":
        headers = bearer(setup["tokens"]["checkin"])
    url = f"/api/v1/streams/{setup['stream'].id}/status"
    assert client.post(url, json={"override": "live"}, headers=headers).status_code == status


def test_override_rejects_unknown_words(app, setup):
    client = app.test_client()
    url = f"/api/v1/streams/{setup['stream'].id}/status"
    headers = bearer(setup["tokens"]["organiser"])
    response = client.post(url, json={"override": "paused"}, headers=headers)
    assert response.status_code == 422 and "override" in response.get_json()["fields"]
    assert client.post(url, json={}, headers=headers).status_code == 422


def test_moderator_page_sets_the_status_with_a_form(app, client, setup):
    stream = setup["stream"]
    login(client, db.session.scalar(select(User).filter_by(email="moderator@example.org")))
    page = client.get(f"/online/moderatie/{stream.id}")
    assert page.status_code == 200 and "Status voor kijkers" in page.get_data(as_text=True)
    response = client.post(f"/online/moderatie/{stream.id}/status", data={"override": "delayed"})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(StreamSettings, stream.id).status_override == "delayed"


# -- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "provider", "source"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://www.youtube.com/live/abcDEF12345", "youtube", "abcDEF12345"),
        ("https://vimeo.com/123456789", "vimeo", "123456789"),
        ("https://vimeo.com/event/4242", "vimeo", "event/4242"),
        ("https://cdn.example.org/a/index.m3u8", "hls", "https://cdn.example.org/a/index.m3u8"),
        ("https://radio.example.org/live.mp3", "audio", "https://radio.example.org/live.mp3"),
        ("https://stream.example.org/player/7", "embed", "https://stream.example.org/player/7"),
    ],
)
def test_provider_is_derived_from_a_pasted_link(url, provider, source):
    assert detect_source(url) == (provider, source)


def test_radio_without_a_known_suffix_is_audio():
    assert detect_source("https://icecast.example.org/swc", "radio")[0] == "audio"


def test_organiser_sets_a_stream_and_viewers_get_the_privacy_enhanced_player(app, setup):
    organiser = app.test_client()
    viewer = app.test_client()
    login(viewer, setup["people"]["online_no_seat"].user)
    plenary = activity_of_kind("plenary")
    url = f"/api/v1/streams/{plenary.id}"
    headers = bearer(setup["tokens"]["organiser"])
    body = organiser.patch(
        url,
        json={
            "source": "https://vimeo.com/76979871",
            "has_captions": True,
            "description": "Opening met de voorzitter.",
            "replay_source": HLS_URL,
        },
        headers=headers,
    ).get_json()
    assert (body["provider"], body["source"], body["replay_provider"]) == (
        "vimeo",
        "76979871",
        "hls",
    )
    item = viewer.get(url).get_json()
    assert item["embed_url"].startswith("https://player.vimeo.com/video/76979871?dnt=1")
    assert "texttrack=nl" in item["embed_url"] and item["captions"] is True
    assert item["description"] == "Opening met de voorzitter."
    with time_machine.travel(at(plenary, 61), tick=False):
        login(viewer, setup["people"]["online_no_seat"].user)
        ended = viewer.get(url).get_json()
    assert (ended["status"], ended["provider"], ended["embed_url"]) == ("ended", "hls", HLS_URL)


def test_stream_url_set_through_the_programme_api_is_used_when_no_settings_exist(app, setup):
    client = app.test_client()
    stream = activity_of_kind("stream", 3)
    headers = bearer(setup["tokens"]["organiser"])
    response = client.patch(
        f"/api/v1/activities/{stream.id}", json={"stream_url": HLS_URL}, headers=headers
    )
    assert response.status_code == 200
    login(client, setup["people"]["online_no_seat"].user)
    item = client.get(f"/api/v1/streams/{stream.id}").get_json()
    assert (item["provider"], item["embed_url"]) == ("hls", HLS_URL)
    html = client.get(f"/online/kijk/{stream.id}").get_data(as_text=True)
    assert f'<source src="{HLS_URL}" type="application/vnd.apple.mpegurl">' in html
    assert "vendor/hls/hls.light.min.js" in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"provider": "youtube", "source": "not a video id!"}, "source"),
        ({"provider": "hls", "source": "ftp://cdn.example.org/x.m3u8"}, "source"),
        ({"provider": "flash", "source": "https://example.org/x"}, "provider"),
        ({"has_captions": "yes"}, "has_captions"),
        ({"captions_url": "javascript:alert(1)"}, "captions_url"),
        ({"description": "x" * 2001}, "description"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_settings_are_refused_field_by_field(app, setup, data, field):
    client = app.test_client()
    url = f"/api/v1/streams/{activity_of_kind('stream').id}"
    response = client.patch(url, json=data, headers=bearer(setup["tokens"]["organiser"]))
    assert response.status_code == 422
    assert field in response.get_json()["fields"]


def test_settings_are_for_organisers_only(app, setup):
    client = app.test_client()
    url = f"/api/v1/streams/{activity_of_kind('stream').id}"
    response = client.patch(
        url, json={"source": HLS_URL}, headers=bearer(setup["tokens"]["moderator"])
    )
    assert response.status_code == 403


def test_settings_form_for_organisers(app, client, setup):
    stream = activity_of_kind("stream", 1)
    login(client, db.session.scalar(select(User).filter_by(email="organiser@example.org")))
    assert client.get("/online/beheer").status_code == 200
    response = client.post(
        f"/online/beheer/{stream.id}",
        data={
            "provider": "",
            "source": "https://youtu.be/dQw4w9WgXcQ",
            "replay_provider": "",
            "description": "Tekst",
            "has_captions": "y",
        },
    )
    assert response.status_code == 302
    db.session.rollback()
    settings = db.session.get(StreamSettings, stream.id)
    assert (settings.provider, settings.source, settings.has_captions) == (
        "youtube",
        "dQw4w9WgXcQ",
        True,
    )
    bad = client.post(
        f"/online/beheer/{stream.id}",
        data={"provider": "youtube", "source": "!!", "replay_provider": ""},
    )
    assert bad.status_code == 422 and "geen geldige video-id" in bad.get_data(as_text=True)


# -- pages -----------------------------------------------------------------------------------


def test_now_page_shows_live_and_next_with_the_radio_one_tap_away(app, client, setup):
    radio = activity_of_kind("radio")
    radio.stream_url = "https://radio.example.org/swc.mp3"
    db.session.commit()
    stream = setup["stream"]
    with time_machine.travel(at(stream, 10), tick=False):
        login(client, setup["people"]["online_no_seat"].user)
        html = client.get("/online").get_data(as_text=True)
    live_part = html.split("<h2>Nu live</h2>")[1].split("<h2>")[0]
    assert stream.title in live_part and "Radio Sociaal Werk" in live_part
    assert (
        '<audio class="radio-audio" controls preload="none" src="https://radio.example.org/swc.mp3"'
        in html
    )
    assert f"/online/kijk/{stream.id}" in html
    # Anonymous: the titles and times, not the player.
    anonymous = app.test_client().get("/online").get_data(as_text=True)
    assert "radio.example.org" not in anonymous
    assert "voor wie ingeschreven is" in anonymous
    assert client.get("/online/radio").headers["Location"].endswith(f"/online/kijk/{radio.id}")


def test_watch_page_of_an_unconfigured_stream_says_so(app, client, setup):
    login(client, setup["people"]["online_no_seat"].user)
    html = client.get(f"/online/kijk/{activity_of_kind('stream', 5).id}").get_data(as_text=True)
    assert "De stream is nog niet ingesteld" in html


def test_text_alternative_and_captions_note(app, client, setup):
    stream = setup["stream"]
    db.session.add(
        StreamSettings(
            activity_id=stream.id,
            description="Een gesprek met drie sociaal werkers.",
            has_captions=True,
        )
    )
    db.session.commit()
    login(client, setup["people"]["online_no_seat"].user)
    html = client.get(f"/online/kijk/{stream.id}").get_data(as_text=True)
    assert "Een gesprek met drie sociaal werkers." in html
    assert "Deze stream heeft ondertitels" in html
    assert "cc_load_policy=1" in html


def test_unknown_or_offline_activities_are_404(app, client, setup):
    login(client, setup["people"]["online_no_seat"].user)
    workshop = activity_of_kind("workshop")
    assert client.get(f"/online/kijk/{workshop.id}").status_code == 404
    assert client.get("/online/kijk/999999").status_code == 404
    assert client.get("/api/v1/streams/999999").status_code == 404


# -- jobs ------------------------------------------------------------------------------------


def test_join_link_notice_is_mailed_once_when_the_link_is_released(app, setup):
    ow = setup["ow"]
    with time_machine.travel(at(ow, -20), tick=False):
        assert jobs.stream_status_notices()["join_link_mails"] == 0
    result = jobs.stream_status_notices(at(ow, -14))
    assert result == {"join_link_mails": 1, "workshops": 1, "stale_live_overrides": []}
    assert jobs.stream_status_notices(at(ow, -10))["join_link_mails"] == 0  # never twice
    mails = db.session.scalars(select(MailMessage).filter_by(kind="join_link")).all()
    assert [m.to_address for m in mails] == [setup["people"]["online_seat"].email]
    assert f"/online/kijk/{ow.id}" in mails[0].body_text
    assert JOIN_URL not in mails[0].body_text  # the mail leads to the page, which checks the seat


def test_stale_live_override_is_reported(app, setup):
    stream = setup["stream"]
    db.session.add(
        StreamSettings(activity_id=stream.id, status_override="live", override_at=utcnow())
    )
    db.session.commit()
    assert jobs.stream_status_notices(stream.ends_at + timedelta(hours=1))[
        "stale_live_overrides"
    ] == [stream.id]


def test_viewer_dataclass_rules():
    viewer = Viewer(user=None, registration=None)
    assert not viewer.may_watch and not viewer.has_seat(1)
    assert Viewer(user=None, registration=None, staff=True).may_watch


def test_activity_kinds_used_by_the_demo_exist(app):
    kinds = set(db.session.scalars(select(Activity.kind)))
    assert {"stream", "plenary", "radio", "online_workshop", "workshop"} <= kinds


def test_follow_a_stream_from_its_watch_page_and_the_agenda_links_here(app, client, setup):
    stream = setup["stream"]
    login(client, setup["people"]["online_no_seat"].user)
    page = f"/online/kijk/{stream.id}"
    assert "Volg deze stream in je agenda" in client.get(page).get_data(as_text=True)
    response = client.post(
        f"/programma/{stream.slug}/volgen", data={"action": "follow", "next": page}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    assert "Niet meer volgen" in client.get(page).get_data(as_text=True)
    assert watch_url_for_agenda(stream).endswith(page)
    assert watch_url_for_agenda(activity_of_kind("workshop")) is None
