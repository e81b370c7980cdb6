"""The audit log: before/after of conference and activity changes, the page, filters, exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from conference.extensions import db
from conference.models import Conference
from sessions.programme.models import Activity
from tests.factories import activity, staff
from tests.helpers import audit_entries, bearer, login


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def test_patch_conference_records_who_and_before_after(app, client, tokens):
    response = client.patch(
        "/api/v1/conference",
        json={"onsite_capacity": 1500, "allocation_mode": "fcfs"},
        headers=bearer(tokens["organiser"]),
    )
    assert response.status_code == 200
    [entry] = audit_entries("conference.update")
    assert entry.actor_email == "organiser@example.org"
    assert entry.actor_id == staff().id
    assert entry.target_type == "conference"
    assert entry.before == {"onsite_capacity": 1200, "allocation_mode": "preferences"}
    assert entry.after == {"onsite_capacity": 1500, "allocation_mode": "fcfs"}


def test_a_refused_change_leaves_no_audit_entry(app, client, tokens):
    db.session.execute(db.update(Conference).values(onsite_taken=10))
    db.session.commit()
    response = client.patch(
        "/api/v1/conference", json={"onsite_capacity": 5}, headers=bearer(tokens["organiser"])
    )
    assert response.status_code == 409
    assert audit_entries() == []


def test_patch_activity_records_capacity_and_time_change(app, client, tokens):
    act = activity("ws-diversiteit-1")
    old_start = act.starts_at
    new_start = old_start + timedelta(minutes=15)
    response = client.patch(
        f"/api/v1/activities/{act.id}",
        json={"capacity": 90, "starts_at": new_start.isoformat(), "title": act.title},
        headers=bearer(tokens["organiser"]),
    )
    assert response.status_code == 200, response.get_json()
    [entry] = audit_entries("activity.update")
    assert entry.target_type == "activity" and entry.target_id == str(act.id)
    assert entry.before == {"capacity": 100, "starts_at": old_start.isoformat()}
    assert entry.after == {"capacity": 90, "starts_at": new_start.isoformat()}
    assert "title" not in entry.after  # unchanged values are not logged


def test_same_value_again_is_not_a_change(app, client, tokens):
    act = activity("ws-diversiteit-1")
    client.patch(
        f"/api/v1/activities/{act.id}",
        json={"capacity": act.capacity},
        headers=bearer(tokens["organiser"]),
    )
    assert audit_entries() == []


def test_audit_page_filters_and_exports(app, client, tokens):
    headers = bearer(tokens["organiser"])
    act = db.session.scalar(db.select(Activity).filter_by(slug="ws-diversiteit-1"))
    client.patch(f"/api/v1/activities/{act.id}", json={"capacity": 95}, headers=headers)
    client.patch("/api/v1/conference", json={"onsite_capacity": 1300}, headers=headers)
    login(client)
    page = client.get("/beheer/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "activity.update" in html and "conference.update" in html
    only = client.get("/beheer/audit?action=activity.update").get_data(as_text=True)
    assert "capacity: 95" in only and "onsite_capacity: 1300" not in only
    by_target = client.get(f"/beheer/audit?target_type=activity&target_id={act.id}")
    assert "capacity: 95" in by_target.get_data(as_text=True)
    nobody = client.get("/beheer/audit?actor=niemand").get_data(as_text=True)
    assert "Geen wijzigingen gevonden" in nobody

    raw = client.get("/beheer/audit/export.csv?action=conference.update").data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Tijdstip", "Wie", "Actie"]
    assert len(rows) == 2 and rows[1][1] == "organiser@example.org"
    assert rows[1][2] == "conference.update"

    book = load_workbook(io.BytesIO(client.get("/beheer/audit/export.xlsx").data))
    sheet = book.active
    actions = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert actions == {"activity.update", "conference.update"}


def test_audit_pages_paginate(app, client, tokens):
    headers = bearer(tokens["organiser"])
    act = activity("ws-diversiteit-1")
    for cap in range(60, 60 + 55):
        client.patch(f"/api/v1/activities/{act.id}", json={"capacity": cap}, headers=headers)
    login(client)
    first = client.get("/beheer/audit").get_data(as_text=True)
    assert "Pagina 1 van 2" in first and 'rel="next"' in first
    second = client.get("/beheer/audit?page=2").get_data(as_text=True)
    assert "Pagina 2 van 2" in second
