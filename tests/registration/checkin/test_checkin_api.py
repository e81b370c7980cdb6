"""The check-in API: every status and reason, entry/exit/re-entry, nonces, force, roles."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from conference.cli import create_staff
from conference.clock import utcnow
from conference.extensions import db
from registration.checkin.models import Presence, Scan
from registration.models import Ticket
from tests.factories import activity, give_seat, open_day, start_activity, ticket_holder, token_for
from tests.helpers import bearer, ticket_url
from tests.support.apps import sqlite_app

REDEEM = "/api/v1/checkin/redeem"


@pytest.fixture
def staff(app, tokens):
    """The check-in volunteer's Authorization header, with the conference day open."""
    open_day()
    return bearer(tokens["checkin"])


def redeem(client, headers, secret, checkpoint="entrance", **extra):
    response = client.post(
        REDEEM, json={"secret": secret, "checkpoint": checkpoint, **extra}, headers=headers
    )
    db.session.rollback()  # the request wrote: start the next read afresh
    return response


def scans(**filters) -> list[Scan]:
    db.session.rollback()
    return list(db.session.scalars(select(Scan).filter_by(**filters).order_by(Scan.id)))


def test_ok_at_the_entrance_shows_the_participant(client, staff):
    reg, ticket = ticket_holder(first_name="Fatima", last_name="El Amrani", profile="student")
    response = redeem(client, staff, ticket.secret)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checkpoint"] == "entrance"
    assert body["participant"]["name"] == "Fatima El Amrani"
    assert body["participant"]["profile"] == "student"
    assert body["participant"]["mode"] == "onsite"
    assert body["participant"]["seats"] == []
    [scan] = scans(registration_id=reg.id)
    assert (scan.status, scan.type, scan.checkpoint, scan.forced, scan.flagged) == (
        "ok",
        "entry",
        "entrance",
        False,
        False,
    )
    assert scan.staff_user.email == "checkin@example.org"


def test_the_ticket_url_works_as_well_as_the_raw_secret(client, staff):
    _, first = ticket_holder()
    _, second = ticket_holder()
    assert redeem(client, staff, ticket_url(first.secret)).status_code == 201
    assert redeem(client, staff, "  " + second.secret + "\n").status_code == 201


def test_unknown_secret_is_invalid_404_and_kept_without_personal_data(client, staff):
    for code in (
        "x" * 32,
        "http://127.0.0.1:5000/t/" + "y" * 32,
        "not a ticket",
        "https://evil/x/abc",
    ):
        response = redeem(client, staff, code, nonce=None)
        assert response.status_code == 404
        assert response.get_json()["status"] == "error"
        assert response.get_json()["reason"] == "invalid"
        assert "participant" not in response.get_json()
    kept = scans(reason="invalid")
    assert len(kept) == 4 and all(s.registration_id is None for s in kept)


def test_entry_exit_and_re_entry(client, staff):
    reg, ticket = ticket_holder()
    assert redeem(client, staff, ticket.secret).status_code == 201

    again = redeem(client, staff, ticket.secret)
    assert again.status_code == 400
    body = again.get_json()
    assert body["reason"] == "already_redeemed"
    assert body["participant"]["id"] == reg.id
    assert body["first_scan_at"]
    assert "al binnen" in body["message"]

    out = redeem(client, staff, ticket.secret, type="exit")
    assert out.status_code == 201 and out.get_json()["type"] == "exit"
    assert redeem(client, staff, ticket.secret).status_code == 201  # re-entry after an exit
    assert redeem(client, staff, ticket.secret).get_json()["reason"] == "already_redeemed"

    db.session.rollback()
    presence = db.session.scalar(select(Presence).filter_by(registration_id=reg.id))
    assert (presence.entries, presence.exits, presence.inside) == (2, 1, True)
    assert len(scans(registration_id=reg.id)) == 5


