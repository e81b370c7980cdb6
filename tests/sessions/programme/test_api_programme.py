"""GET /api/v1/programme and the organiser PATCH endpoints, as API.md fixes them."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from conference.extensions import db
from conference.models import Conference
from sessions.programme.models import KINDS, Activity
from tests.helpers import bearer

CONFERENCE_FIELDS = {
    "slug", "name", "starts_at", "ends_at", "timezone", "venue", "registration_opens_at",
    "registration_closes_at", "onsite_capacity", "onsite_taken", "allocation_mode",
}  # fmt: skip
ACTIVITY_FIELDS = {
    "id", "slug", "kind", "title", "theme_id", "block_ids", "starts_at", "ends_at", "mode",
    "capacity", "taken", "waitlist", "location",
}  # fmt: skip


def test_programme_matches_the_contract(client):
    body = client.get("/api/v1/programme").get_json()
    assert body["conference"].keys() >= CONFERENCE_FIELDS
    assert body["conference"]["allocation_mode"] in ("preferences", "fcfs")
    assert body["conference"]["timezone"] == "Europe/Brussels"
    assert all({"id", "slug", "name"} <= t.keys() for t in body["themes"])
    assert all({"id", "slug", "name", "starts_at", "ends_at"} <= b.keys() for b in body["blocks"])
    for act in body["activities"]:
        assert act.keys() >= ACTIVITY_FIELDS
        assert act["kind"] in KINDS
        assert act["mode"] in ("onsite", "online", "hybrid")
        assert datetime.fromisoformat(act["starts_at"]).utcoffset() is not None
    block_ids = {b["id"] for b in body["blocks"]}
    workshops = [a for a in body["activities"] if a["kind"] == "workshop"]
    assert len(workshops) == 18 and all(set(a["block_ids"]) <= block_ids for a in workshops)


def test_times_are_local_with_offset(client):
    body = client.get("/api/v1/programme").get_json()
    opening = next(a for a in body["activities"] if a["slug"] == "plenaire-opening")
    assert opening["starts_at"][11:16] == "09:30"


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("patch", "/api/v1/conference", {"onsite_capacity": 1000}),
        ("patch", "/api/v1/activities/1", {"capacity": 10}),
    ],
)
def test_organiser_endpoints_refuse_anonymous_and_wrong_roles(
    client, tokens, method, path, payload
):
    response = getattr(client, method)(path, json=payload)
    assert response.status_code == 401 and response.get_json()["error"] == "unauthenticated"
    response = getattr(client, method)(path, json=payload, headers=bearer("not-a-token"))
    assert response.status_code == 401
    for role in ("checkin", "moderator"):
        response = getattr(client, method)(path, json=payload, headers=bearer(tokens[role]))
        assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    response = getattr(client, method)(path, json=payload, headers=bearer(tokens["organiser"]))
    assert response.status_code == 200


def test_patch_conference_validates_and_refuses_a_cap_below_the_places_taken(client, tokens, app):
    auth = bearer(tokens["organiser"])
    response = client.patch(
        "/api/v1/conference", json={"onsite_capacity": -1, "colour": "red"}, headers=auth
    )
    assert response.status_code == 422
    assert {"onsite_capacity", "colour"} <= response.get_json()["fields"].keys()

    conf = db.session.scalar(select(Conference))
    conf.onsite_taken = 50
    db.session.commit()
    response = client.patch("/api/v1/conference", json={"onsite_capacity": 40}, headers=auth)
    assert response.status_code == 409 and response.get_json()["error"] == "below_taken"
    response = client.patch(
        "/api/v1/conference",
        json={
            "onsite_capacity": 50,
            "profile_quotas": {"practitioner": 0.6},
            "allocation_mode": "fcfs",
        },
        headers=auth,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["onsite_capacity"] == 50 and body["allocation_mode"] == "fcfs"
    assert body["profile_quotas"] == {"practitioner": 0.6}


def test_patch_activity_changes_and_bumps_the_sequence(client, tokens):
    act = db.session.scalar(select(Activity).filter_by(slug="ws-diversiteit-1"))
    auth = bearer(tokens["organiser"])
    response = client.patch(
        f"/api/v1/activities/{act.id}",
        json={
            "location": "Zaal 9",
            "starts_at": "2030-05-05T10:50:00+02:00",
            "ends_at": "2030-05-05T12:20:00+02:00",
        },
        headers=auth,
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["location"] == "Zaal 9" and body["starts_at"] == "2030-05-05T10:50:00+02:00"
    db.session.rollback()
    assert db.session.get(Activity, act.id).sequence == 1


def test_patch_activity_refuses_below_taken_and_bad_input(client, tokens):
    act = db.session.scalar(select(Activity).filter_by(slug="ws-diversiteit-1"))
    act.taken = 30
    db.session.commit()
    auth = bearer(tokens["organiser"])
    response = client.patch(f"/api/v1/activities/{act.id}", json={"capacity": 20}, headers=auth)
    assert response.status_code == 409 and response.get_json()["error"] == "below_taken"
    response = client.patch(
        f"/api/v1/activities/{act.id}", json={"starts_at": "tomorrow"}, headers=auth
    )
    assert response.status_code == 422 and "starts_at" in response.get_json()["fields"]
    response = client.patch(f"/api/v1/activities/{act.id}", data="not json", headers=auth)
    assert response.status_code == 422
    response = client.patch("/api/v1/activities/999999", json={"capacity": 20}, headers=auth)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    capacity = act.capacity
    db.session.rollback()
    assert db.session.get(Activity, act.id).capacity == capacity


def test_errors_answer_in_the_requested_language(client, tokens):
    auth = bearer(tokens["organiser"])
    nl = client.patch(
        "/api/v1/conference", json={"onsite_capacity": "veel"}, headers=auth
    ).get_json()
    en = client.patch(
        "/api/v1/conference",
        json={"onsite_capacity": "many"},
        headers={**auth, "Accept-Language": "en"},
    ).get_json()
    assert nl["message"] != en["message"]
    assert "velden" in nl["message"] and "fields" in en["message"]


def test_cookie_authenticated_api_calls_need_a_csrf_token(app, tokens):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/beheer/login")
    assert page.status_code == 200
    import re

    token = (
        re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data).group(1).decode()
    )
    login = client.post(
        "/beheer/login",
        data={
            "email": "organiser@example.org",
            "password": "wachtwoord-organiser",
            "csrf_token": token,
        },
    )
    assert login.status_code == 302
    refused = client.patch("/api/v1/conference", json={"onsite_capacity": 1100})
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"
    accepted = client.patch(
        "/api/v1/conference", json={"onsite_capacity": 1100}, headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 200
