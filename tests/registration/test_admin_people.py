"""People: search, a person's page, and organiser actions through the owners' services, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conference.extensions import db
from conference.models import MailMessage
from registration.models import Registration
from sessions.programme.models import Activity
from sessions.seats.models import Seat
from tests.factories import activity, give_seat, register, staff
from tests.helpers import audit_entries, login


@pytest.fixture
def app(any_db_app):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_db_app


def _reg(reg_id: int) -> Registration:
    db.session.rollback()
    return db.session.get(Registration, reg_id)


def test_search_by_name_email_organisation_and_filters(app, client, tokens):
    zoe = register(1, first_name="Zoë", last_name="Geïrnaert", organisation="CAW Antwerpen")
    register(2, first_name="Eva", last_name="Peeters", organisation="OCMW Beveren", mode="online")
    register(3, first_name="Jan", last_name="Janssens", profile="student")
    give_seat(zoe.id, "ws-diversiteit-1", by=staff())
    login(client)

    def names(query: str) -> list[str]:
        """The people listed, in the page's order (by family name)."""
        html = client.get("/beheer/deelnemers" + query).get_data(as_text=True)
        found = [(html.find(f"{n},"), n) for n in ("Geïrnaert", "Peeters", "Janssens")]
        return [n for pos, n in sorted(found) if pos >= 0]

    assert names("") == ["Geïrnaert", "Janssens", "Peeters"]
    assert names("?q=zoe") == ["Geïrnaert"]  # accents do not matter
    assert names("?q=GEIRNAERT") == ["Geïrnaert"]
    assert names("?q=persoon2%40example") == ["Peeters"]
    assert names("?q=beveren") == ["Peeters"]
    assert names("?q=caw+zoë") == ["Geïrnaert"]
    assert names("?q=caw+eva") == []
    assert names("?mode=online") == ["Peeters"]
    assert names("?profile=student") == ["Janssens"]
    assert names(f"?activity={activity('ws-diversiteit-1').id}") == ["Geïrnaert"]
    assert names("?status=canceled") == []
    assert names("?q=%25") == []  # a LIKE wildcard is searched as text


def test_person_page_shows_the_whole_file(app, client, tokens):
    reg = register(1, first_name="Zoë", last_name="Geïrnaert")
    give_seat(reg.id, "ws-diversiteit-1", by=staff())
    login(client)
    html = client.get(f"/beheer/deelnemers/{reg.id}").get_data(as_text=True)
    assert "Zoë Geïrnaert" in html and "Samenleven in diversiteit" in html
    assert "geldig" in html  # the ticket
    # The confirmation mail in the outbox, by its name (issue 19: labels, not codes).
    assert "Bevestiging van de inschrijving" in html and "registration_confirmation" not in html
    assert client.get("/beheer/deelnemers/99999").status_code == 404


def test_edit_is_audited_with_before_and_after(app, client, tokens):
    reg = register(1, first_name="Zoë", organisation="CAW")
    login(client)
    response = client.post(
        f"/beheer/deelnemers/{reg.id}/gegevens",
        data={
            "edit-first_name": "Zoé",
            "edit-last_name": reg.last_name,
            "edit-organisation": "OCMW",
            "edit-profile": "practitioner",
            "edit-language": "nl",
            "edit-diet": "vegetarisch",
            "edit-reason": "telefoon",
        },
    )
    assert response.status_code == 302
    assert _reg(reg.id).organisation == "OCMW"
    [entry] = audit_entries("registration.edit")
    assert entry.target_type == "registration" and entry.target_id == str(reg.id)
    assert entry.before == {"first_name": "Zoë", "organisation": "CAW", "diet": None}
    assert entry.after == {"first_name": "Zoé", "organisation": "OCMW", "diet": "vegetarisch"}
    assert entry.reason == "telefoon" and entry.actor_email == "organiser@example.org"
    # A refused change writes no audit entry.
    bad = client.post(
        f"/beheer/deelnemers/{reg.id}/gegevens",
        data={
            "edit-first_name": "",
            "edit-last_name": "x",
            "edit-profile": "practitioner",
            "edit-language": "nl",
        },
    )
    assert bad.status_code == 422
    assert len(audit_entries("registration.edit")) == 1