def test_an_exit_without_entry_is_recorded_but_does_not_count(client, staff):
    reg, ticket = ticket_holder()
    assert redeem(client, staff, ticket.secret, type="exit").status_code == 201
    db.session.rollback()
    assert db.session.scalar(select(Presence).filter_by(registration_id=reg.id)) is None


def test_canceled_registration(client, staff):
    reg, ticket = ticket_holder(status="canceled")
    response = redeem(client, staff, ticket.secret)
    assert response.status_code == 400
    assert response.get_json()["reason"] == "canceled"
    assert response.get_json()["participant"]["id"] == reg.id


def test_revoked_ticket_and_its_replacement(client, staff):
    reg, old = ticket_holder()
    response = client.post(f"/api/v1/checkin/registrations/{reg.id}/reissue", headers=staff)
    assert response.status_code == 201
    new_url = response.get_json()["ticket_url"]
    assert old.secret not in new_url
    answer = redeem(client, staff, old.secret)
    assert answer.status_code == 400 and answer.get_json()["reason"] == "revoked"
    assert redeem(client, staff, new_url).status_code == 201
    db.session.rollback()
    statuses = sorted(
        t.status for t in db.session.scalars(select(Ticket).filter_by(registration_id=reg.id))
    )
    assert statuses == ["active", "revoked"]


def test_product_online_or_waitlisted_at_the_door(client, staff):
    _, online = ticket_holder(mode="online")
    _, waiting = ticket_holder(status="waitlisted")
    for ticket, detail in ((online, "online"), (waiting, "waitlisted")):
        body = redeem(client, staff, ticket.secret).get_json()
        assert (body["status"], body["reason"], body["detail"]) == ("error", "product", detail)


def test_a_workshop_door_needs_a_seat_there(client, staff):
    act = start_activity("ws-diversiteit-1")
    other = activity("ws-diversiteit-3")
    seated, seated_ticket = ticket_holder()
    elsewhere, elsewhere_ticket = ticket_holder()
    give_seat(seated, act)
    give_seat(elsewhere, other)

    ok = redeem(client, staff, seated_ticket.secret, checkpoint=str(act.id))
    assert ok.status_code == 201
    assert [s["activity_id"] for s in ok.get_json()["participant"]["seats"]] == [act.id]
    refused = redeem(client, staff, elsewhere_ticket.secret, checkpoint=str(act.id))
    assert refused.status_code == 400
    assert (refused.get_json()["reason"], refused.get_json()["detail"]) == ("product", "no_seat")
    # The entrance is a separate checkpoint: being in the workshop does not count there.
    assert redeem(client, staff, seated_ticket.secret).status_code == 201


def test_an_open_activity_admits_every_onsite_person(client, staff):
    plenary = start_activity("plenaire-opening")
    _, ticket = ticket_holder()
    _, online = ticket_holder(mode="online")
    assert redeem(client, staff, ticket.secret, checkpoint=str(plenary.id)).status_code == 201
    assert (
        redeem(client, staff, online.secret, checkpoint=str(plenary.id)).get_json()["reason"]
        == "product"
    )


def test_invalid_time_before_opening_and_after_closing(client, staff):
    _, ticket = ticket_holder()
    open_day(hours_before=-3, hours_after=10)  # the day starts in three hours
    early = redeem(client, staff, ticket.secret)
    assert early.status_code == 400 and early.get_json()["reason"] == "invalid_time"
    open_day(hours_before=10, hours_after=-1)  # ended an hour ago
    assert redeem(client, staff, ticket.secret).get_json()["reason"] == "invalid_time"
    act = activity("ws-diversiteit-1")
    reg, seat_ticket = ticket_holder()
    give_seat(reg, act)
    with time_machine.travel(act.starts_at - timedelta(hours=2)):
        too_soon = redeem(client, staff, seat_ticket.secret, checkpoint=str(act.id))
    assert too_soon.get_json()["reason"] == "invalid_time"
    with time_machine.travel(act.starts_at - timedelta(minutes=10)):
        assert redeem(client, staff, seat_ticket.secret, checkpoint=str(act.id)).status_code == 201


