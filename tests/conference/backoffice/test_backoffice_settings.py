"""Conference settings: the back-office page and `PATCH /api/v1/conference` share one rule set."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from conference.extensions import db
from conference.models import AuditEntry, Conference
from tests.factories import conference
from tests.helpers import bearer, login


def _form(client) -> dict[str, str]:
    """Every field of the settings form as the browser would send it unchanged."""
    html = client.get("/beheer/instellingen").get_data(as_text=True)
    data: dict[str, str] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        data.setdefault(name, value)
    for name in re.findall(r'<input[^>]*name="([^"]+)"', html):
        data.setdefault(name, "")
    select_match = re.search(
        r'name="allocation_mode".*?<option selected value="([^"]+)"', html, re.S
    )
    data["allocation_mode"] = select_match.group(1) if select_match else "preferences"
    return data


def test_the_api_sets_quota_release_and_the_timings(app, client, tokens):
    answer = client.patch(
        "/api/v1/conference",
        json={
            "quota_release_at": "2022-04-20T12:00:00+02:00",
            "no_show_release_minutes": 20,
            "seat_offer_hours": 12,
        },
        headers=bearer(tokens["organiser"]),
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["quota_release_at"] == "2022-04-20T12:00:00+02:00"
    assert body["no_show_release_minutes"] == 20
    assert body["seat_offer_hours"] == 12
    conf = conference()
    assert conf.quota_release_at == datetime(2022, 4, 20, 10, 0, tzinfo=UTC)
    assert conf.setting("no_show_release_minutes") == 20
    assert conf.setting("venue_offer_hours") == Conference.DEFAULT_SETTINGS["venue_offer_hours"]
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "conference.update"
    assert entry.after["no_show_release_minutes"] == 20
    # null switches the no-show release off again; a required timing cannot be switched off.
    answer = client.patch(
        "/api/v1/conference",
        json={"no_show_release_minutes": None, "quota_release_at": None},
        headers=bearer(tokens["organiser"]),
    )
    assert answer.status_code == 200
    assert conference().setting("no_show_release_minutes") is None
    assert conference().quota_release_at is None


def test_the_api_refuses_bad_timings_and_keeps_what_was_stored(app, client, tokens):
    before = dict(conference().settings or {})
    for body in (
        {"seat_offer_hours": None},
        {"seat_offer_hours": 0},
        {"no_show_release_minutes": True},
        {"reminder_hours_before": "24"},
        {"join_link_lead_minutes": 121, "seat_offer_hours": 5},
        {"quota_release_at": "morgen"},
    ):
        answer = client.patch("/api/v1/conference", json=body, headers=bearer(tokens["organiser"]))
        assert answer.status_code == 422, body
        assert answer.get_json()["error"] == "invalid"
        assert set(answer.get_json()["fields"]) & set(body)
    assert dict(conference().settings or {}) == before


def test_the_settings_page_is_for_organisers_only(app, client, tokens):
    assert client.get("/beheer/instellingen").status_code in (302, 401)
    login(client, "checkin")
    assert client.get("/beheer/instellingen").status_code == 403


def test_the_settings_page_saves_local_times_and_keeps_what_it_does_not_touch(app, client, tokens):
    conf = conference()
    conf.profile_quotas = {"practitioner": 0.125}
    db.session.commit()
    login(client)
    page = client.get("/beheer/instellingen")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Instellingen" in html and 'name="onsite_capacity"' in html
    data = _form(client)
    data.update(
        onsite_capacity="750",
        quota_release_at="2022-04-25T18:30",
        no_show_release_minutes="15",
        reason="Grotere zaal",
    )
    answer = client.post("/beheer/instellingen", data=data)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    conf = conference()
    assert conf.onsite_capacity == 750
    # 18:30 on the wall clock in Brussels (summer time) is 16:30 UTC.
    assert conf.quota_release_at == datetime(2022, 4, 25, 16, 30, tzinfo=UTC)
    assert conf.setting("no_show_release_minutes") == 15
    # 13 % shown, unchanged: the finer stored share stays.
    assert conf.profile_quotas == {"practitioner": 0.125}
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.reason == "Grotere zaal"


def test_the_settings_page_explains_errors_in_dutch_and_changes_nothing(app, client, tokens):
    conf = conference()
    conf.onsite_taken = 40
    db.session.commit()
    before = (conf.onsite_capacity, conf.registration_closes_at, dict(conf.settings or {}))
    login(client)
    data = _form(client)
    data.update(onsite_capacity="10", quota_practitioner="70", quota_student="50")
    answer = client.post("/beheer/instellingen", data=data)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "de aandelen samen zijn meer dan 1" in html
    data.update(quota_student="", registration_closes_at="2022-01-01T10:00")
    answer = client.post("/beheer/instellingen", data=data)
    assert answer.status_code == 422
    assert "moet na de opening van de inschrijvingen liggen" in answer.get_data(as_text=True)
    data.update(registration_closes_at=_form(client)["registration_closes_at"])
    answer = client.post("/beheer/instellingen", data=data)
    assert answer.status_code == 422
    assert "Er zijn al meer plaatsen ingenomen dan die capaciteit." in answer.get_data(as_text=True)
    conf = conference()
    assert (conf.onsite_capacity, conf.registration_closes_at, dict(conf.settings or {})) == before


def test_times_with_seconds_are_taken_and_nonsense_is_explained(app, client, tokens):
    login(client)
    data = _form(client)
    data.update(quota_release_at="2022-04-25T18:30:15")
    assert client.post("/beheer/instellingen", data=data).status_code == 302
    assert conference().quota_release_at == datetime(2022, 4, 25, 16, 30, 15, tzinfo=UTC)
    data.update(quota_release_at="morgen")
    answer = client.post("/beheer/instellingen", data=data)
    assert answer.status_code == 422
    assert 'id="quota_release_at-error"' in answer.get_data(as_text=True)
    assert conference().quota_release_at == datetime(2022, 4, 25, 16, 30, 15, tzinfo=UTC)