def test_mode_cancel_reissue_and_login_link(app, client, tokens):
    reg = register(1)
    login(client)
    old_ticket = reg.ticket.secret
    assert client.post(f"/beheer/deelnemers/{reg.id}/ticket", data={}).status_code == 302
    db.session.rollback()
    assert _reg(reg.id).ticket.secret != old_ticket
    client.post(f"/beheer/deelnemers/{reg.id}/deelname", data={"mode-mode": "online"})
    assert _reg(reg.id).mode == "online" and not _reg(reg.id).holds_venue_place
    client.post(f"/beheer/deelnemers/{reg.id}/aanmeldlink", data={})
    client.post(f"/beheer/deelnemers/{reg.id}/annuleren", data={"reason": "belde af"})
    assert _reg(reg.id).status == "canceled"
    entries = {e.action: e for e in audit_entries()}
    assert set(entries) == {
        "registration.reissue_ticket",
        "registration.mode",
        "registration.send_login_link",
        "registration.cancel",
    }
    assert entries["registration.mode"].before["mode"] == "onsite"
    assert entries["registration.mode"].after["mode"] == "online"
    assert entries["registration.cancel"].after["status"] == "canceled"
    assert entries["registration.cancel"].reason == "belde af"
    kinds = set(db.session.scalars(select(MailMessage.kind).filter_by(registration_id=reg.id)))
    assert {"ticket", "registration_confirmation"} <= kinds


def test_manual_move_respects_capacity_and_is_audited(app, client, tokens):
    first, second = register(1), register(2)
    small = activity("ws-diversiteit-1")
    db.session.execute(db.update(Activity).where(Activity.id == small.id).values(capacity=1))
    db.session.commit()
    login(client)
    ok = client.post(
        f"/beheer/deelnemers/{first.id}/verplaatsen",
        data={"move-activity": str(small.id), "move-reason": "vraag spreker"},
    )
    assert ok.status_code == 302
    full = client.post(
        f"/beheer/deelnemers/{second.id}/verplaatsen", data={"move-activity": str(small.id)}
    )
    assert full.status_code == 409
    db.session.rollback()
    seats = db.session.scalar(
        select(func.count()).select_from(Seat).filter_by(activity_id=small.id)
    )
    assert seats == 1 and activity("ws-diversiteit-1").taken == 1
    moves = audit_entries("seat.move")
    assert len(moves) == 1 and moves[0].target_id == str(first.id)
    assert moves[0].actor_email == "organiser@example.org" and moves[0].reason == "vraag spreker"
    # Ignoring the rules needs a reason.
    no_reason = client.post(
        f"/beheer/deelnemers/{second.id}/verplaatsen",
        data={"move-activity": str(small.id), "move-override": "y"},
    )
    assert no_reason.status_code == 422


def test_register_someone_by_hand(app, client, tokens):
    login(client)
    assert client.get("/beheer/deelnemers/nieuw").status_code == 200
    missing = client.post("/beheer/deelnemers/nieuw", data={"email": "bel@example.be"})
    assert missing.status_code == 422
    response = client.post(
        "/beheer/deelnemers/nieuw",
        data={
            "email": "bel@example.be",
            "first_name": "Bart",
            "last_name": "Beller",
            "profile": "volunteer",
            "mode": "onsite",
            "language": "nl",
            "consent": "y",
            "reason": "belde op maandag",
        },
    )
    assert response.status_code == 302
    reg = db.session.scalar(select(Registration).filter_by(email="bel@example.be"))
    assert reg.status == "registered" and reg.ticket is not None
    assert response.headers["Location"].endswith(f"/beheer/deelnemers/{reg.id}")
    [entry] = audit_entries("registration.create_by_organiser")
    assert entry.target_id == str(reg.id) and entry.after["email"] == "bel@example.be"
    assert entry.before is None and entry.reason == "belde op maandag"
    twice = client.post(
        "/beheer/deelnemers/nieuw",
        data={
            "email": "bel@example.be",
            "first_name": "Bart",
            "last_name": "Beller",
            "profile": "volunteer",
            "mode": "onsite",
            "language": "nl",
            "consent": "y",
        },
    )
    assert twice.status_code == 422
    assert len(audit_entries("registration.create_by_organiser")) == 1


def test_a_change_and_its_audit_entry_commit_together(app, client, tokens, monkeypatch):
    reg = register(1, organisation="CAW")
    login(client)

    def audit_log_down(*args, **kwargs):
        raise RuntimeError("audit log down")

    monkeypatch.setattr("conference.audit.record", audit_log_down)
    for path, data in (
        ("gegevens", {"edit-first_name": "Zoé", "edit-last_name": "x", "edit-organisation": "OCMW",
                      "edit-profile": "practitioner", "edit-language": "nl"}),
        ("deelname", {"mode-mode": "online"}),
        ("annuleren", {}),
    ):  # fmt: skip
        assert client.post(f"/beheer/deelnemers/{reg.id}/{path}", data=data).status_code == 500
    after = _reg(reg.id)
    assert (after.organisation, after.mode, after.status) == ("CAW", "onsite", "registered")
    assert after.ticket is not None