def test_the_same_nonce_answers_the_same_and_records_nothing_new(client, staff):
    reg, ticket = ticket_holder()
    first = redeem(client, staff, ticket.secret, nonce="n-1", device="phone-1")
    again = redeem(client, staff, ticket.secret, nonce="n-1", device="phone-1")
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    # An error answer is replayed just the same.
    refused = redeem(client, staff, ticket.secret, nonce="n-2")
    refused_again = redeem(client, staff, ticket.secret, nonce="n-2")
    assert refused.status_code == refused_again.status_code == 400
    assert refused.get_json() == refused_again.get_json()
    assert len(scans(registration_id=reg.id)) == 2
    db.session.rollback()
    assert db.session.scalar(select(Presence.entries).filter_by(registration_id=reg.id)) == 1


def test_force_records_offline_scans_and_flags_broken_rules(client, staff):
    reg, ticket = ticket_holder()
    earlier = (utcnow() - timedelta(minutes=20)).isoformat()
    first = redeem(
        client, staff, ticket.secret, force=True, nonce="dev-a-1", scanned_at=earlier, device="a"
    )
    assert first.status_code == 201
    assert first.get_json()["flagged"] is False
    # A second offline device let the same ticket in: recorded, flagged, never refused.
    second = redeem(client, staff, ticket.secret, force=True, nonce="dev-b-1", device="b")
    assert second.status_code == 201
    assert second.get_json()["flagged"] is True
    assert second.get_json()["flag_reason"] == "already_redeemed"
    # A revoked ticket let in offline is flagged with its reason.
    _, revoked = ticket_holder()
    revoked.status = "revoked"
    db.session.commit()
    body = redeem(client, staff, revoked.secret, force=True, nonce="dev-a-2").get_json()
    assert (body["status"], body["flagged"], body["flag_reason"]) == ("ok", True, "revoked")

    db.session.rollback()
    presence = db.session.scalar(select(Presence).filter_by(registration_id=reg.id))
    assert presence.first_entry_at.isoformat()[:19] == earlier[:19]
    flagged = scans(flagged=True)
    assert {s.flag_reason for s in flagged} == {"already_redeemed", "revoked"}
    assert {s.device for s in scans(registration_id=reg.id)} == {"a", "b"}


def test_bad_input_is_refused_with_fields(client, staff):
    _, ticket = ticket_holder()
    future = (utcnow() + timedelta(hours=1)).isoformat()
    cases = [
        ({"secret": ticket.secret, "checkpoint": "kelder"}, "checkpoint"),
        ({"secret": ticket.secret, "checkpoint": "999999"}, "checkpoint"),
        ({"secret": ticket.secret, "checkpoint": "entrance", "type": "in"}, "type"),
        ({"checkpoint": "entrance"}, "secret"),
        ({"secret": ticket.secret, "checkpoint": "entrance", "scanned_at": future}, "scanned_at"),
        (
            {"secret": ticket.secret, "checkpoint": "entrance", "scanned_at": "gisteren"},
            "scanned_at",
        ),
        ({"secret": ticket.secret, "checkpoint": "entrance", "force": "yes"}, "force"),
        ({"secret": ticket.secret, "checkpoint": "entrance", "nonce": "x" * 65}, "nonce"),
        ({"secret": ticket.secret, "checkpoint": "entrance", "colour": "red"}, "colour"),
    ]
    for payload, field in cases:
        response = client.post(REDEEM, json=payload, headers=staff)
        assert response.status_code == 422, payload
        assert field in response.get_json()["fields"], payload
    assert scans() == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/checkin/list?checkpoint=entrance",
        "/api/v1/checkin/stats?checkpoint=entrance",
        "/api/v1/checkin/search?q=peeters",
        "/api/v1/checkin/checkpoints",
    ],
)
def test_attendees_and_anonymous_callers_cannot_read(client, tokens, path):
    reg, _ = ticket_holder()
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(token_for(reg))).status_code == 403
    assert client.get(path, headers=bearer(tokens["moderator"])).status_code == 403
    assert client.get(path, headers=bearer(tokens["checkin"])).status_code == 200
    assert client.get(path, headers=bearer(tokens["organiser"])).status_code == 200


def test_attendees_and_anonymous_callers_cannot_redeem(client, tokens):
    open_day()
    reg, ticket = ticket_holder()
    payload = {"secret": ticket.secret, "checkpoint": "entrance"}
    assert client.post(REDEEM, json=payload).status_code == 401
    assert client.post(REDEEM, json=payload, headers=bearer("nonsense")).status_code == 401
    assert client.post(REDEEM, json=payload, headers=bearer(token_for(reg))).status_code == 403
    assert client.post(REDEEM, json=payload, headers=bearer(tokens["moderator"])).status_code == 403
    reissue = f"/api/v1/checkin/registrations/{reg.id}/reissue"
    assert client.post(reissue, headers=bearer(token_for(reg))).status_code == 403
    assert scans() == []
    assert client.post(REDEEM, json=payload, headers=bearer(tokens["organiser"])).status_code == 201


def test_the_list_holds_keyed_hashes_and_no_raw_secrets(app, client, staff):
    made = [ticket_holder() for _ in range(3)]
    _, revoked = ticket_holder()
    revoked.status = "revoked"
    db.session.commit()
    _, online = ticket_holder(mode="online")
    response = client.get("/api/v1/checkin/list?checkpoint=entrance", headers=staff)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    secrets_ = [t.secret for _, t in made] + [revoked.secret, online.secret]
    for secret in secrets_:
        assert secret not in text
        assert secret[:12] not in text
    assert app.config["SECRET_KEY"] not in text
    data = json.loads(text)
    key = bytes.fromhex(data["hash"]["key"])
    by_hash = {e["h"]: e for e in data["entries"]}
    for (reg, ticket), status in zip(made, ["ok"] * 3, strict=True):
        h = hmac.new(key, ticket.secret.encode(), hashlib.sha256).hexdigest()[
            : data["hash"]["length"]
        ]
        assert by_hash[h]["status"] == status
        assert by_hash[h]["name"] == reg.full_name
        assert "email" not in by_hash[h]
    statuses = {e["status"] for e in data["entries"]}
    assert {"ok", "revoked", "product"} <= statuses
    assert data["full"] is True and data["count"] == 5


def test_the_list_syncs_incrementally(client, staff):
    _, first = ticket_holder()
    full = client.get("/api/v1/checkin/list?checkpoint=entrance", headers=staff).get_json()
    assert full["count"] == 1
    with time_machine.travel(utcnow() + timedelta(minutes=2)):
        reg, _later = ticket_holder()
        redeem(client, staff, first.secret)
        delta = client.get(
            f"/api/v1/checkin/list?checkpoint=entrance&since={full['version']}", headers=staff
        ).get_json()
        assert delta["full"] is False
        assert {e["registration_id"] for e in delta["entries"]} >= {reg.id}
        inside = [e for e in delta["entries"] if e["inside"]]
        assert len(inside) == 1
        nothing = client.get(
            f"/api/v1/checkin/list?checkpoint=entrance&since={delta['version'] + 60_000}",
            headers=staff,
        ).get_json()
    assert nothing["entries"] == []
    bad = client.get("/api/v1/checkin/list?checkpoint=entrance&since=gisteren", headers=staff)
    assert bad.status_code == 422


def test_stats_count_expected_arrivals_and_people_inside(client, staff):
    people = [ticket_holder() for _ in range(4)]
    ticket_holder(mode="online")
    ticket_holder(status="canceled")
    now = utcnow()
    for minutes, (_, ticket) in zip((50, 40, 5), people, strict=False):
        redeem(
            client, staff, ticket.secret, scanned_at=(now - timedelta(minutes=minutes)).isoformat()
        )
    redeem(client, staff, people[0][1].secret, type="exit")
    body = client.get("/api/v1/checkin/stats?checkpoint=entrance", headers=staff).get_json()
    assert body["expected"] == 4
    assert body["checked_in"] == 3
    assert body["inside"] == 2
    assert body["no_shows"] == 1
    assert sum(q["arrivals"] for q in body["per_quarter_hour"]) == 3
    starts = [q["start"] for q in body["per_quarter_hour"]]
    assert starts == sorted(starts) and all(s[14:16] in {"00", "15", "30", "45"} for s in starts)


def test_manual_search_by_name_or_email(client, staff):
    reg, _ = ticket_holder(first_name="Jozefien", last_name="Van Damme", email="jozefien@vzw.be")
    ticket_holder(first_name="Ann", last_name="Anders")
    by_name = client.get("/api/v1/checkin/search?q=van%20damme", headers=staff).get_json()
    assert [r["registration_id"] for r in by_name["results"]] == [reg.id]
    assert by_name["results"][0]["email"] == "j***@vzw.be"
    by_email = client.get("/api/v1/checkin/search?q=JOZEFIEN@vzw.be", headers=staff).get_json()
    assert [r["registration_id"] for r in by_email["results"]] == [reg.id]
    wildcard = client.get("/api/v1/checkin/search?q=%25%25", headers=staff).get_json()
    assert wildcard["results"] == []
    assert client.get("/api/v1/checkin/search?q=a", headers=staff).status_code == 422
    # Then a manual check-in by registration id, from the help desk.
    manual = client.post(
        REDEEM, json={"registration_id": reg.id, "checkpoint": "entrance"}, headers=staff
    )
    assert manual.status_code == 201
    [scan] = scans(registration_id=reg.id)
    assert scan.method == "manual"


def test_reissue_refuses_online_and_canceled(client, staff):
    online, _ = ticket_holder(mode="online")
    canceled, _ = ticket_holder(status="canceled")
    assert (
        client.post(f"/api/v1/checkin/registrations/{online.id}/reissue", headers=staff).status_code
        == 409
    )
    assert (
        client.post(
            f"/api/v1/checkin/registrations/{canceled.id}/reissue", headers=staff
        ).status_code
        == 409
    )
    assert (
        client.post("/api/v1/checkin/registrations/999999/reissue", headers=staff).status_code
        == 404
    )


def test_checkpoints_lists_the_entrance_and_onsite_activities(client, staff):
    body = client.get("/api/v1/checkin/checkpoints", headers=staff).get_json()
    keys = [cp["key"] for cp in body["checkpoints"]]
    assert keys[0] == "entrance"
    kinds = {cp["kind"] for cp in body["checkpoints"]}
    assert {"workshop", "visit", "plenary"} <= kinds
    assert "stream" not in kinds and "online_workshop" not in kinds
    workshop = next(cp for cp in body["checkpoints"] if cp["kind"] == "workshop")
    assert workshop["seated"] is True and workshop["standby_from"] is None


def test_cookie_callers_need_the_csrf_token(sqlite_template, tmp_path):
    app = sqlite_app(sqlite_template, tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_staff("vrijwilliger@example.org", "checkin", "V", "wachtwoord-checkin")
        open_day()
        _, ticket = ticket_holder()
        client = app.test_client()
        page = client.get("/beheer/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        login = client.post(
            "/beheer/login",
            data={
                "email": "vrijwilliger@example.org",
                "password": "wachtwoord-checkin",
                "csrf_token": token,
            },
        )
        assert login.status_code == 302
        payload = {"secret": ticket.secret, "checkpoint": "entrance"}
        assert client.post(REDEEM, json=payload).status_code == 400
        assert client.post(REDEEM, json=payload, headers={"X-CSRFToken": token}).status_code == 201
        db.session.remove()
        db.engine.dispose()


def test_every_scan_counts_once_in_the_database(client, staff):
    _, ticket = ticket_holder()
    for _ in range(3):
        redeem(client, staff, ticket.secret)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Scan.id))) == 3
    assert db.session.scalar(select(func.count(Presence.id))) == 1
